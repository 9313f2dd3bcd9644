import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { mkdir } from "node:fs/promises";
import { chromium, type Browser, type Page, type Request } from "playwright-core";
import { STORE_RPC } from "@corral/protocol";
import { request } from "@corral/bus";
import {
  lastUserText,
  requestBlocks,
  systemText,
  toolResultsIn,
  type ReceivedRequest,
  type ScriptedModel,
  type ScriptedReply,
  waitFor,
} from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";
import { startCredentialProxy } from "@corral/credential-proxy/testing";

// The web console in Debian's chromium (playwright-core) against the real stack: nats-server, the store, a
// harness, a sandbox-manager with Docker and the gateway serving the built console. Only the model is scripted.
// CORRAL_CONSOLE_SHOTS=<dir> also writes screenshots there and measures a 10,000-event session (printed).
const SHOTS = process.env.CORRAL_CONSOLE_SHOTS;

let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;
/** The key the page signed in with (a restarted gateway's helper makes a key of its own). */
let signedInWith = "";
let credentials: { close(): Promise<void> };
const SECRET = `sk-live-${Date.now()}-canary`;
let browser: Browser;
let page: Page;
const requests: Request[] = [];

const say = (text: string, chunkDelayMs = 0): ScriptedReply => ({
  type: "message",
  chunkDelayMs,
  content: [{ type: "text", text }],
});

/** Threads' agents answer by their system prompt, whatever order their requests come in. */
function byRole(req: ReceivedRequest): ScriptedReply {
  if (systemText(req) === "console:helper") return say("helper reporting: the sub-task is done");
  const lead = systemText(req);
  if (lead !== "console:lead" && lead !== "console:lead-share")
    return { type: "error", status: 400, message: "no program" };
  // The sharing lead provisions a sandbox and shares it with its thread (a handoff in both logs).
  const sandbox = lead === "console:lead-share" ? "share" : "fresh";
  if (toolResultsIn(req).length === 0)
    return {
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "start_thread",
          input: { agent: "helper", task: "do the sub-task", sandbox },
        },
      ],
    };
  const replied = requestBlocks(req).some(
    (b) => b.type === "text" && String(b.text).startsWith("Reply from thread"),
  );
  return say(replied ? "the helper thread reported back" : "waiting for my thread");
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${gw.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "x-api-key": gw.key, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const shot = async (name: string) => {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
};

let envId: string;
let mainAgent: string;
let leadAgent: string;
let sharingLead: string;
/** The test sandbox-manager's `CORRAL_HOST_ID`, which the sandboxes panel names. */
let hostId: string;

beforeAll(async () => {
  stack = await startBrainStack({}, async (natsUrl) => {
    const manager = await startManager(natsUrl, { warmPool: 0 });
    hostId = manager.config.hostId;
    return manager;
  });
  model = stack.model;
  model.setFallback(byRole);
  gw = await startGateway(stack.nats.url);
  credentials = await startCredentialProxy(stack.nats.url);
  const vault = await api<{ id: string }>("/v1/vaults", { display_name: "payments" });
  await api(`/v1/vaults/${vault.id}/credentials`, {
    display_name: "stripe",
    auth: {
      type: "environment_variable",
      secret_name: "STRIPE_KEY",
      secret_value: SECRET,
      networking: { type: "limited", allowed_hosts: ["api.stripe.com"] },
    },
  });
  envId = (await api<{ id: string }>("/v1/environments", { name: `console-${Date.now()}` })).id;
  mainAgent = (
    await api<{ id: string }>("/v1/agents", {
      name: "console-agent",
      model: "claude-test",
      system: "console:main",
      tools: [
        {
          type: "agent_toolset_20260401",
          configs: [{ name: "bash", permission_policy: { type: "always_ask" } }],
        },
        {
          type: "custom",
          name: "lookup_weather",
          description: "Looks up the weather",
          input_schema: { type: "object", properties: { city: { type: "string" } } },
        },
      ],
    })
  ).id;
  const helper = await api<{ id: string }>("/v1/agents", {
    name: "helper",
    model: "claude-test",
    system: "console:helper",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  const coordinator = async (name: string, system: string) =>
    (
      await api<{ id: string }>("/v1/agents", {
        name,
        model: "claude-test",
        system,
        tools: [{ type: "agent_toolset_20260401" }],
        multiagent: { type: "coordinator", agents: [helper.id] },
      })
    ).id;
  leadAgent = await coordinator("lead", "console:lead");
  sharingLead = await coordinator("coordinator-share", "console:lead-share");
  if (SHOTS) await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1366, height: 820 } });
  page.on("request", (r) => requests.push(r));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await credentials?.close();
  await gw?.close();
  await stack?.close();
  await removeTestContainers();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await page.screenshot({ path: `/tmp/console-fail-${Date.now()}.png` });
});

