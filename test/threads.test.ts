import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import Anthropic from "@anthropic-ai/sdk";
import { connectBus, request, type Bus } from "@corral/bus";
import {
  SANDBOX_RPC,
  STORE_RPC,
  THREAD_RPC,
  isCorralError,
  sandboxSubject,
  type SessionEvent,
} from "@corral/protocol";
import {
  requestBlocks,
  startNatsServer,
  startScriptedModel,
  systemText,
  toolResultsIn,
  waitFor,
  type NatsServer,
  type ReceivedRequest,
  type ScriptedReply,
  type ScriptedModel,
  type ServiceProcess,
  busConfigFor,
  taskPublisherUrl,
} from "@corral/testing";
import { startStore, type StoreHarness } from "@corral/session-store/testing";
import { brainPool, say, send, type BrainPool } from "@corral/harness/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";

const STEPS = 4;
const NO_THREAD = `sthr_${"0".repeat(26)}`;

let nats: NatsServer;
let model: ScriptedModel;
let store: StoreHarness;
let hands: Awaited<ReturnType<typeof startManager>>;
let gateway: GatewayUnderTest;
let bus: Bus;
let brains: BrainPool;
const programs = new Map<string, (req: ReceivedRequest) => ScriptedReply>();

// ---- the scripted agents: each is chosen by its system prompt

