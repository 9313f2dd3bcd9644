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

/** The model will answer `reply`; the example runs as a user would run it, against the gateway. Returns its output. */
async function runExample(reply: string, interpreter: string, path: string, prompt: string): Promise<string> {
  model.script({ type: "message", content: [{ type: "text", text: reply }] });
  const { stdout } = await exec(interpreter, [example(path), prompt], { env: env(), timeout: 60_000 });
  return stdout;
}

test("the Python example (standard library only) runs a session over HTTP and follows it to idle", async () => {
  const stdout = await runExample(
    "Hello from Python's side.",
    "python3",
    "python/http_session.py",
    "Say hello",
  );
  expect(stdout).toMatch(/^session sesn_\w+$/m);
  expect(stdout).toContain("> Say hello");
  expect(stdout).toContain("Hello from Python's side.");
  expect(stdout.trim().split("\n").at(-1)).toBe("-- idle (end_turn)");
});

test("the curl example runs a session and reads its history", async () => {
  const stdout = await runExample("curl works.", "bash", "curl/session.sh", "Say hi");
  expect(stdout).toMatch(/^session sesn_\w+$/m);
  expect(stdout).toContain("agent.message");
  expect(stdout).toContain('"end_turn"');
  expect(stdout).toMatch(/^\d+ events stored$/m);
});