const lastOf = (type: string) => page.locator(`li.event[data-type="${type}"]`).last();

async function sendMessage(text: string) {
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/** Waits for the idle that follows the newest event of `type` in the timeline (run in the page). */
async function idleAfter(type: string) {
  await page.waitForFunction((t) => {
    const dom = globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Row> } };
    const rows = [...dom.document.querySelectorAll("li.event")].map((r) => r.dataset.type);
    const at = rows.lastIndexOf(t);
    return at >= 0 && rows.slice(at).includes("session.status_idle");
  }, type);
}
interface Timing {
  name: string;
  duration: number;
}
interface Row {
  dataset: Record<string, string | undefined>;
}

test("sign in, start a session, watch it stream to idle, confirm a tool call, answer a custom tool, interrupt a run, archive", async () => {
  await page.goto(`${gw.url}/`);
  signedInWith = gw.key;
  await page.getByLabel("API key").fill(signedInWith);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Sessions" }).waitFor();

  await page.getByRole("button", { name: "New session" }).click();
  await page.getByLabel("Agent").selectOption(mainAgent);
  await page.getByLabel("Environment").selectOption(envId);
  await page.getByLabel("Title").fill("console e2e");
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/#\/sessions\/sesn_/);
  const sessionId = /sesn_[A-Za-z0-9]+/.exec(page.url())![0];
  await page.getByText("live", { exact: true }).waitFor();

  // The answer streams in (a draft row grows) and is then the stored message, in the same place.
  const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
  model.script(say(`Hello from the scripted model: ${words}`, 40));
  await sendMessage("hello");
  await page.locator("li[data-draft]").waitFor();
  await lastOf("agent.message").getByText("Hello from the scripted model").waitFor();
  await idleAfter("agent.message");
  expect(await page.locator("li[data-draft]").count()).toBe(0);
  expect(await lastOf("session.status_idle").locator(".stop-reason").textContent()).toBe("end_turn");
  await page.getByTestId("session-status").getByText("idle").waitFor();

  // A bash call that asks first: Allow runs it in a sandbox, the result and the answer follow.
  model.script(
    {
      type: "message",
      content: [{ type: "tool_use", name: "bash", input: { command: "echo confirmed-run" } }],
    },
    (req) => say(`the command said ${lastUserText(req).trim().split("\n").at(-1)}`),
  );
  await sendMessage("run the command");
  await page.getByRole("button", { name: "Allow" }).waitFor();
  await shot("confirmation");
  await page.getByRole("button", { name: "Allow" }).click();
  await lastOf("agent.tool_result").getByText("confirmed-run").waitFor({ timeout: 60_000 });
  await lastOf("agent.message").getByText("the command said confirmed-run").waitFor();
  await idleAfter("agent.message");
  expect(await page.getByRole("button", { name: "Allow" }).count()).toBe(0);

  // A custom tool: the page sends its result, the agent goes on with it.
  model.script(
    { type: "message", content: [{ type: "tool_use", name: "lookup_weather", input: { city: "Oslo" } }] },
    (req) => say(`the weather is ${lastUserText(req).trim()}`),
  );
  await sendMessage("weather in Oslo?");
  await page.getByLabel("custom tool result").fill("sunny");
  await page.getByRole("button", { name: "Send result" }).click();
  await lastOf("agent.message").getByText("the weather is sunny").waitFor();
  await idleAfter("agent.message");

  // A run that waits on the model, interrupted from the page.
  model.script({ type: "hang" });
  const before = model.requests.length;
  await sendMessage("think for a long time");
  await model.waitForRequests(before + 1);
  await page.getByRole("button", { name: "Interrupt" }).click();
  await lastOf("user.interrupt").waitFor();
  await idleAfter("user.interrupt");
  // Tokens and time of each model request, as bars.
  await page.getByText(/Model requests: \d+ in view/).click();
  const bars = page.getByRole("img", { name: "tokens per model request" }).locator("rect");
  expect(await bars.count()).toBeGreaterThanOrEqual(5);
  await shot("session");

  // Archived from the page: the session says so, and the composer is closed.
  await page.getByRole("button", { name: "Archive…" }).click();
  await page.getByRole("button", { name: "Confirm archive" }).click();
  await page.getByText("archived", { exact: true }).first().waitFor();
  await waitFor(() => page.getByLabel("Message").isDisabled(), { timeoutMs: 10_000 });

  // Every event of the log is on the page, once, in order.
  await waitFor(
    async () => {
      const { data } = await api<{ data: Array<{ seq: number }> }>(
        `/v1/sessions/${sessionId}/events?limit=1000`,
      );
      const shown = await page
        .locator("li.event")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-seq")));
      return JSON.stringify(shown) === JSON.stringify(data.map((e) => String(e.seq)));
    },
    { timeoutMs: 10_000, message: "the timeline does not hold the log's events in order" },
  );
}, 90_000);