const resultText = (b: Record<string, unknown>) =>
  (b.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("");
const replies = (req: ReceivedRequest) =>
  requestBlocks(req).filter((b) => b.type === "text" && String(b.text).startsWith("Reply from thread"));
const say_ = (text: string): ScriptedReply => ({ type: "message", content: [{ type: "text", text }] });
const use = (name: string, input: Record<string, unknown>, latencyMs = 30): ScriptedReply => ({
  type: "message",
  latencyMs,
  content: [{ type: "tool_use", name, input }],
});

function dispatch(req: ReceivedRequest): ScriptedReply {
  const program = programs.get(systemText(req));
  if (!program)
    return { type: "error", status: 400, message: `no program for system prompt ${systemText(req)}` };
  return program(req);
}

/** A worker that appends STEPS lines to its workspace, one tool call each, then reports the count. */
function worker(name: string) {
  return (req: ReceivedRequest): ScriptedReply => {
    const k = toolResultsIn(req).length;
    if (k < STEPS)
      return {
        type: "message",
        latencyMs: 150,
        chunkDelayMs: 20,
        content: [
          {
            type: "tool_use",
            name: "bash",
            input: {
              command: `echo ${name}-${k} >> /workspace/work.log; sleep 0.3; wc -l < /workspace/work.log`,
            },
          },
        ],
      };
    return say_(
      `${name} finished with ${resultText(toolResultsIn(req).at(-1)!).trim().split("\n").at(-1)} lines`,
    );
  };
}

// ---- the stack: one store, one sandbox-manager, three harness replicas in their own processes

beforeAll(async () => {
  nats = await startNatsServer();
  model = await startScriptedModel();
  model.setFallback(dispatch);
  store = await startStore(nats.url, { taskIntake: true });
  hands = await startManager(nats.url, { warmPool: 1 });
  gateway = await startGateway(nats.url);
  bus = await connectBus(busConfigFor(nats.url, "admin", "client"));
  brains = brainPool(bus, nats.url, model.url);
  for (let i = 0; i < 3; i++) brains.start();
});

afterAll(async () => {
  await brains.killAll();
  await bus.close();
  await gateway?.close();
  await hands?.close();
  await store?.close();
  await model?.close();
  await removeTestContainers();
  await nats?.stop();
});

async function agent(name: string, system: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (
    await request(bus, STORE_RPC.agentsCreate, {
      name,
      model: "claude-test",
      system,
      tools: [{ type: "agent_toolset_20260401" }],
      ...extra,
    })
  ).id;
}

async function session(agentId: string): Promise<string> {
  const env = await request(bus, STORE_RPC.environmentsCreate, {
    name: `env-${randomBytes(4).toString("hex")}`,
  });
  return (await request(bus, STORE_RPC.sessionsCreate, { agent: agentId, environment_id: env.id })).id;
}

async function events(logId: string): Promise<SessionEvent[]> {
  const out: SessionEvent[] = [];
  for (let from = 0; ; ) {
    const page = await request(bus, STORE_RPC.eventsList, { session_id: logId, from, limit: 1000 });
    out.push(...page.data);
    if (page.next_from === null) return out;
    from = page.next_from;
  }
}

async function untilIdle(logId: string, timeoutMs = 60_000): Promise<SessionEvent[]> {
  let log: SessionEvent[] = [];
  await waitFor(
    async () => {
      log = await events(logId);
      const last = lastStatus(log);
      return last?.type === "session.status_idle" && last.stop_reason.type !== "requires_action";
    },
    { timeoutMs, message: `${logId} did not go idle` },
  ).catch(async (error: unknown) => {
    // Say what the session and its threads did, so a failure can be read without a rerun.
    const threads = logId.startsWith("sesn_")
      ? (await request(bus, THREAD_RPC.list, { session_id: logId })).data
      : [];
    const lines = [logId, ...log.map(brief)];
    for (const t of threads)
      lines.push(`${t.id} (${t.agent.name}, ${t.status})`, ...(await events(t.id)).map(brief));
    throw new Error(`${(error as Error).message}\n${lines.join("\n")}`);
  });
  return log;
}

/** The session's own latest status event (threads' reports may follow it). */
const lastStatus = (log: SessionEvent[]) => log.filter((e) => e.type.startsWith("session.status_")).at(-1);
const brief = (e: SessionEvent) => `  ${e.seq} ${e.type} ${JSON.stringify(e).slice(0, 240)}`;

/** Positions are contiguous and no event was stored twice. */
function expectClean(log: SessionEvent[]): void {
  expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
  expect(new Set(log.map((e) => e.id)).size).toBe(log.length);
}

async function bash(sandboxId: string, command: string, holder?: string) {
  return request(
    bus,
    SANDBOX_RPC.execute,
    {
      sandbox_id: sandboxId,
      tool_use_id: `toolu_${randomBytes(6).toString("hex")}`,
      name: "bash",
      input: { command },
      ...(holder && { holder }),
    },
    { subject: sandboxSubject(sandboxId, "exec") },
  );
}

test("a coordinator fans out to three sub-agents on the harness replicas; one replica is SIGKILLed mid-run and every thread still completes once", async () => {
  const names = ["alpha", "beta", "gamma"];
  const workers = await Promise.all(names.map((n) => agent(n, `worker:${n}`)));
  names.forEach((n) => programs.set(`worker:${n}`, worker(n)));
  const coordinator = await agent("lead", "coordinator:fanout", {
    multiagent: { type: "coordinator", agents: workers },
  });
  programs.set("coordinator:fanout", (req) => {
    if (toolResultsIn(req).length === 0) {
      return {
        type: "message",
        latencyMs: 30,
        content: names.map((n) => ({
          type: "tool_use" as const,
          name: "start_thread",
          input: { agent: n, task: `count for ${n}`, sandbox: "fresh" },
        })),
      };
    }
    const got = replies(req);
    if (got.length < names.length) return say_("waiting for my threads");
    return say_(
      `all threads reported: ${got
        .map((b) => String(b.text).split("\n")[1])
        .sort()
        .join(" | ")}`,
    );
  });
  const sessionId = await session(coordinator);
  await send(bus, sessionId, say("split the work"));

  // Watch where threads run, and SIGKILL a replica that holds one mid-run.
  const seenHolders = new Set<ServiceProcess>();
  let killed: ServiceProcess | null = null;
  await waitFor(
    async () => {
      const { data } = await request(bus, THREAD_RPC.list, { session_id: sessionId });
      for (const t of data) {
        const holder = await brains.holderOf(t.id);
        if (holder) seenHolders.add(holder);
        if (holder && !killed && t.status === "running") {
          const progress = (await events(t.id)).filter((e) => e.type === "agent.tool_result").length;
          if (progress >= 1) {
            killed = holder;
            await holder.kill("SIGKILL");
            brains.start();
          }
        }
      }
      return killed !== null && seenHolders.size >= 2;
    },
    { timeoutMs: 60_000, intervalMs: 50, message: "threads did not spread over replicas" },
  );

  const log = await untilIdle(sessionId, 90_000);
  expectClean(log);
  const final = log.filter((e) => e.type === "agent.message").at(-1);
  expect(
    final?.type === "agent.message" && final.content[0]?.type === "text" ? final.content[0].text : "",
  ).toBe(`all threads reported: ${names.map((n) => `${n} finished with ${STEPS} lines`).join(" | ")}`);
  const created = log.filter((e) => e.type === "session.thread_created");
  expect(created).toHaveLength(3);
  expect(log.filter((e) => e.type === "agent.thread_message_received")).toHaveLength(3);
  // The session stayed running while it waited: one idle, at the end.
  expect(log.filter((e) => e.type === "session.status_idle")).toHaveLength(1);

  const { data: threads } = await request(bus, THREAD_RPC.list, { session_id: sessionId });
  expect(threads.map((t) => t.agent.name).sort()).toEqual(names);
  let threadTokens = 0;
  for (const t of threads) {
    expect(t.status).toBe("idle");
    const tlog = await events(t.id);
    expectClean(tlog);
    // Each line of work.log is one tool effect: exactly STEPS, none twice, even across the kill.
    const sandbox = (await request(bus, SANDBOX_RPC.list, { session_id: sessionId })).data.find(
      (s) => s.holders.includes(t.id) && s.status === "ready",
    )!;
    const lines = (await bash(sandbox.id, "cat /workspace/work.log")).content
      .split("\n")
      .filter((l) => l.startsWith(`${t.agent.name}-`));
    expect(lines).toEqual(Array.from({ length: STEPS }, (_, k) => `${t.agent.name}-${k}`));
    threadTokens += (t.usage?.input_tokens ?? 0) + (t.usage?.output_tokens ?? 0);
  }
  // Usage adds up across threads.
  const record = await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId });
  const usageEvents = log.filter((e) => e.type === "session.usage");
  const own = usageEvents.at(-1)?.type === "session.usage" ? usageEvents.at(-1)! : null;
  const ownTokens = own?.type === "session.usage" ? own.usage.input_tokens + own.usage.output_tokens : 0;
  expect(threadTokens).toBeGreaterThan(0);
  await waitFor(
    async () => {
      const r = await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId });
      return r.usage.input_tokens + r.usage.output_tokens === ownTokens + threadTokens;
    },
    {
      timeoutMs: 10_000,
      message: `session usage ${JSON.stringify(record.usage)} is not the sum of its threads'`,
    },
  );
}, 180_000);

