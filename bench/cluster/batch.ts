import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Bus } from "@corral/bus";
import type { SessionEvent, SessionId } from "@corral/protocol";
import { answeredWith, worstGapMs } from "@corral/testing";
import { allEvents, newSession, say, send } from "@corral/harness/testing";
import { cpuBetween, sampleCpu, type CpuUse } from "./cpu-usage.js";
import { STEPS } from "./program.js";
import { watchStatus } from "./status-watch.js";

export const BATCH = Number(process.env.BENCH_CLUSTER_SESSIONS ?? 30);
const BATCH_TIMEOUT_MS = Number(process.env.BENCH_CLUSTER_TIMEOUT_MS ?? 120_000);

export interface SessionOutcome {
  id: SessionId;
  /** When its final `session.status_idle` was stored (epoch ms), null if it never finished. */
  idleAt: number | null;
  /** When the session list first showed it idle after its run (epoch ms). */
  listedIdleAt: number | null;
  /** Its longest gap between two consecutive events, and where: `<type> → <type>` and its start (epoch ms). */
  worstGapMs: number;
  worstGapAt: { between: string; startedAt: number } | null;
  /** When each of its events was stored (epoch ms), in log order. */
  times: number[];
  /** Why it was harmed (never finished, a tool error, a tool use without one result), or null. */
  harm: string | null;
}

export interface Batch {
  startedAt: number;
  seconds: number;
  perSecond: number;
  sessions: SessionOutcome[];
  /** CPU used on the machine from the first send until every session finished. */
  cpu: CpuUse;
}

/** What harmed a finished session: a tool error, or tool uses and results that do not pair one to one. */
function harmIn(events: readonly SessionEvent[]): string | null {
  const uses = events.flatMap((e) => (e.type === "agent.tool_use" ? [e.id] : []));
  const results = events.flatMap((e) => (e.type === "agent.tool_result" ? [e] : []));
  const errors = results.filter((r) => r.is_error);
  if (errors.length) return `tool error: ${JSON.stringify(errors[0]!.content).slice(0, 200)}`;
  const paired = results.map((r) => r.tool_use_id).sort();
  if (JSON.stringify(paired) !== JSON.stringify([...uses].sort())) return "tool uses and results differ";
  return null;
}

async function untilFinished(bus: Bus, ids: SessionId[], tokens: string[]): Promise<Set<number>> {
  const done = new Set<number>();
  const deadline = Date.now() + BATCH_TIMEOUT_MS;
  while (done.size < ids.length && Date.now() < deadline) {
    await sleep(1000);
    await Promise.all(
      ids.map(async (sid, i) => {
        if (!done.has(i) && answeredWith(await allEvents(bus, sid).catch(() => []), tokens[i]!)) done.add(i);
      }),
    );
  }
  return done;
}

function whereWorst(events: readonly SessionEvent[]): SessionOutcome["worstGapAt"] {
  let at: SessionOutcome["worstGapAt"] = null;
  for (let i = 1, worst = -1; i < events.length; i++) {
    const [a, b] = [Date.parse(events[i - 1]!.processed_at), Date.parse(events[i]!.processed_at)];
    if (b - a > worst)
      [worst, at] = [b - a, { between: `${events[i - 1]!.type} → ${events[i]!.type}`, startedAt: a }];
  }
  return at;
}

async function outcomeOf(
  bus: Bus,
  id: SessionId,
  finished: boolean,
  listedIdleAt?: number,
): Promise<SessionOutcome> {
  const events = await allEvents(bus, id);
  const last = events.at(-1);
  return {
    id,
    idleAt: finished && last ? Date.parse(last.processed_at) : null,
    listedIdleAt: listedIdleAt ?? null,
    worstGapMs: worstGapMs(events),
    worstGapAt: whereWorst(events),
    times: events.map((e) => Date.parse(e.processed_at)),
    harm: finished ? harmIn(events) : `never finished (last: ${last?.type})`,
  };
}

/**
 * BATCH multi-tool sessions of `steps` tool calls each, started at once; `during` runs alongside (a node
 * loss). Throughput is sessions over the time from the first send to the last `session.status_idle`.
 */
export async function runBatch<T>(
  bus: Bus,
  options: { steps?: number; during?: (ids: SessionId[]) => Promise<T> } = {},
): Promise<[Batch, T | undefined]> {
  const tokens = Array.from({ length: BATCH }, () => `token-${randomBytes(4).toString("hex")}`);
  const agent = { tools: [{ type: "agent_toolset_20260401" as const }] };
  const ids = await Promise.all(tokens.map(() => newSession(bus, agent)));
  const status = watchStatus(bus);
  ids.forEach((id) => status.watch(id));
  const cpuBefore = sampleCpu();
  const startedAt = Date.now();
  const text = (i: number) => `count ${options.steps ?? STEPS} steps, then say ${tokens[i]}`;
  await Promise.all(ids.map((sid, i) => send(bus, sid, say(text(i)))));
  const disruption = options.during?.(ids);
  const done = await untilFinished(bus, ids, tokens);
  const cpu = cpuBetween(cpuBefore, sampleCpu());
  const extra = await disruption;
  const listed = () => ids.every((id, i) => !done.has(i) || status.seenIdle.has(id));
  for (let waited = 0; !listed() && waited < 20_000; waited += 250) await sleep(250);
  await status.stop();
  const sessions = await Promise.all(
    ids.map((id, i) => outcomeOf(bus, id, done.has(i), status.seenIdle.get(id))),
  );
  const lastIdle = Math.max(...sessions.map((s) => s.idleAt ?? Date.now()));
  const seconds = (lastIdle - startedAt) / 1000;
  return [{ startedAt, seconds, perSecond: done.size / seconds, sessions, cpu }, extra];
}