test("a coordinator's thread is listed and opens its own timeline", async () => {
  const session = await api<{ id: string }>("/v1/sessions", {
    agent: leadAgent,
    environment_id: envId,
    title: "threads",
  });
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  await page.getByText("live", { exact: true }).waitFor();
  await sendMessage("split the work");
  await lastOf("agent.message").getByText("the helper thread reported back").waitFor({ timeout: 60_000 });
  await page.getByRole("complementary", { name: "threads" }).getByRole("link", { name: "helper" }).click();
  await page.waitForURL(/\/threads\/sthr_/);
  await lastOf("agent.message").getByText("helper reporting: the sub-task is done").waitFor();
  await page.getByRole("heading", { name: /Thread helper/ }).waitFor();
  await shot("thread");
  // A thread's timeline jumps on its own log.
  await page.getByLabel("Jump to #").fill("1");
  await page.keyboard.press("Enter");
  await page.locator('li[data-seq="1"].focused').waitFor();
  await page.getByText("at #1").waitFor();
}, 90_000);

/** Appends `count` agent messages straight to a session's log (as a harness would), in batches of 1000. */
async function appendMessages(sessionId: string, count: number) {
  for (let from = 0; from < count; from += 1000)
    await request(stack.bus, STORE_RPC.eventsAppend, {
      session_id: sessionId,
      events: Array.from({ length: Math.min(1000, count - from) }, (_, i) => ({
        type: "agent.message" as const,
        content: [{ type: "text" as const, text: `event ${from + i}: ${"lorem ipsum ".repeat(8)}` }],
      })),
    });
}