test("a shared sandbox, a transfer and a hand-back keep one workspace; threads use only sandboxes they hold", async () => {
  const sharer = await agent("sharer", "worker:sharer");
  const taker = await agent("taker", "worker:taker");
  programs.set("worker:sharer", (req) => {
    const k = toolResultsIn(req).length;
    if (k === 0)
      return use("bash", { command: "cat /workspace/coord.txt && echo from-sharer > /workspace/shared.txt" });
    return say_(`sharer saw: ${resultText(toolResultsIn(req)[0]!).trim()}`);
  });
  programs.set("worker:taker", (req) => {
    const k = toolResultsIn(req).length;
    if (k === 0) return use("bash", { command: "echo from-taker > /workspace/taken.txt" });
    if (k === 1) return use("return_sandbox", {});
    return say_("taker done");
  });
  const coordinator = await agent("lead2", "coordinator:hands", {
    multiagent: { type: "coordinator", agents: [sharer, { type: "agent", id: taker }] },
  });
  programs.set("coordinator:hands", (req) => {
    const k = toolResultsIn(req).length;
    const r = replies(req).length;
    if (k === 0) return use("bash", { command: "echo from-coordinator > /workspace/coord.txt" });
    if (k === 1)
      return use("start_thread", {
        agent: "sharer",
        task: "read coord.txt, write shared.txt",
        sandbox: "share",
      });
    if (k === 2) return r < 1 ? say_("waiting") : use("bash", { command: "cat /workspace/shared.txt" });
    if (k === 3)
      return use("start_thread", {
        agent: "taker",
        task: "write taken.txt and give the sandbox back",
        sandbox: "transfer",
      });
    if (k === 4)
      return r < 2
        ? say_("waiting")
        : use("bash", { command: "cat /workspace/taken.txt /workspace/coord.txt" });
    return say_("done");
  });
  const sessionId = await session(coordinator);
  await send(bus, sessionId, say("pass the hands"));
  const log = await untilIdle(sessionId, 90_000);
  expectClean(log);

  const results = log
    .filter((e) => e.type === "agent.tool_result")
    .map((e) =>
      e.type === "agent.tool_result"
        ? (e.content ?? []).map((c) => ("text" in c ? c.text : "")).join("")
        : "",
    );
  expect(results.some((t) => t.includes("from-sharer"))).toBe(true);
  expect(results.some((t) => t.includes("from-taker") && t.includes("from-coordinator"))).toBe(true);
  // One sandbox all along: the coordinator never had to provision again.
  const provisioned = log.filter((e) => e.type === "span.sandbox_provision_end");
  expect(provisioned).toHaveLength(1);
  const sandboxId = provisioned[0]!.type === "span.sandbox_provision_end" ? provisioned[0]!.sandbox_id! : "";
  const handoffs = log
    .filter((e) => e.type === "span.sandbox_handoff")
    .map((e) => (e.type === "span.sandbox_handoff" ? `${e.mode}:${e.direction}` : ""));
  expect(handoffs).toEqual(["share:out", "transfer:out", "return:in"]);

  const { data: threads } = await request(bus, THREAD_RPC.list, { session_id: sessionId });
  const sharerThread = threads.find((t) => t.agent.name === "sharer")!;
  const takerThread = threads.find((t) => t.agent.name === "taker")!;
  const sharerLog = await events(sharerThread.id);
  expect(
    sharerLog
      .filter((e) => e.type === "agent.tool_result")
      .map((e) =>
        e.type === "agent.tool_result"
          ? (e.content ?? []).map((c) => ("text" in c ? c.text : "")).join("")
          : "",
      )[0],
  ).toContain("from-coordinator");
  const takerLog = await events(takerThread.id);
  expect(
    takerLog
      .filter((e) => e.type === "span.sandbox_handoff")
      .map((e) => (e.type === "span.sandbox_handoff" ? `${e.mode}:${e.direction}` : "")),
  ).toEqual(["transfer:in", "return:out"]);
  expect(takerLog.some((e) => e.type === "span.sandbox_provision_end")).toBe(false);

  // Who holds it now: the session (given back) and the sharer (still shared); not the taker.
  const record = await request(bus, SANDBOX_RPC.get, { sandbox_id: sandboxId });
  expect(record.holders.sort()).toEqual([sessionId, sharerThread.id].sort());
  const refused = await bash(sandboxId, "echo sneaky >> /workspace/coord.txt", takerThread.id).catch(
    (e: unknown) => e,
  );
  expect(isCorralError(refused, "FORBIDDEN")).toBe(true);
  expect((await bash(sandboxId, "cat /workspace/coord.txt", sessionId)).content).toContain(
    "from-coordinator",
  );
  expect((await bash(sandboxId, "cat /workspace/coord.txt", sessionId)).content).not.toContain("sneaky");
  const handoff = (body: Record<string, unknown>) =>
    request(bus, SANDBOX_RPC.handoff, { sandbox_id: sandboxId, ...body } as never, {
      subject: sandboxSubject(sandboxId, "handoff"),
    }).catch((e: unknown) => e);
  expect(
    isCorralError(
      await handoff({ from: takerThread.id, to: takerThread.id, mode: "share" }),
      "INVALID_REQUEST",
    ),
  ).toBe(true);
  expect(
    isCorralError(
      await handoff({ from: takerThread.id, to: sessionId, mode: "transfer" }),
      "INVALID_REQUEST",
    ),
  ).toBe(false);
  expect(
    isCorralError(await handoff({ from: takerThread.id, to: NO_THREAD, mode: "share" }), "FORBIDDEN"),
  ).toBe(true);

  // Archiving a thread lets go of what it holds, so the sandbox can be reaped once the session lets go too.
  await request(bus, THREAD_RPC.archive, { session_id: sessionId, thread_id: sharerThread.id });
  expect((await request(bus, SANDBOX_RPC.get, { sandbox_id: sandboxId })).holders).toEqual([sessionId]);
}, 120_000);

