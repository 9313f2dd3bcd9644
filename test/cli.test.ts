import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { freePort, type ScriptedModel } from "@corral/testing";
import { startBrainStack, type BrainStack } from "../services/harness/src/test-support.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../packages/cli/bin/corral.mjs", import.meta.url));

let stack: BrainStack;
let model: ScriptedModel;

beforeAll(async () => {
  stack = await startBrainStack();
  ({ model } = stack);
});

afterAll(() => stack.close());

test("corral run starts a session and prints its events until it stops", async () => {
  model.script({ type: "message", content: [{ type: "text", text: "Forty-two, as always." }], usage: { input_tokens: 30, output_tokens: 6 } });
  const { stdout } = await run(process.execPath, [cli, "run", "What is the answer?"], { env: { ...process.env, NATS_URL: stack.nats.url }, timeout: 60_000 });
  expect(stdout).toMatch(/^session sesn_\w+ \(agent corral-default v1\)$/m);
  expect(stdout).toContain("> What is the answer?");
  expect(stdout).toContain("Forty-two, as always.");
  expect(stdout).toContain("usage: 30 in, 6 out");
  expect(stdout.trim().split("\n").at(-1)).toBe("— idle (end_turn)");
});

test("corral run says plainly when the stack is down", async () => {
  const port = await freePort();
  const failure = await run(process.execPath, [cli, "run", "hello"], { env: { ...process.env, NATS_URL: `nats://127.0.0.1:${port}` }, timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
  expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining("Corral is not running") });
});