test("a long log opens at its end and loads earlier pages as the reader scrolls up, keeping their place", async () => {
  const session = await api<{ id: string }>("/v1/sessions", { agent: mainAgent, environment_id: envId });
  await appendMessages(session.id, 450);
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  await page.locator('li[data-seq="449"]').waitFor();
  expect(await page.locator("li.event").count()).toBe(200);

  const timeline = page.getByLabel("timeline");
  await timeline.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
  await page.locator('li[data-seq="249"]').waitFor();
  // The row that was at the top is still in view: the page did not jump to the newly loaded events.
  const box = (await timeline.boundingBox())!;
  const row = (await page.locator('li[data-seq="250"]').boundingBox())!;
  expect(row.y).toBeGreaterThanOrEqual(box.y - row.height);
  expect(row.y).toBeLessThan(box.y + box.height);

  // Up to the first event, by scrolling alone.
  await waitFor(
    async () => {
      if ((await page.getByText("start of the log").count()) > 0) return true;
      await timeline.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
      return false;
    },
    { timeoutMs: 20_000, intervalMs: 200, message: "scrolling up did not reach the start of the log" },
  );
  const seqs = await page
    .locator("li.event")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-seq")));
  expect(seqs).toEqual(Array.from({ length: 450 }, (_, i) => String(i)));
});

test("paging far back keeps at most 2,000 rows on the page, and the newer ones come back from memory", async () => {
  const session = await api<{ id: string }>("/v1/sessions", { agent: mainAgent, environment_id: envId });
  await appendMessages(session.id, 2300);
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  await page.locator('li[data-seq="2299"]').waitFor();
  const timeline = page.getByLabel("timeline");
  await waitFor(
    async () => {
      if ((await page.getByText("start of the log").count()) > 0) return true;
      await timeline.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
      return false;
    },
    { timeoutMs: 60_000, intervalMs: 100, message: "scrolling up did not reach the start of the log" },
  );
  const seqsOnPage = () =>
    page.locator("li.event").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-seq"))));
  expect(await seqsOnPage()).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  while ((await page.getByRole("button", { name: /Show newer events/ }).count()) > 0)
    await page.getByRole("button", { name: /Show newer events/ }).click();
  const end = await seqsOnPage();
  expect(end).toHaveLength(2000);
  expect(end.at(-1)).toBe(2299);
}, 90_000);

const seqsShown = () =>
  page.locator("li.event").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-seq"))));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("jump to a position: the window around it, earlier pages up, later pages down to the live end", async () => {
  const session = await api<{ id: string }>("/v1/sessions", { agent: mainAgent, environment_id: envId });
  await appendMessages(session.id, 1200);
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  await page.locator('li[data-seq="1199"]').waitFor();
  await page.getByText("live", { exact: true }).waitFor();
  const eventRequests = () =>
    requests.filter((r) => r.url().includes(`/v1/sessions/${session.id}/events?`)).map((r) => r.url());
  const before = eventRequests().length;

  // A position past the end is refused by the API: the page says so and keeps what it shows.
  await page.keyboard.press("g");
  await page.getByLabel("Jump to #").fill("5000");
  await page.keyboard.press("Enter");
  await page.getByText(/out of range/).waitFor();
  expect((await seqsShown()).at(-1)).toBe(1199);

  // From the keyboard: g focuses the control, Enter jumps; the row is marked and in view.
  await page.getByLabel("timeline").focus();
  await page.keyboard.press("g");
  await page.keyboard.type("300");
  await page.keyboard.press("Enter");
  const target = page.locator('li[data-seq="300"]');
  await target.and(page.locator(".focused")).waitFor();
  expect(await target.getAttribute("aria-current")).toBe("location");
  await page.getByText("not live", { exact: true }).waitFor();
  await page.getByText("at #300").waitFor();
  expect(await seqsShown()).toEqual(range(200, 399));
  const box = (await page.getByLabel("timeline").boundingBox())!;
  const row = (await target.boundingBox())!;
  expect(row.y).toBeGreaterThanOrEqual(box.y);
  expect(row.y + row.height).toBeLessThanOrEqual(box.y + box.height);
  // Two positional requests, not the log from its start.
  const jumped = eventRequests().slice(before);
  expect(jumped.some((u) => u.includes("position=300") && u.includes("order=asc"))).toBe(true);
  expect(jumped.some((u) => u.includes("position=299") && u.includes("order=desc"))).toBe(true);

  // Up: the page before the window.
  const timeline = page.getByLabel("timeline");
  await timeline.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
  await page.locator('li[data-seq="199"]').waitFor();
  expect(await seqsShown()).toEqual(range(0, 399));

  // Down: later pages, one at a time, until the window reaches the end and follows it live again.
  await waitFor(
    async () => {
      if ((await page.getByText("live", { exact: true }).count()) > 0) return true;
      await timeline.evaluate((el) => {
        const box = el as unknown as { scrollTop: number; scrollHeight: number };
        box.scrollTop = box.scrollHeight;
      });
      return false;
    },
    { timeoutMs: 60_000, intervalMs: 200, message: "scrolling down did not reach the live end" },
  );
  expect(await seqsShown()).toEqual(range(0, 1199));
  await appendMessages(session.id, 2);
  await page.locator('li[data-seq="1201"]').waitFor();
  expect(await seqsShown()).toEqual(range(0, 1201));

  // And back to the live end from a jump, by the button.
  await page.getByLabel("Jump to #").fill("10");
  await page.getByRole("button", { name: "Go" }).click();
  await page.locator('li[data-seq="10"].focused').waitFor();
  expect(await seqsShown()).toEqual(range(0, 109));
  await shot("jump");
  await page.getByRole("button", { name: "Back to the live end" }).click();
  await page.locator('li[data-seq="1201"]').waitFor();
  await page.getByText("live", { exact: true }).waitFor();
  expect(await seqsShown()).toEqual(range(1002, 1201));
}, 120_000);