test("interrupting one thread, then all of them; the coordinator is told and idles", async () => {
  const slow = await agent("slow", "worker:slow");
  programs.set("worker:slow", () => ({ type: "hang" }));
  const coordinator = await agent("lead3", "coordinator:interrupt", {
    multiagent: { type: "coordinator", agents: [slow, { type: "self" }] },
  });
  programs.set("coordinator:interrupt", (req) => {
    if (toolResultsIn(req).length === 0) {
      return {
        type: "message",
        content: [
          { type: "tool_use", name: "start_thread", input: { agent: "slow", task: "one", sandbox: "fresh" } },
          { type: "tool_use", name: "start_thread", input: { agent: "slow", task: "two", sandbox: "fresh" } },
          { type: "tool_use", name: "start_thread", input: { agent: "nobody", task: "three" } },
        ],
      };
    }
    return say_(`waiting, heard ${replies(req).length}`);
  });
  const sessionId = await session(coordinator);
  await send(bus, sessionId, say("start two slow threads"));
  let threads: Awaited<ReturnType<typeof request<typeof THREAD_RPC.list>>>["data"] = [];
  await waitFor(
    async () => {
      threads = (await request(bus, THREAD_RPC.list, { session_id: sessionId })).data;
      return threads.length === 2 && threads.every((t) => t.status === "running");
    },
    { timeoutMs: 30_000, message: "threads did not start" },
  );
  // The third start's refusal is written after the two threads started: wait for it, not just for them.
  const refusedStart = await waitFor(
    async () => (await events(sessionId)).find((e) => e.type === "agent.tool_result" && e.is_error),
    { timeoutMs: 30_000, message: "the refused start was not answered" },
  );
  expect(
    refusedStart?.type === "agent.tool_result" && refusedStart.content?.[0]?.type === "text"
      ? refusedStart.content[0].text
      : "",
  ).toContain("nobody is not one of your agents");

  // The coordinator's turn after the starts (its tool results) is asked before any interrupt: count from it.
  await waitFor(
    () =>
      model.requests.some((r) => systemText(r) === "coordinator:interrupt" && toolResultsIn(r).length > 0),
    { timeoutMs: 30_000, message: "the coordinator was not asked after the starts" },
  );
  // One thread: it stops and reports; the coordinator keeps waiting for the other (replies are taken together).
  const [first, second] = threads as [(typeof threads)[0], (typeof threads)[0]];
  const requestsBefore = model.requests.filter((r) => systemText(r) === "coordinator:interrupt").length;
  await send(bus, sessionId, { type: "user.interrupt", session_thread_id: first.id });
  await waitFor(
    async () =>
      (await request(bus, THREAD_RPC.get, { session_id: sessionId, thread_id: first.id })).status === "idle",
    { timeoutMs: 20_000, message: "thread 1 not interrupted" },
  );
  await waitFor(
    async () =>
      (await events(sessionId)).some(
        (e) => e.type === "agent.thread_message_received" && e.from_session_thread_id === first.id,
      ),
    { timeoutMs: 20_000, message: "thread 1 did not report" },
  );
  expect((await request(bus, THREAD_RPC.get, { session_id: sessionId, thread_id: second.id })).status).toBe(
    "running",
  );
  expect((await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId })).status).toBe("running");

  // Everyone: the other thread stops too, and the session idles without asking the model again.
  await send(bus, sessionId, { type: "user.interrupt" });
  const log = await untilIdle(sessionId, 30_000);
  expectClean(log);
  const idle = lastStatus(log);
  expect(idle?.type === "session.status_idle" ? idle.stop_reason.type : idle?.type).toBe("end_turn");
  await waitFor(
    async () =>
      (await request(bus, THREAD_RPC.get, { session_id: sessionId, thread_id: second.id })).status === "idle",
    { timeoutMs: 20_000, message: "thread 2 not interrupted" },
  );
  await waitFor(
    async () => (await events(sessionId)).filter((e) => e.type === "session.thread_status_idle").length === 2,
    { timeoutMs: 10_000 },
  );
  expect(model.requests.filter((r) => systemText(r) === "coordinator:interrupt").length).toBe(requestsBefore);
}, 90_000);

