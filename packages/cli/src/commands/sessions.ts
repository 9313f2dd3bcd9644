import type Anthropic from "@anthropic-ai/sdk";
import { parseArgs } from "node:util";
import type { SessionEvent } from "@corral/protocol";
import { apiClient } from "../api.js";
import { UsageError, when, type CliContext } from "../context.js";
import { follow } from "../run.js";

interface SessionsCall {
  ctx: CliContext;
  client: Anthropic;
  id: string | undefined;
  limit: number;
  last: number;
}

function needId(call: SessionsCall, verb: string): string {
  if (!call.id) throw new UsageError(`corral sessions ${verb} needs a session id`);
  return call.id;
}

async function list(call: SessionsCall): Promise<void> {
  const page = await call.client.beta.sessions.list({ limit: call.limit });
  for (const s of page.data)
    call.ctx.out(`${s.id}  ${s.status.padEnd(11)}  ${when(s.created_at)}  ${s.title ?? ""}`);
}

async function show(call: SessionsCall): Promise<void> {
  call.ctx.out(JSON.stringify(await call.client.beta.sessions.retrieve(needId(call, "show")), null, 2));
}

/** The last few events, then live from right after them (Last-Event-ID), until the session stops. */
async function tail(call: SessionsCall): Promise<void> {
  const id = needId(call, "tail");
  const events = call.client.beta.sessions.events;
  const recent = (
    await events.list(id, { order: "desc", limit: call.last })
  ).data.reverse() as unknown as SessionEvent[];
  for (const e of recent) call.ctx.out(`${e.seq}\t${e.type}`);
  const after = recent.at(-1)?.seq;
  const stream = await events.stream(
    id,
    {},
    after === undefined ? {} : { headers: { "last-event-id": String(after) } },
  );
  await follow(
    stream,
    call.ctx.out,
    (e) => e.type === "session.status_terminated" || e.type === "session.deleted",
  );
}

async function interrupt(call: SessionsCall): Promise<void> {
  const id = needId(call, "interrupt");
  await call.client.beta.sessions.events.send(id, { events: [{ type: "user.interrupt" }] });
  call.ctx.out(`interrupt sent to ${id}`);
}

async function archive(call: SessionsCall): Promise<void> {
  call.ctx.out(`archived ${(await call.client.beta.sessions.archive(needId(call, "archive"))).id}`);
}

const VERBS = new Map<string, (call: SessionsCall) => Promise<void>>(
  Object.entries({ ls: list, show, tail, interrupt, archive }),
);

/** `corral sessions ls | show ID | tail ID | interrupt ID | archive ID`. */
export async function sessionsCommand(ctx: CliContext, [verb, ...args]: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: "string" }, last: { type: "string" } },
  });
  const run = verb === undefined ? undefined : VERBS.get(verb);
  if (!run) throw new UsageError(`unknown: corral sessions ${verb ?? ""}`);
  await run({
    ctx,
    client: apiClient(ctx.target),
    id: positionals[0],
    limit: Number(values.limit ?? 20),
    last: Number(values.last ?? 20),
  });
  return 0;
}
