import { expect } from "vitest";
import type { GatewayUnderTest } from "./testing.js";

export interface ApiCall {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are checked field by field
  headers: Headers;
}

/** Calls the gateway under test as a client would, with its key unless `headers` say otherwise. */
export function apiClient(gw: () => GatewayUnderTest) {
  return async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiCall> {
    const res = await fetch(`${gw().url}${path}`, {
      method,
      headers: {
        "x-api-key": gw().key,
        ...(body !== undefined && { "content-type": "application/json" }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

/** The API's error envelope, with the request id in the body and the header alike. */
export const expectError = (r: ApiCall, status: number, type: string) => {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({
    type: "error",
    error: { type },
    request_id: expect.stringMatching(/^req_/),
  });
  expect(r.headers.get("request-id")).toBe(r.body.request_id);
};