test("bad input: unknown threads, roster violations, agents that do not coordinate", async () => {
  const plain = await agent("plain", "worker:plain");
  const outsider = await agent("outsider", "worker:outsider");
  const coordinator = await agent("lead4", "coordinator:none", {
    multiagent: { type: "coordinator", agents: [plain] },
  });
  const sessionId = await session(coordinator);
  const plainSession = await session(plain);
  const fail = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );
  const create = (session_id: string, agentRef: string) =>
    request(bus, THREAD_RPC.create, {
      session_id,
      agent: agentRef,
      initial_events: [say("hi")],
      idempotency_key: randomBytes(4).toString("hex"),
    });

  expect(isCorralError(await fail(create(sessionId, outsider)), "INVALID_REQUEST")).toBe(true);
  expect(isCorralError(await fail(create(sessionId, "self")), "INVALID_REQUEST")).toBe(true);
  expect(isCorralError(await fail(create(plainSession, plain)), "INVALID_REQUEST")).toBe(true);
  expect(
    isCorralError(
      await fail(request(bus, THREAD_RPC.get, { session_id: sessionId, thread_id: NO_THREAD })),
      "NOT_FOUND",
    ),
  ).toBe(true);
  expect(
    isCorralError(await fail(request(bus, STORE_RPC.eventsList, { session_id: NO_THREAD })), "NOT_FOUND"),
  ).toBe(true);
  expect(
    isCorralError(
      await fail(send(bus, sessionId, { type: "user.interrupt", session_thread_id: NO_THREAD })),
      "INVALID_REQUEST",
    ),
  ).toBe(true);
  // Nothing was stored by the refused calls.
  expect(await events(sessionId)).toEqual([]);
  expect((await request(bus, THREAD_RPC.list, { session_id: sessionId })).data).toEqual([]);

  // Over HTTP, through the official SDK: the thread routes and their errors.
  const client = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key });
  const page = await client.beta.sessions.threads.list(sessionId);
  expect(page.data).toEqual([]);
  const missing = await client.beta.sessions.threads
    .retrieve(NO_THREAD, { session_id: sessionId })
    .catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  const malformed = await client.beta.sessions.threads
    .retrieve("not-a-thread", { session_id: sessionId })
    .catch((e: unknown) => e);
  expect(malformed).toBeInstanceOf(Anthropic.BadRequestError);
});

