import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { ApiKeyRow, KeyStore } from "./key-store.js";
import { packageProgram, type Program } from "./programs.js";

const ApiKeyRow = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullish(),
  workspace_id: z.string().optional(),
  scope: z.string().optional(),
});
const Created = z.object({ key: z.string(), record: ApiKeyRow });
const Listed = z.object({ data: z.array(ApiKeyRow) });
const Revoked = z.object({ record: ApiKeyRow });
const Checked = z.object({ valid: z.boolean() });
const Failed = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The gateway's keys program (it is run, not imported). */
function keysProgram(): Program {
  const program = packageProgram("gateway", "keys-cli");
  if (!program) throw new Error("the gateway's keys program is missing (compiled services: npm run build)");
  return program;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where the keys program connects, and as whom (the gateway's NATS user: it owns the key bucket). */
interface NatsTarget {
  url: string;
  env: Record<string, string>;
}

function runScript(nats: NatsTarget, args: string[], input: string): Promise<Outcome> {
  const program = keysProgram();
  const child = spawn(program.command, [...program.args, ...args], {
    cwd: dirname(program.file),
    env: { ...process.env, NATS_URL: nats.url, ...nats.env },
    timeout: 60_000,
  });
  const outcome: Outcome = { code: null, stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => (outcome.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (outcome.stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ ...outcome, code }));
  });
}

function parseOutcome<S extends z.ZodType>(natsUrl: string, outcome: Outcome, schema: S): z.output<S> {
  const lastLine = outcome.stdout.trim().split("\n").at(-1) ?? "";
  const json: unknown = lastLine.startsWith("{") ? JSON.parse(lastLine) : null;
  const failed = Failed.safeParse(json);
  if (failed.success && failed.data.error.code === "UNAVAILABLE")
    throw new Error(`Corral is not running (no NATS at ${natsUrl}). Start it with: npm start`);
  if (failed.success) throw new Error(failed.data.error.message);
  const parsed = schema.safeParse(json);
  if (outcome.code === 0 && parsed.success) return parsed.data;
  throw new Error(`the gateway's keys command failed: ${outcome.stderr.trim().split("\n").at(-1) ?? ""}`);
}

async function call<S extends z.ZodType>(nats: NatsTarget, args: string[], schema: S, input = "") {
  return parseOutcome(nats.url, await runScript(nats, args, input), schema);
}

/**
 * API keys through the gateway's own `keys` command, run as a child process: the gateway is the only
 * writer of its key bucket, and the CLI never imports service code.
 */
export function gatewayKeyStore(natsUrl: string, natsAuthDir?: string): KeyStore {
  const seed = natsAuthDir ? join(natsAuthDir, "gateway.nk") : undefined;
  const natsTarget: NatsTarget = {
    url: natsUrl,
    env: seed && existsSync(seed) ? { NATS_NKEY_SEED_FILE: seed } : {},
  };
  return {
    create: (name, options = {}) =>
      call(
        natsTarget,
        [
          ...["create", "--name", name],
          ...(options.workspace ? ["--workspace", options.workspace] : []),
          ...(options.scope ? ["--scope", options.scope] : []),
        ],
        Created,
      ),
    list: async (): Promise<ApiKeyRow[]> => (await call(natsTarget, ["ls"], Listed)).data,
    revoke: async (idOrHint) => (await call(natsTarget, ["revoke", idOrHint], Revoked)).record,
    // The key goes on stdin: arguments show in every process listing.
    isValid: async (key) => (await call(natsTarget, ["check"], Checked, key)).valid,
  };
}
