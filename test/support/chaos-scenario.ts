import { expect } from "vitest";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { openTypedBucket, request, type Bus } from "@corral/bus";
import { BUCKETS, SANDBOX_RPC, type SessionId } from "@corral/protocol";
import {
  answeredWith,
  runChaos,
  stepCounts,
  stepProgram,
  waitFor,
  type ChaosOptions,
  type NatsServer,
  type Supervised,
} from "@corral/testing";
import { allEvents, newSession, say, send } from "@corral/harness/testing";
import { bashInSession, docker } from "@corral/sandbox-manager/testing";
import { answers, startStack, type Stack } from "./stack.js";

/** Every service supervised as `corral up` runs it, on `nats` (a server or a cluster), and a client. */
export type Scenario = Stack;

const run = promisify(execFile);

export const STEPS = 6;

export async function startScenario(
  nats: NatsServer,
  options: { streamReplicas?: number } = {},
): Promise<Scenario> {
  const stack = await startStack(nats, { ...options, brainLogLevel: "debug", logLevel: "info" });
  stack.model.setFallback(stepProgram(STEPS, [500, 1500]));
  return stack;
}

async function killOneSandbox(bus: Bus, sessions: SessionId[]): Promise<SessionId | null> {
  for (const sid of sessions) {
    const listed = await request(bus, SANDBOX_RPC.list, { session_id: sid }).catch(() => ({ data: [] }));
    const ready = listed.data.find((s) => s.status === "ready");
    if (!ready) continue;
    await docker
      .getContainer(ready.container_id)
      .kill()
      .catch(() => undefined);
    return sid;
  }
  return null;
}

const idsOf = (event: Awaited<ReturnType<typeof allEvents>>[number]): unknown[] =>
  event.type === "agent.tool_use"
    ? [event.id]
    : event.type === "span.sandbox_provision_end"
      ? [event.sandbox_id]
      : [];

/** Every service's whole output, kept under `.corral/chaos/` for a failed run to be read at leisure. */
async function keepOutputs(s: Scenario): Promise<string> {
  const dir = join(".corral", "chaos", new Date().toISOString().replace(/[:.]/g, "-"));
  await mkdir(dir, { recursive: true });
  for (const service of s.services) await writeFile(join(dir, `${service.name}.log`), service.output());
  return `every service's output: ${dir}`;
}

/** What a failed run needs to be understood: a stranded session's last events and every service's last words. */
async function explain(s: Scenario, stranded: SessionId[]): Promise<string> {
  const sid = stranded[0];
  const events = sid ? await allEvents(s.bus, sid).catch(() => []) : [];
  const last = events.slice(-12).map((e) => e.type);
  // Lines about the session, its sandboxes or its tool calls, whichever service wrote them.
  const ids = [sid, ...events.flatMap(idsOf)].filter((id): id is string => typeof id === "string");
  const leases = await openTypedBucket(
    s.bus,
    BUCKETS.leases,
    z.object({ holder: z.string(), expires_at: z.number() }),
  );
  const lease = sid ? await leases.get(sid).catch(() => null) : null;
  const leaseLine = lease
    ? `lease: ${lease.value.holder}, expires in ${lease.value.expires_at - Date.now()} ms`
    : "no lease";
  const about = (service: Supervised) =>
    service
      .output()
      .split("\n")
      .filter((line) => ids.some((id) => line.includes(id)) || line.includes('"level":50'))
      .slice(-30)
      .map((line) => line.slice(0, 400))
      .join("\n");
  const words = s.services.map(
    (service) => `--- ${service.name} (crashed ${service.crashes} times)\n${about(service)}`,
  );
  const kept = await keepOutputs(s);
  return [`stranded ${stranded.length} (${sid}): ${last.join(", ")}`, leaseLine, kept, ...words].join("\n");
}