test("threads over HTTP: list, retrieve, events and a live stream through the official SDK", async () => {
  const helper = await agent("helper", "worker:helper");
  programs.set("worker:helper", () => say_("helper says hi"));
  const coordinator = await agent("lead5", "coordinator:http", {
    multiagent: { type: "coordinator", agents: [helper] },
  });
  programs.set("coordinator:http", (req) => {
    if (toolResultsIn(req).length === 0)
      return use("start_thread", { agent: "helper", task: "say hi", sandbox: "fresh" });
    return replies(req).length ? say_("helper replied") : say_("waiting");
  });
  const sessionId = await session(coordinator);
  await send(bus, sessionId, say("ask the helper"));
  await untilIdle(sessionId);

  const client = new Anthropic({ baseURL: gateway.url, apiKey: gateway.key });
  const threads = [];
  for await (const t of client.beta.sessions.threads.list(sessionId)) threads.push(t);
  expect(threads).toHaveLength(1);
  const thread = threads[0]!;
  expect(thread.type).toBe("session_thread");
  expect(thread.session_id).toBe(sessionId);
  const got = await client.beta.sessions.threads.retrieve(thread.id, { session_id: sessionId });
  expect(got.status).toBe("idle");
  const threadEvents = [];
  for await (const e of client.beta.sessions.threads.events.list(thread.id, { session_id: sessionId }))
    threadEvents.push(e);
  expect(threadEvents.map((e) => e.type)).toContain("agent.message");
  // The thread's live stream, resumed after its first event.
  const stream = await client.beta.sessions.threads.events.stream(
    thread.id,
    { session_id: sessionId },
    { headers: { "Last-Event-ID": "0" } },
  );
  const streamed: string[] = [];
  for await (const e of stream) {
    streamed.push(e.type);
    if (streamed.length === threadEvents.length - 1) break;
  }
  expect(streamed).toEqual(threadEvents.slice(1).map((e) => e.type));
  const archived = await client.beta.sessions.threads.archive(thread.id, { session_id: sessionId });
  expect(archived.archived_at).not.toBeNull();
  // Deleting the session takes its threads with it.
  await client.beta.sessions.delete(sessionId);
  expect(
    await client.beta.sessions.threads
      .retrieve(thread.id, { session_id: sessionId })
      .catch((e: unknown) => e),
  ).toBeInstanceOf(Anthropic.NotFoundError);
  expect(
    isCorralError(
      await request(bus, STORE_RPC.eventsList, { session_id: thread.id }).catch((e: unknown) => e),
      "NOT_FOUND",
    ),
  ).toBe(true);
  expect(brains.live()).toHaveLength(3);
}, 60_000);

