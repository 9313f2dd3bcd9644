import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { freePort, type ScriptedModel, cliNatsEnv } from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";
import { startCredentialProxy } from "@corral/credential-proxy/testing";

const exec = promisify(execFile);
const cli = fileURLToPath(new URL("../packages/cli/bin/corral.mjs", import.meta.url));

let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;
let credentials: Awaited<ReturnType<typeof startCredentialProxy>>;

beforeAll(async () => {
  stack = await startBrainStack();
  ({ model } = stack);
  gw = await startGateway(stack.nats.url);
  credentials = await startCredentialProxy(stack.nats.url);
});

afterAll(async () => {
  await credentials.close();
  await gw.close();
  await stack.close();
});

/** The CLI's environment: this test's NATS (and its users), gateway and key. */
const cliEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  NATS_URL: stack.nats.url,
  ...cliNatsEnv(stack.nats.url),
  CORRAL_URL: gw.url,
  CORRAL_API_KEY: gw.key,
  ...extra,
});

const corral = (args: string[], env: Record<string, string> = {}) =>
  exec(process.execPath, [cli, ...args], { env: cliEnv(env), timeout: 60_000 });

test("corral run starts a session through the API and prints its events until it stops", async () => {
  model.script({
    type: "message",
    content: [{ type: "text", text: "Forty-two, as always." }],
    usage: { input_tokens: 30, output_tokens: 6 },
  });
  const { stdout } = await corral(["run", "What is the answer?"]);
  expect(stdout).toMatch(/^session sesn_\w+ \(agent corral-default v1\)$/m);
  expect(stdout).toContain("> What is the answer?");
  expect(stdout).toContain("Forty-two, as always.");
  expect(stdout).toContain("usage: 30 in, 6 out");
  expect(stdout.trim().split("\n").at(-1)).toBe("— idle (end_turn)");
});

test("keys, sessions and agents commands", async () => {
  const created = await corral(["keys", "create", "--name", "ci"]);
  const key = created.stdout.trim();
  expect(key).toMatch(/^sk-corral-/);
  expect(created.stderr).toContain("shown only this once");
  expect((await corral(["keys", "ls"])).stdout).toMatch(/ckey_\w+ {2}sk-corral-[\w-]{4}… {2}ci/);

  const sessions = await corral(["sessions", "ls"], { CORRAL_API_KEY: key });
  const sid = /^(sesn_\w+) +idle/m.exec(sessions.stdout)?.[1];
  expect(sid).toBeDefined();
  expect(JSON.parse((await corral(["sessions", "show", sid!])).stdout)).toMatchObject({
    id: sid,
    status: "idle",
  });
  expect((await corral(["sessions", "interrupt", sid!])).stdout).toContain(`interrupt sent to ${sid}`);
  expect((await corral(["agents", "ls"])).stdout).toMatch(/agent_\w+ {2}v1 {2}corral-default/);

  const revoked = await corral([
    "keys",
    "revoke",
    /^(ckey_\w+)/m.exec(
      (await corral(["keys", "ls"])).stdout.split("\n").find((l) => l.includes(" ci "))!,
    )![1]!,
  ]);
  expect(revoked.stdout).toContain("revoked ckey_");
  await expect
    .poll(() =>
      corral(["sessions", "ls"], { CORRAL_API_KEY: key }).then(
        () => "ok",
        (e: { stderr: string }) => e.stderr,
      ),
    )
    .toContain("API key was refused");
});

/** Runs the CLI with `input` on its stdin. */
function corralWithInput(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: cliEnv() });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("vaults: a secret is read from stdin, never from the command line, and never shown", async () => {
  const vault = (await corral(["vaults", "create", "cli-vault"])).stdout.trim();
  expect(vault).toMatch(/^vlt_/);
  const secret = `cli-canary-${Date.now()}`;
  const added = await corralWithInput(
    ["vaults", "add-env", vault, "DEPLOY_TOKEN", "--hosts", "deploy.example.com"],
    `${secret}\n`,
  );
  expect(added).toMatchObject({ code: 0, stdout: expect.stringMatching(/^vcrd_/) });
  const shown = (await corral(["vaults", "show", vault])).stdout;
  expect(shown).toContain("DEPLOY_TOKEN");
  expect(shown).not.toContain(secret);
  expect((await corral(["vaults", "ls"])).stdout).toContain(`${vault}  cli-vault`);
  const empty = await corralWithInput(["vaults", "add-env", vault, "EMPTY"], "");
  expect(empty).toMatchObject({ code: 2, stderr: expect.stringContaining("stdin") });
});

test("the CLI says plainly when the stack is down, and what usage is", async () => {
  const port = await freePort();
  const down = await corral(["run", "hello"], { CORRAL_URL: `http://127.0.0.1:${port}` }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(down).toMatchObject({ code: 1, stderr: expect.stringContaining("Corral is not running") });
  const noNats = await corral(["keys", "ls"], { NATS_URL: `nats://127.0.0.1:${port}` }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(noNats).toMatchObject({ code: 1, stderr: expect.stringContaining("Corral is not running") });
  const usage = await corral(["sessions", "dance"]).catch((e: { code: number; stderr: string }) => e);
  expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: corral") });
});
