import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import type { ScriptedModel } from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";

// The examples in examples/ speak plain HTTP: they are run as a user would run them.
const exec = promisify(execFile);
const example = (path: string) => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;

beforeAll(async () => {
  stack = await startBrainStack();
  ({ model } = stack);
  gw = await startGateway(stack.nats.url);
});

afterAll(async () => {
  await gw.close();
  await stack.close();
});

const env = () => ({ ...process.env, CORRAL_URL: gw.url, CORRAL_API_KEY: gw.key });

test("the Python example (standard library only) runs a session over HTTP and follows it to idle", async () => {
  model.script({ type: "message", content: [{ type: "text", text: "Hello from Python's side." }] });
  const { stdout } = await exec("python3", [example("python/http_session.py"), "Say hello"], {
    env: env(),
    timeout: 60_000,
  });
  expect(stdout).toMatch(/^session sesn_\w+$/m);
  expect(stdout).toContain("> Say hello");
  expect(stdout).toContain("Hello from Python's side.");
  expect(stdout.trim().split("\n").at(-1)).toBe("-- idle (end_turn)");
});

test("the curl example runs a session and reads its history", async () => {
  model.script({ type: "message", content: [{ type: "text", text: "curl works." }] });
  const { stdout } = await exec("bash", [example("curl/session.sh"), "Say hi"], {
    env: env(),
    timeout: 60_000,
  });
  expect(stdout).toMatch(/^session sesn_\w+$/m);
  expect(stdout).toContain("agent.message");
  expect(stdout).toContain('"end_turn"');
  expect(stdout).toMatch(/^\d+ events stored$/m);
});