test("a fan-out task published from Python's standard library runs its threads and its answer is read back", async () => {
  const names = ["left", "right"];
  const workers = await Promise.all(names.map((n) => agent(n, `worker:py-${n}`)));
  names.forEach((n) => programs.set(`worker:py-${n}`, () => say_(`${n} half done`)));
  const coordinator = await agent("py-lead", "coordinator:python", {
    multiagent: { type: "coordinator", agents: workers },
  });
  programs.set("coordinator:python", (req) => {
    if (toolResultsIn(req).length === 0)
      return {
        type: "message",
        content: names.map((n) => ({
          type: "tool_use" as const,
          name: "start_thread",
          input: { agent: n, task: `do the ${n} half`, sandbox: "fresh" },
        })),
      };
    const got = replies(req)
      .map((b) => String(b.text).split("\n")[1])
      .sort();
    return say_(got.length < names.length ? "waiting" : `merged: ${got.join(" + ")}`);
  });
  const env = await request(bus, STORE_RPC.environmentsCreate, {
    name: `env-${randomBytes(4).toString("hex")}`,
  });
  const script = fileURLToPath(new URL("../examples/python/fanout_task.py", import.meta.url));
  const { stdout } = await promisify(execFile)(
    "python3",
    [
      script,
      "--nats",
      taskPublisherUrl(nats.url),
      "--task-id",
      `fan-${randomBytes(4).toString("hex")}`,
      "--agent",
      coordinator,
      "--environment",
      env.id,
      "--timeout",
      "60",
      "split it",
    ],
    { timeout: 90_000 },
  );
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as {
    session_id: string;
    threads: Array<{ agent: string; status: string }>;
    replies: string[];
    answer: string;
  };
  expect(result.answer).toBe("merged: left half done + right half done");
  expect(result.threads.map((t) => t.agent).sort()).toEqual(names);
  expect(result.replies.sort()).toEqual(["left half done", "right half done"]);
  expectClean(await events(result.session_id));
}, 120_000);

test("a sub-agent's custom tool call is posted to the session's log and answered there; the thread goes on", async () => {
  const clerk = await agent("clerk", "worker:clerk", {
    tools: [
      {
        type: "custom",
        name: "lookup_price",
        description: "Price of an item",
        input_schema: { type: "object", properties: { item: { type: "string" } } },
      },
    ],
  });
  programs.set("worker:clerk", (req) =>
    toolResultsIn(req).length === 0
      ? use("lookup_price", { item: "apple" })
      : say_(`price is ${resultText(toolResultsIn(req)[0]!)}`),
  );
  const coordinator = await agent("lead6", "coordinator:ask", {
    multiagent: { type: "coordinator", agents: [clerk] },
  });
  programs.set("coordinator:ask", (req) => {
    if (toolResultsIn(req).length === 0)
      return use("start_thread", { agent: "clerk", task: "find the price of an apple", sandbox: "fresh" });
    return replies(req).length
      ? say_(`lead heard: ${String(replies(req)[0]!.text).split("\n")[1]}`)
      : say_("waiting");
  });
  const sessionId = await session(coordinator);
  await send(bus, sessionId, say("what does an apple cost?"));
  const asked = await waitFor(
    async () => (await events(sessionId)).find((e) => e.type === "agent.custom_tool_use"),
    { timeoutMs: 30_000, message: "the clerk's question never reached the session" },
  );
  expect(asked.type === "agent.custom_tool_use" && asked.session_thread_id).toMatch(/^sthr_/);
  expect((await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId })).status).toBe("running");

  const [answer] = await send(bus, sessionId, {
    type: "user.custom_tool_result",
    custom_tool_use_id: asked.id,
    content: [{ type: "text", text: "3 coins" }],
  });
  expect(answer?.type === "user.custom_tool_result" && answer.session_thread_id).toBe(
    asked.type === "agent.custom_tool_use" ? asked.session_thread_id : "",
  );
  const log = await untilIdle(sessionId);
  expectClean(log);
  const final = log.filter((e) => e.type === "agent.message").at(-1);
  expect(JSON.stringify(final)).toContain("lead heard: price is 3 coins");
  const threadLog = await events(asked.type === "agent.custom_tool_use" ? asked.session_thread_id! : "");
  expect(threadLog.filter((e) => e.type === "agent.custom_tool_use").map((e) => e.id)).toEqual([asked.id]);
  expect(threadLog.filter((e) => e.type === "user.custom_tool_result")).toHaveLength(1);
}, 60_000);
