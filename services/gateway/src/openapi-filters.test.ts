import { expect, test } from "vitest";
import { openApiDocument } from "./openapi.js";
import { ROUTES } from "./routes/index.js";

interface Parameter {
  name: string;
  in: string;
  style?: string;
  explode?: boolean;
}

const parameters = (path: string) =>
  (openApiDocument(ROUTES) as { paths: Record<string, { get: { parameters: Parameter[] } }> }).paths[path]!
    .get.parameters;

test("created_at filters are documented as deepObject query parameters (created_at[gte]=…), as qs reads them", () => {
  for (const path of ["/v1/agents", "/v1/sessions", "/v1/sessions/{session_id}/events"]) {
    expect(parameters(path).find((p) => p.name === "created_at")).toMatchObject({
      in: "query",
      style: "deepObject",
      explode: true,
    });
  }
});