test("the model's thinking is a folded row", async () => {
  const session = await api<{ id: string }>("/v1/sessions", { agent: mainAgent, environment_id: envId });
  await request(stack.bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [
      { type: "agent.thinking" as const },
      { type: "agent.message" as const, content: [{ type: "text" as const, text: "after thinking" }] },
    ],
  });
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  const row = lastOf("agent.thinking");
  await row.waitFor();
  const fold = row.locator("details");
  expect(await fold.getAttribute("open")).toBeNull();
  const note = row.getByText("the API keeps only that it did");
  expect(await note.isVisible()).toBe(false);
  await row.getByText("thinking", { exact: true }).click();
  await note.waitFor();
  expect(await fold.getAttribute("open")).not.toBeNull();
});

test("the sandboxes panel shows the sandbox's host, which thread holds it, since when, and the handoff", async () => {
  const session = await api<{ id: string }>("/v1/sessions", {
    agent: sharingLead,
    environment_id: envId,
    title: "shared hands",
  });
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  const panel = page.getByRole("region", { name: "sandboxes" });
  await panel.getByText(/No sandbox yet/).waitFor();
  await page.getByText("live", { exact: true }).waitFor();
  await sendMessage("split the work, share your sandbox");
  await lastOf("agent.message").getByText("the helper thread reported back").waitFor({ timeout: 90_000 });
  const handoffs = await api<{ data: { sandbox_id: string }[] }>(
    `/v1/sessions/${session.id}/events?types[]=span.sandbox_handoff`,
  );
  const sandboxId = handoffs.data[0]!.sandbox_id;
  expect(sandboxId).toMatch(/^sbx_/);
  const sandbox = panel.locator(`li[data-sandbox="${sandboxId}"]`);
  await sandbox
    .locator('li[data-holder="primary"]')
    .getByText(/provisioned, \d+\w* ago/)
    .waitFor();
  const host = sandbox.locator("[data-host]");
  await host.getByText(hostId, { exact: true }).waitFor();
  expect(await host.getAttribute("data-host")).toBe(hostId);
  expect((await host.innerText()).trim()).toBe(`on host ${hostId}`);
  const thread = sandbox.locator('li[data-holder^="sthr_"]');
  await thread.getByRole("link", { name: "helper" }).waitFor();
  await thread.getByText(/share from primary/).waitFor();
  await sandbox.getByText(/share: primary thread → helper/).waitFor();
  await shot("sandboxes");
  // The thread's page shows the same hands.
  await thread.getByRole("link", { name: "helper" }).click();
  await page.waitForURL(/\/threads\/sthr_/);
  await page.getByRole("region", { name: "sandboxes" }).locator(`li[data-sandbox="${sandboxId}"]`).waitFor();
}, 120_000);