/** Sessions started at once; resolves when every one answered with its token, or throws with the story. */
async function startSessions(s: Scenario, count: number) {
  const tokens = Array.from({ length: count }, () => `token-${randomBytes(4).toString("hex")}`);
  const sessions = await Promise.all(
    tokens.map(() => newSession(s.bus, { tools: [{ type: "agent_toolset_20260401" }] })),
  );
  await Promise.all(
    sessions.map((sid, i) => send(s.bus, sid, say(`count the steps, then say ${tokens[i]}`))),
  );
  const done = new Set<number>();
  const finished = async (i: number) =>
    answeredWith(await allEvents(s.bus, sessions[i]!).catch(() => []), tokens[i]!);
  const state = { allDone: false };
  const watcher = (async () => {
    while (!state.allDone) {
      await Promise.all(
        sessions.map(async (_, i) => (done.has(i) || !(await finished(i)) ? 0 : done.add(i))),
      );
      state.allDone = done.size === count;
      if (!state.allDone) await sleep(500);
    }
  })();
  const allFinished = async () => {
    await waitFor(() => state.allDone, { timeoutMs: 120_000, intervalMs: 500 }).catch(async () => {
      throw new Error(
        await explain(
          s,
          sessions.filter((_, i) => !done.has(i)),
        ),
      );
    });
    await watcher;
  };
  return { sessions, state, allFinished };
}

/** Every tool use answered once, no step run twice, no tool error but on the killed sandbox's session. */
async function verifySessions(s: Scenario, sessions: SessionId[], sandboxKilled: unknown): Promise<void> {
  for (const [i, sid] of sessions.entries()) {
    const events = await allEvents(s.bus, sid);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, n) => n));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const uses = events.flatMap((e) => (e.type === "agent.tool_use" ? [e.id] : []));
    const results = events.flatMap((e) => (e.type === "agent.tool_result" ? [e] : []));
    expect(results.map((r) => r.tool_use_id).sort()).toEqual([...uses].sort());
    const errors = results.filter((r) => r.is_error).map((r) => JSON.stringify(r.content));
    const provisionErrors = events.flatMap((e) =>
      e.type === "span.sandbox_provision_end" && e.is_error ? [e.error_message] : [],
    );
    const counts = stepCounts(await bashInSession(s.bus, sid, "cat /workspace/count.log"), STEPS);
    expect(Math.max(...counts), `session ${i} ran a step twice: ${counts}`).toBeLessThanOrEqual(1);
    if (sid === sandboxKilled) {
      for (const error of errors) expect(error).toMatch(/sandbox was lost/);
      continue;
    }
    // A restart of any service is a delay, never a tool error, and every step ran exactly once.
    expect(errors, `session ${i}: ${provisionErrors.join("; ")}`).toEqual([]);
    expect(counts, `session ${i}`).toEqual(Array.from({ length: STEPS }, () => 1));
  }
}

/**
 * `count` sessions of several tool calls each on a slow model while every service is SIGKILLed at random
 * moments (and started again), nats-server (or one node of a cluster) is restarted once and one sandbox
 * is killed under its session: every session ends with its own answer, none stranded, nothing twice.
 */
export async function sessionsUnderChaos(
  s: Scenario,
  options: { count: number; chaosMs: number; chaos: Omit<ChaosOptions, "sandboxKill"> },
): Promise<void> {
  const run = await startSessions(s, options.count);
  const chaos = {
    ...options.chaos,
    sandboxKill: { afterMs: 3000, kill: () => killOneSandbox(s.bus, run.sessions) },
  };
  const report = await runChaos(s.services, s.nats, chaos, () => run.state.allDone, options.chaosMs);
  await run.allFinished();
  // The last service the chaos restarted may still be starting: the checks below ask the sandbox-manager.
  await waitFor(
    answers(() => request(s.bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 })),
    { timeoutMs: 60_000 },
  );
  if (options.chaosMs > 0) expect(report).toMatchObject({ natsRestarts: 1, kills: expect.any(Number) });
  if (options.chaosMs > 0) expect(report.kills).toBeGreaterThan(5);
  await verifySessions(s, run.sessions, report.sandboxKilled);
  await expectNoStaleFirewallRules(s);
}

/**
 * Managers SIGKILLed by the chaos could not remove their firewall rule for the proxy port; the next one
 * removes the dead ones' rules when it starts, so every rule left names a live process (its mark ends
 * with `<pid namespace>/<pid> <nonce>`).
 */
async function expectNoStaleFirewallRules(s: Scenario): Promise<void> {
  const { stdout } = await run("iptables", ["-S", "INPUT"]);
  const rules = stdout
    .split("\n")
    .filter((line) => line.includes(`--dport ${s.egressPort} `) && line.includes("corral-sandbox-manager"));
  const owners = rules.map((line) => Number(/\/(\d+) [^" ]+"/.exec(line)?.[1]));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  expect(
    owners.filter((pid) => !alive(pid)),
    rules.join("\n"),
  ).toEqual([]);
}
