import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  AgentCreateParams,
  EnvironmentCreateParams,
  describeZodError,
  type SessionEvent,
} from "@corral/protocol";
import { connectBus, type Bus } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { createApiKey, listApiKeys, openKeyBucket, revokeApiKey, watchApiKeys } from "@corral/gateway";
import type { z } from "zod";
import { up, SERVICES } from "./up.js";
import { runTask, follow } from "./run.js";
import { startDemoModel } from "./demo-model.js";
import { apiClient, apiTarget, explain, keyFile, DEFAULT_URL } from "./api.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const logger = createLogger({ service: "corral", level: process.env.LOG_LEVEL ?? "warn" });
const natsUrl = process.env.NATS_URL;
const natsPort = Number(process.env.CORRAL_NATS_PORT ?? 4222);
const out = (line: string) => void process.stdout.write(`${line}\n`);
const target = apiTarget(root);

const USAGE = `usage: corral <command>
  up                                  run the whole stack: nats-server and every service
  run "<task>" [--agent NAME] [--model ID] [--agent-file F] [--environment-file F]
                                      start a session for the task and follow it until it stops
  sessions ls [--limit N] | show ID | tail ID [--last N] | interrupt ID | archive ID
  agents ls | show ID                 environments ls | show ID
  vaults ls | create NAME | show ID | delete ID
  vaults add-env VAULT NAME --hosts h1,h2     a secret env var for sandboxes; the value is read from stdin
  keys create [--name NAME] | ls | revoke ID     (talks to NATS directly: run it on a Corral host)
The API is at $CORRAL_URL (default ${DEFAULT_URL}) with $CORRAL_API_KEY (default: .corral/api-key, written by \`corral up\`).`;

class UsageError extends Error {}

async function connectNats(): Promise<Bus> {
  const url = natsUrl ?? `nats://127.0.0.1:${natsPort}`;
  try {
    return await connectBus({
      servers: url,
      name: "corral-cli",
      requestTimeoutMs: 30_000,
      waitOnFirstConnect: false,
    });
  } catch {
    throw new Error(`Corral is not running (no NATS at ${url}). Start it with: npm start`);
  }
}