test("the health page shows each service's replicas, runs, wakes and the sandbox pool as the API gathers them", async () => {
  interface Health {
    services: { service: string; replicas: number }[];
    sessions_running: number | null;
    wakes_pending: number | null;
    sandboxes: { warm: number | null; starting: number | null; busy: number | null };
  }
  const health = await api<Health>("/v1/corral/health");
  for (const s of health.services) expect(s.replicas, s.service).toBeGreaterThanOrEqual(1);
  expect(health.wakes_pending).toEqual(expect.any(Number));
  expect(health.sessions_running).toEqual(expect.any(Number));
  expect(health.sandboxes.busy).toEqual(expect.any(Number));
  await page.goto(`${gw.url}/#/health`);
  for (const s of health.services)
    await page.locator(`tr[data-service="${s.service}"]`).getByText(`${s.replicas} up`).waitFor();
  const figure = (name: string) => page.locator(`dd[data-figure="${name}"]`).textContent();
  await waitFor(
    async () => {
      const now = await api<Health>("/v1/corral/health");
      const shown = [
        await figure("sandboxes_busy"),
        await figure("sandboxes_warm"),
        await figure("wakes_pending"),
      ];
      return (
        JSON.stringify(shown) ===
        JSON.stringify([now.sandboxes.busy, now.sandboxes.warm, now.wakes_pending].map(String))
      );
    },
    { timeoutMs: 20_000, message: "the health page's figures are not the API's" },
  );
  await page.getByRole("img", { name: "sandbox pool over time" }).waitFor();
  await waitFor(
    async () => (await page.locator(".pool-chart polyline.busy").getAttribute("points"))!.includes(" "),
    {
      timeoutMs: 20_000,
      message: "the pool plot did not gather a second sample",
    },
  );
  await shot("health-pool");
});

test("the gateway restarts under an open session: the page resumes from its last event, nothing missed or twice", async () => {
  const session = await api<{ id: string }>("/v1/sessions", { agent: mainAgent, environment_id: envId });
  await appendMessages(session.id, 5);
  await page.goto(`${gw.url}/#/sessions/${session.id}`);
  await page.locator('li[data-seq="4"]').waitFor();
  await page.getByText("live", { exact: true }).waitFor();
  const port = Number(new URL(gw.url).port);
  await gw.close();
  try {
    await page.getByText("not live", { exact: true }).waitFor();
    await appendMessages(session.id, 5);
  } finally {
    // Whatever happened meanwhile, the tests after this one find a gateway.
    gw = await startGateway(stack.nats.url, { port });
  }
  await page.locator('li[data-seq="9"]').waitFor({ timeout: 30_000 });
  await appendMessages(session.id, 5);
  await page.locator('li[data-seq="14"]').waitFor();
  const seqs = await page
    .locator("li.event")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-seq")));
  expect(seqs).toEqual(Array.from({ length: 15 }, (_, i) => String(i)));
}, 120_000); // a browser, a gateway restart and its reconnection on a loaded host: a deadline, not a speed

test("lists agents, environments and vaults, and the health page", async () => {
  for (const [hash, text] of [
    ["agents", "console-agent"],
    ["environments", "console-"],
    ["vaults", "STRIPE_KEY"],
    ["health", "sessions idle"],
    ["sessions", "threads"],
  ] as const) {
    await page.goto(`${gw.url}/#/${hash}`);
    await page.getByText(text).first().waitFor();
    await shot(hash);
  }
  // An agent's versions side by side.
  await api(`/v1/agents/${leadAgent}`, { description: "now with a description", version: 1 });
  await page.goto(`${gw.url}/#/agents`);
  await page.getByRole("link", { name: "lead" }).click();
  await page.getByRole("columnheader", { name: "version 2" }).waitFor();
  await page.getByRole("columnheader", { name: "version 1" }).waitFor();
  await page.getByText("now with a description").waitFor();
  await shot("agent-versions");

  await page.goto(`${gw.url}/#/vaults`);
  await page.getByText("api.stripe.com").waitFor();
  expect(await page.content()).not.toContain(SECRET);
  await page.goto(`${gw.url}/#/sessions`);
  // Filters: archived sessions on request, search by title.
  await page.getByLabel("include archived").check();
  await page.getByLabel("Search").fill("console e2e");
  await page.getByRole("link", { name: "console e2e" }).waitFor();
  expect(await page.getByRole("link", { name: "threads", exact: true }).count()).toBe(0);
});

