import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { natsEnvFor } from "@corral/testing";
import { createApiKey, openKeyBucket, revokeApiKey } from "./api-keys.js";
import { runKeysCommand } from "./keys-command.js";
import { startTestStack, type TestStack } from "./testing.js";
import { apiClient, expectError } from "./test-api.js";

let stack: TestStack;
beforeAll(async () => (stack = await startTestStack()));
afterAll(() => stack.close());

const call = apiClient(() => stack.gw);

describe("auth", () => {
  test("no key, a wrong key and a revoked key get 401 and nothing else", async () => {
    const attempts: Record<string, string>[] = [
      { "x-api-key": "" },
      { "x-api-key": "sk-corral-wrong" },
      { "x-api-key": "", authorization: "Bearer nope" },
    ];
    for (const headers of attempts) {
      const r = await call("GET", "/v1/agents", undefined, headers);
      expectError(r, 401, "authentication_error");
      expect(Object.keys(r.body)).toEqual(["type", "error", "request_id"]);
    }
    const kv = await openKeyBucket(stack.bus);
    const { key, record } = await createApiKey(kv, "short-lived");
    expect(
      (await call("GET", "/v1/agents", undefined, { "x-api-key": "", authorization: `Bearer ${key}` }))
        .status,
    ).toBe(200);
    await revokeApiKey(kv, record.id);
    await expect
      .poll(async () => (await call("GET", "/v1/agents", undefined, { "x-api-key": key })).status)
      .toBe(401);
    // Writes without a key change nothing.
    expectError(
      await call("POST", "/v1/agents", { name: "intruder", model: "m" }, { "x-api-key": "" }),
      401,
      "authentication_error",
    );
    expect(
      (await call("GET", "/v1/agents?limit=1000")).body.data.some(
        (a: { name: string }) => a.name === "intruder",
      ),
    ).toBe(false);
  });

  test("the OpenAPI document is public and lists every route", async () => {
    const r = await call("GET", "/v1/openapi.json", undefined, { "x-api-key": "" });
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        "/v1/agents",
        "/v1/agents/{agent_id}/versions",
        "/v1/sessions/{session_id}/events",
        "/v1/sessions/{session_id}/events/stream",
      ]),
    );
    expect(r.body.paths["/v1/agents"].post.requestBody.content["application/json"].schema).toBeDefined();
  });
});

describe("keys command", () => {
  const keys = (...argv: string[]) => runKeysCommand(stack.bus, argv, async () => "");

  test("create, check, list and revoke answer JSON, and the gateway follows them", async () => {
    const created = (await keys("create", "--name", "ops")) as { key: string; record: { id: string } };
    expect(created.record).toMatchObject({ type: "api_key", name: "ops", revoked_at: null });
    expect(await keys("check", created.key)).toEqual({ valid: true, record: created.record });
    expect((await call("GET", "/v1/agents", undefined, { "x-api-key": created.key })).status).toBe(200);
    const listed = (await keys("ls")) as { data: { id: string }[] };
    expect(listed.data.map((k) => k.id)).toContain(created.record.id);
    const revoked = (await keys("revoke", created.record.id)) as { record: { revoked_at: string | null } };
    expect(revoked.record.revoked_at).toEqual(expect.any(String));
    expect(await keys("check", created.key)).toEqual({ valid: false, record: null });
    await expect
      .poll(async () => (await call("GET", "/v1/agents", undefined, { "x-api-key": created.key })).status)
      .toBe(401);
  });

  test("create --workspace --scope makes a key of that workspace and scope; a bad scope is refused", async () => {
    const created = (await keys(
      "create",
      "--name",
      "reader",
      "--workspace",
      "team-x",
      "--scope",
      "read_only",
    )) as {
      key: string;
      record: object;
    };
    expect(created.record).toMatchObject({ workspace_id: "team-x", scope: "read_only" });
    const plain = (await keys("create")) as { record: object };
    expect(plain.record).toMatchObject({ workspace_id: "default", scope: "full" });
    const before = ((await keys("ls")) as { data: unknown[] }).data.length;
    await expect(keys("create", "--scope", "admin")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(keys("create", "--workspace", "no spaces")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    expect(((await keys("ls")) as { data: unknown[] }).data.length).toBe(before);
    expect((await call("GET", "/v1/agents", undefined, { "x-api-key": created.key })).status).toBe(200);
  });

  test("a bad verb or an unknown key is a clear error, and nothing is written", async () => {
    const before = ((await keys("ls")) as { data: unknown[] }).data.length;
    await expect(keys("rotate")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(keys("revoke", "ckey_nosuchkey")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(((await keys("ls")) as { data: unknown[] }).data.length).toBe(before);
  });

  test("runs as its own program: NATS_URL from the environment, one JSON value on stdout", async () => {
    const cli = fileURLToPath(new URL("./keys-cli.ts", import.meta.url));
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", cli, ...args], {
        env: { ...process.env, NATS_URL: stack.nats.url, ...natsEnvFor(stack.nats.url, "gateway") },
      });
    const { stdout } = await run("create", "--name", "from-cli");
    const created = JSON.parse(stdout) as { key: string; record: { name: string } };
    expect(created.record.name).toBe("from-cli");
    expect((await call("GET", "/v1/agents", undefined, { "x-api-key": created.key })).status).toBe(200);
    const failed = await run("revoke", "ckey_nosuchkey").catch((e: { code: number; stdout: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect(JSON.parse((failed as { stdout: string }).stdout)).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
