import { afterAll, beforeAll, expect, test } from "vitest";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, type SessionEvent } from "@corral/protocol";
import { parseMetrics, sumOf, type Sample } from "@corral/metrics";
import { waitFor, type ScriptedModel, type ServiceProcess } from "@corral/testing";
import { sseFrames } from "@corral/gateway/testing";
import { makeLimitedEnvironment } from "@corral/session-store/testing";
import { SERVICES, startProcessStack, type ProcessStack, type Service } from "./support/process-stack.js";

// Every service as a process with its health server, a real sandbox on Docker, the scripted model behind
// the real SDK: one turn with a tool call (which tries a host the environment does not allow), then each
// service's /metrics is scraped over HTTP and must have moved by what the turn did.
let stack: ProcessStack;
let bus: Bus;
let model: ScriptedModel;
let key: string;
let api: string;
let healthPorts: Record<Service, number>;
let harness: ServiceProcess;

beforeAll(async () => {
  // A short lease: a successor takes a killed harness's session over within seconds.
  stack = await startProcessStack("metrics", {}, { HARNESS_LEASE_TTL_MS: "2000" });
  ({ bus, model, key, api, healthPorts, harness } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function scrape(service: Service): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`http://127.0.0.1:${healthPorts[service]}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  const text = await res.text();
  return { text, samples: parseMetrics(text) };
}

async function scrapeAll(): Promise<Record<Service, Sample[]>> {
  const all = {} as Record<Service, Sample[]>;
  for (const service of SERVICES) all[service] = (await scrape(service)).samples;
  return all;
}

/** How much a series moved between two scrapes of one service. */
const moved = (
  before: Record<Service, Sample[]>,
  after: Record<Service, Sample[]>,
  service: Service,
  name: string,
  labels: Record<string, string> = {},
) => sumOf(after[service], name, labels) - sumOf(before[service], name, labels);

/** Follows the session's stream through the gateway until it idles; resolves with what it saw. */
async function followUntilIdle(sessionId: string, opened: () => void): Promise<SessionEvent[]> {
  const controller = new AbortController();
  const res = await fetch(`${api}/v1/sessions/${sessionId}/events/stream`, {
    headers: { "x-api-key": key },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  opened();
  const seen: SessionEvent[] = [];
  try {
    for await (const frame of sseFrames(res)) {
      if (frame.event === "ping" || !frame.data) continue;
      const event = JSON.parse(frame.data) as SessionEvent;
      seen.push(event);
      if (event.type === "session.status_idle") return seen;
    }
  } finally {
    controller.abort();
  }
  throw new Error(`the stream ended before the session idled: ${seen.map((e) => e.type).join(", ")}`);
}

/** A session of an agent with the built-in tools, in an environment whose sandboxes may reach one host. */
async function toolSession(name: string) {
  const agent = await request(bus, STORE_RPC.agentsCreate, {
    name,
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  const environment = await makeLimitedEnvironment(bus, ["allowed.example"]);
  return request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: environment.id });
}

test("one turn with a tool call moves each service's counters by what it did, with bounded labels and no secret", async () => {
  const session = await toolSession("metrics");
  model.script(
    {
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "bash",
          input: { command: "curl -s -o /dev/null -w 'status %{http_code}' http://blocked.example/" },
        },
      ],
      usage: { input_tokens: 120, output_tokens: 30 },
    },
    {
      type: "message",
      content: [{ type: "text", text: "blocked, as expected" }],
      usage: { input_tokens: 200, output_tokens: 7 },
    },
  );
  const before = await scrapeAll();

  let streaming: Promise<SessionEvent[]> | undefined;
  const open = new Promise<void>((resolve) => (streaming = followUntilIdle(session.id, resolve)));
  await open;
  await waitFor(async () => sumOf((await scrape("gateway")).samples, "corral_gateway_sse_followers") === 1);
  const sent = await fetch(`${api}/v1/sessions/${session.id}/events`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({ events: [{ type: "user.message", content: [{ type: "text", text: "try it" }] }] }),
  });
  expect(sent.status).toBe(200);
  const events = await streaming!;
  const result = events.find((e) => e.type === "agent.tool_result");
  expect(JSON.stringify(result)).toContain("status 403");
  await waitFor(async () => sumOf((await scrape("gateway")).samples, "corral_gateway_sse_followers") === 0);
  const after = await scrapeAll();
  const delta = (service: Service, name: string, labels: Record<string, string> = {}) =>
    moved(before, after, service, name, labels);

  // harness: two model requests (the tool call, then the answer), their tokens, one bash run.
  expect(delta("harness", "corral_harness_model_request_seconds_count", { outcome: "ok" })).toBe(2);
  expect(delta("harness", "corral_harness_model_ttft_seconds_count")).toBe(2);
  expect(delta("harness", "corral_harness_model_tokens_total", { direction: "input" })).toBe(320);
  expect(delta("harness", "corral_harness_model_tokens_total", { direction: "output" })).toBe(37);
  expect(delta("harness", "corral_harness_tool_run_seconds_count", { kind: "builtin", tool: "bash" })).toBe(
    1,
  );
  expect(delta("harness", "corral_harness_wakes_taken_total")).toBeGreaterThanOrEqual(1);
  expect(sumOf(after.harness, "corral_harness_sessions_running")).toBe(0);
  // RPC served time, under subject templates, on the services that served them.
  const served = "corral_rpc_served_seconds_count";
  expect(
    delta("session-store", served, { subject: STORE_RPC.logAppend.subject, code: "OK" }),
  ).toBeGreaterThanOrEqual(1);
  expect(delta("session-store", served, { subject: STORE_RPC.eventsSend.subject, code: "OK" })).toBe(1);
  expect(delta("sandbox-manager", served, { subject: SANDBOX_RPC.execute.subject, code: "OK" })).toBe(1);
  expect(
    delta("session-store", "corral_store_appends_total", { path: "runner", outcome: "ok" }),
  ).toBeGreaterThanOrEqual(1);
  expect(
    delta("session-store", "corral_store_appends_total", { path: "api", outcome: "ok" }),
  ).toBeGreaterThanOrEqual(1);
  expect(delta("session-store", "corral_store_append_seconds_count")).toBeGreaterThanOrEqual(2);
  // sandbox-manager: one cold provision, one sandbox handed out and still held.
  expect(delta("sandbox-manager", "corral_sandbox_provision_seconds_count", { source: "cold" })).toBe(1);
  expect(sumOf(after["sandbox-manager"], "corral_sandbox_pool", { state: "busy" })).toBe(1);
  // credential-proxy: the request to a host the environment does not allow, blocked.
  expect(
    delta("credential-proxy", "corral_egress_requests_total", { kind: "http", outcome: "blocked" }),
  ).toBe(1);
  // gateway: the send and the stream by route template; the stream's follower came and went.
  const route = "/v1/sessions/:session_id/events";
  expect(
    delta("gateway", "corral_gateway_http_requests_total", { method: "POST", route, status: "200" }),
  ).toBe(1);

  for (const service of SERVICES) {
    const { text, samples } = await scrape(service);
    // Node.js's own figures, labelled with the service.
    expect(samples.find((s) => s.name === "process_cpu_user_seconds_total")?.labels.service).toBe(service);
    // Bounded and safe: no session or sandbox id, no key, no URL a request named.
    expect(text).not.toContain(session.id);
    expect(text).not.toContain("sbx_");
    expect(text).not.toContain(key);
    expect(text).not.toContain("blocked.example");
  }
});

test("a scrape of every service answers while the stack is idle, and an unknown path is a 404", async () => {
  for (const service of SERVICES) {
    expect((await scrape(service)).samples.length).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${healthPorts[service]}/nothing`);
    expect(res.status).toBe(404);
  }
});