test("the key never appears in a URL the page requested, and travels only in x-api-key", () => {
  expect(requests.length).toBeGreaterThan(10);
  expect(signedInWith).not.toBe("");
  for (const r of requests) expect(r.url()).not.toContain(signedInWith);
  const api = requests.filter((r) => new URL(r.url()).pathname.startsWith("/v1/"));
  expect(api.length).toBeGreaterThan(0);
  for (const r of api) {
    expect(r.headers()["x-api-key"]).toBe(signedInWith);
    expect(r.headers().authorization).toBeUndefined();
  }
});

test.runIf(SHOTS)(
  "measure: opening a session of 10,000 events",
  async () => {
    const session = await api<{ id: string }>("/v1/sessions", { agent: mainAgent, environment_id: envId });
    await appendMessages(session.id, 10_000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      await page.goto(`${gw.url}/#/sessions`);
      await page.getByRole("heading", { name: "Sessions" }).waitFor();
      const started = Date.now();
      await page.goto(`${gw.url}/#/sessions/${session.id}`);
      await page.locator('li[data-seq="9999"]').waitFor();
      times.push(Date.now() - started);
    }
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const heap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `console: session of 10,000 events: last event shown in ${sorted[1]} ms (median of 3: ${times.join(", ")} ms); ` +
        `JS heap ${(heap / 1024 / 1024).toFixed(1)} MiB after GC (${await page.locator("li.event").count()} events rendered)`,
    );
    await shot("long-session");

    // The whole log, paged back by scrolling: every event rendered (the timeline keeps them all).
    const timeline = page.getByLabel("timeline");
    const started = Date.now();
    await waitFor(
      async () => {
        if ((await page.getByText("start of the log").count()) > 0) return true;
        await timeline.evaluate((el) => ((el as unknown as { scrollTop: number }).scrollTop = 0));
        return false;
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    const scrolledMs = Date.now() - started;
    const pageFetchMs = await page.evaluate(() => {
      const perf = (globalThis as unknown as { performance: { getEntriesByType(t: string): Timing[] } })
        .performance;
      const pages = perf.getEntriesByType("resource").filter((e) => e.name.includes("/events?"));
      return Math.round(pages.reduce((sum, e) => sum + e.duration, 0) / Math.max(1, pages.length));
    });
    await cdp.send("HeapProfiler.collectGarbage");
    const all = (await cdp.send("Performance.getMetrics")).metrics;
    const fullHeap = all.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
    const nodes = all.find((m) => m.name === "Nodes")?.value ?? 0;
    console.log(
      `console: scrolled back to the first of 10,000 events in ${scrolledMs} ms (50 pages of 200); ` +
        `JS heap ${(fullHeap / 1024 / 1024).toFixed(1)} MiB after GC, ${nodes} DOM nodes ` +
        `(${await page.locator("li.event").count()} events rendered; a page of 200 took ${pageFetchMs} ms to fetch on average)`,
    );
    // The page holds a window of the loaded rows; the newer ones come back from memory, down to the live end.
    expect(await page.locator("li.event").count()).toBeLessThanOrEqual(2000);
    while ((await page.getByRole("button", { name: /Show newer events/ }).count()) > 0)
      await page.getByRole("button", { name: /Show newer events/ }).click();
    await page.locator('li[data-seq="9999"]').waitFor();
  },
  240_000,
);