function readJson<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new UsageError(`${file}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      agent: { type: "string" },
      model: { type: "string" },
      "agent-file": { type: "string" },
      "environment-file": { type: "string" },
    },
  });
  const task = positionals.join(" ");
  if (!task) throw new UsageError("corral run needs a task");
  const agentFile = values["agent-file"];
  const environmentFile = values["environment-file"];
  const result = await runTask(
    apiClient(target),
    task,
    {
      agentName: values.agent ?? "corral-default",
      model: values.model ?? process.env.CORRAL_MODEL ?? "claude-sonnet-4-6",
      environmentName: "corral-default",
      ...(agentFile && { agent: readJson(agentFile, AgentCreateParams) }),
      ...(environmentFile && { environment: readJson(environmentFile, EnvironmentCreateParams) }),
    },
    out,
  );
  return result.last?.type === "session.status_idle" ? 0 : 1;
}

const when = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").slice(0, 19) : "-");

async function sessions([verb, ...args]: string[]): Promise<number> {
  const client = apiClient(target);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: "string" }, last: { type: "string" } },
  });
  const id = positionals[0];
  switch (verb) {
    case "ls": {
      const page = await client.beta.sessions.list({ limit: Number(values.limit ?? 20) });
      for (const s of page.data)
        out(`${s.id}  ${s.status.padEnd(11)}  ${when(s.created_at)}  ${s.title ?? ""}`);
      return 0;
    }
    case "show":
      if (!id) throw new UsageError("corral sessions show needs a session id");
      out(JSON.stringify(await client.beta.sessions.retrieve(id), null, 2));
      return 0;
    case "tail": {
      if (!id) throw new UsageError("corral sessions tail needs a session id");
      // The last few events, then live from right after them (Last-Event-ID), until the session stops.
      const recent = (
        await client.beta.sessions.events.list(id, { order: "desc", limit: Number(values.last ?? 20) })
      ).data.reverse() as unknown as SessionEvent[];
      const write = (e: SessionEvent) => void out(`${e.seq}\t${e.type}`);
      recent.forEach(write);
      const after = recent.at(-1)?.seq;
      const stream = await client.beta.sessions.events.stream(
        id,
        {},
        after === undefined ? {} : { headers: { "last-event-id": String(after) } },
      );
      await follow(
        stream,
        out,
        (e) => e.type === "session.status_terminated" || e.type === "session.deleted",
      );
      return 0;
    }
    case "interrupt":
      if (!id) throw new UsageError("corral sessions interrupt needs a session id");
      await client.beta.sessions.events.send(id, { events: [{ type: "user.interrupt" }] });
      out(`interrupt sent to ${id}`);
      return 0;
    case "archive":
      if (!id) throw new UsageError("corral sessions archive needs a session id");
      out(`archived ${(await client.beta.sessions.archive(id)).id}`);
      return 0;
    default:
      throw new UsageError(`unknown: corral sessions ${verb ?? ""}`);
  }
}

async function records(kind: "agents" | "environments", [verb, id]: string[]): Promise<number> {
  const client = apiClient(target);
  if (verb === "ls") {
    if (kind === "agents")
      for await (const a of client.beta.agents.list({ limit: 100 }))
        out(`${a.id}  v${a.version}  ${a.name}  ${typeof a.model === "string" ? a.model : a.model.id}`);
    else for await (const e of client.beta.environments.list({ limit: 100 })) out(`${e.id}  ${e.name}`);
    return 0;
  }
  if (verb === "show" && id) {
    out(
      JSON.stringify(
        kind === "agents"
          ? await client.beta.agents.retrieve(id)
          : await client.beta.environments.retrieve(id),
        null,
        2,
      ),
    );
    return 0;
  }
  throw new UsageError(`usage: corral ${kind} ls | show ID`);
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, "");
}

async function vaults([verb, ...args]: string[]): Promise<number> {
  const client = apiClient(target);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { hosts: { type: "string" } },
  });
  const [first, second] = positionals;
  switch (verb) {
    case "ls":
      for await (const v of client.beta.vaults.list({ limit: 100 })) out(`${v.id}  ${v.display_name}`);
      return 0;
    case "create":
      if (!first) throw new UsageError("corral vaults create needs a name");
      out((await client.beta.vaults.create({ display_name: first })).id);
      return 0;
    case "show": {
      if (!first) throw new UsageError("corral vaults show needs a vault id");
      out(
        JSON.stringify(
          {
            ...(await client.beta.vaults.retrieve(first)),
            credentials: (await client.beta.vaults.credentials.list(first)).data,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    case "delete":
      if (!first) throw new UsageError("corral vaults delete needs a vault id");
      out(`deleted ${(await client.beta.vaults.delete(first)).id}`);
      return 0;
    case "add-env": {
      if (!first || !second)
        throw new UsageError("usage: corral vaults add-env VAULT NAME --hosts h1,h2 < secret");
      // Never from the command line: arguments show in every process listing.
      const secret = await readStdin();
      if (!secret) throw new UsageError("the secret value is read from stdin, and stdin was empty");
      const hosts = (values.hosts ?? "")
        .split(",")
        .map((h) => h.trim())
        .filter(Boolean);
      const credential = await client.beta.vaults.credentials.create(first, {
        auth: {
          type: "environment_variable",
          secret_name: second,
          secret_value: secret,
          networking: hosts.length ? { type: "limited", allowed_hosts: hosts } : { type: "unrestricted" },
        },
      });
      out(credential.id);
      return 0;
    }
    default:
      throw new UsageError(`unknown: corral vaults ${verb ?? ""}`);
  }
}

async function keys([verb, ...args]: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: "string" } },
  });
  const bus = await connectNats();
  try {
    const kv = await openKeyBucket(bus);
    if (verb === "create") {
      const { key, record } = await createApiKey(kv, values.name ?? "cli");
      out(key);
      process.stderr.write(`created ${record.id} (${record.name}); the key is shown only this once\n`);
      return 0;
    }
    if (verb === "ls") {
      for (const k of await listApiKeys(kv))
        out(
          `${k.id}  ${k.hint}…  ${k.name}  ${when(k.created_at)}${k.revoked_at ? `  revoked ${when(k.revoked_at)}` : ""}`,
        );
      return 0;
    }
    if (verb === "revoke" && positionals[0]) {
      out(`revoked ${(await revokeApiKey(kv, positionals[0])).id}`);
      return 0;
    }
    throw new UsageError("usage: corral keys create [--name NAME] | ls | revoke ID");
  } finally {
    await bus.close();
  }
}

/** The key `corral up` prints: the one in .corral/api-key while it is still valid, else a new one. */
async function localKey(): Promise<string> {
  const bus = await connectNats();
  try {
    const kv = await openKeyBucket(bus);
    const existing = apiTarget(root, {}).key;
    const live = await watchApiKeys(kv);
    const valid = existing && live.check(existing);
    live.stop();
    if (valid) return existing;
    const { key } = await createApiKey(kv, "corral up");
    mkdirSync(dirname(keyFile(root)), { recursive: true });
    writeFileSync(keyFile(root), `${key}\n`, { mode: 0o600 });
    return key;
  } finally {
    await bus.close();
  }
}

async function bringUp(): Promise<number> {
  const demo = !process.env.ANTHROPIC_API_KEY;
  const model = demo ? await startDemoModel() : null;
  const harnessEnv: Record<string, string> = model
    ? { ANTHROPIC_API_KEY: "demo", ANTHROPIC_BASE_URL: model.url }
    : {
        ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY!,
        ...(process.env.ANTHROPIC_BASE_URL ? { ANTHROPIC_BASE_URL: process.env.ANTHROPIC_BASE_URL } : {}),
      };
  const stack = await up({ root, natsUrl, natsPort, env: { harness: harnessEnv } }, logger);
  const key = await localKey();
  const api = await waitForApi();
  out(
    [
      "",
      "Corral is up.",
      `  API:       ${target.url}  ${api ? "" : "(not answering yet; see the gateway's log)"}`,
      `  API key:   ${key}  (saved in .corral/api-key; more with: corral keys create)`,
      `  NATS:      ${stack.natsUrl}  (JetStream data in .corral/nats unless NATS_URL was given)`,
      `  services:  ${SERVICES.join(", ")}`,
      demo
        ? `  model:     no ANTHROPIC_API_KEY, so a scripted demo model answers (${model!.url})`
        : "  model:     Anthropic API",
      `  try:       npm run corral -- run "list the files in the workspace"`,
      `             curl -s -H "x-api-key: $(cat .corral/api-key)" ${target.url}/v1/sessions`,
      "             examples/curl/session.sh, examples/python/",
      "  stop:      Ctrl-C",
      "",
    ].join("\n"),
  );
  const shutdown = async () => {
    await stack.stop();
    await model?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  if (demo && process.env.CORRAL_DEMO !== "0" && api) await demoTask(key);
  return new Promise<number>(() => undefined); // runs until a signal
}

async function waitForApi(): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`${target.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await sleep(500);
  }
  return false;
}

/** In demo mode, one short task end to end through the API, so the first run shows every layer working. */
async function demoTask(key: string): Promise<void> {
  out("demo task:");
  const client = apiClient({ url: target.url, key });
  await runTask(
    client,
    "Say hello from a Corral sandbox",
    { agentName: "corral-demo", model: "demo", environmentName: "corral-default" },
    (line) => out(`  ${line}`),
  ).catch((err: unknown) => out(`  demo task failed: ${explain(err, target)}`));
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "up":
      return bringUp();
    case "run":
      return run(args);
    case "sessions":
      return sessions(args);
    case "agents":
    case "environments":
      return records(command, args);
    case "keys":
      return keys(args);
    case "vaults":
      return vaults(args);
    default:
      throw new UsageError(command ? `unknown command ${command}` : "");
  }
}

await main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message ? `${error.message}\n` : ""}${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${explain(error, target)}\n`);
    process.exit(1);
  },
);