test("a harness killed mid-turn: its successor counts the lease it took over and the wake it got again", async () => {
  const session = await toolSession("metrics-failover");
  model.script(
    {
      type: "message",
      content: [{ type: "tool_use", name: "bash", input: { command: "sleep 2; echo slept" } }],
    },
    { type: "message", content: [{ type: "text", text: "done" }] },
  );
  const eventsOf = async () =>
    (await request(bus, STORE_RPC.eventsList, { session_id: session.id, limit: 100 })).data;
  await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [{ type: "user.message", content: [{ type: "text", text: "sleep on it" }] }],
  });
  await waitFor(async () => (await eventsOf()).some((e) => e.type === "agent.tool_use"), {
    timeoutMs: 30_000,
  });
  await harness.kill("SIGKILL");
  // The killed replica's wake was never acked: the session-store's gauge sees it in the work queue.
  const pending = async () => sumOf((await scrape("session-store")).samples, "corral_store_wakes_pending");
  expect(await pending()).toBeGreaterThanOrEqual(1);
  harness = await stack.spawnHarness();
  await waitFor(async () => (await eventsOf()).some((e) => e.type === "session.status_idle"), {
    timeoutMs: 60_000,
  });
  const successor = (await scrape("harness")).samples;
  expect(sumOf(successor, "corral_harness_lease_takeovers_total")).toBe(1);
  expect(
    sumOf(successor, "corral_harness_model_request_seconds_count", { outcome: "ok" }),
  ).toBeGreaterThanOrEqual(1);
  // The killed replica's wake comes back once its ack wait is over (the sweep may have woken the session first).
  await waitFor(
    async () => sumOf((await scrape("harness")).samples, "corral_harness_wakes_redelivered_total") >= 1,
    { timeoutMs: 30_000 },
  );
  await waitFor(async () => (await pending()) === 0, { timeoutMs: 30_000 });
});
