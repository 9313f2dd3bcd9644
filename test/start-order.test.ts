import { afterAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { connectBus, request, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import {
  freePort,
  reserveNatsServer,
  spawnService,
  startNatsServer,
  startScriptedModel,
  toolResultsIn,
  waitFor,
  type NatsServer,
  type ReceivedRequest,
  type ScriptedModel,
  type ServiceProcess,
  busConfigFor,
} from "@corral/testing";
import { eventsUntil, isIdle, newSession, say, send } from "@corral/harness/testing";
import { RUN_LABEL, removeTestContainers } from "@corral/sandbox-manager/testing";

let nats: NatsServer | undefined;
let model: ScriptedModel | undefined;
let bus: Bus | undefined;
const services: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(services.map((s) => s.kill("SIGTERM")));
  await bus?.close();
  await model?.close();
  await removeTestContainers();
  await nats?.stop();
});

function program(req: ReceivedRequest) {
  if (toolResultsIn(req).length === 0)
    return {
      type: "message" as const,
      content: [{ type: "tool_use" as const, name: "bash", input: { command: "echo started-in-any-order" } }],
    };
  return { type: "message" as const, content: [{ type: "text" as const, text: "done" }] };
}

test("every service started before nats-server (and the sandbox-manager before the credential-proxy) waits, connects and serves", async () => {
  model = await startScriptedModel();
  model.setFallback(program);
  const reserved = await reserveNatsServer();
  const common = { NATS_URL: reserved.url, LOG_LEVEL: "warn" };
  const host = `order-${randomBytes(3).toString("hex")}`; // the manager's and the proxy's: one host
  services.push(
    spawnService("harness", { ...common, ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: model.url }),
    spawnService("sandbox-manager", {
      ...common,
      CORRAL_HOST_ID: host,
      SANDBOX_NETWORK: "corral-sandboxes-test",
      SANDBOX_WARM_POOL: "1",
      SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
    }),
    spawnService("session-store", { ...common, CORRAL_TASK_INTAKE: "0" }),
  );
  await sleep(1500);
  nats = await startNatsServer({ port: reserved.port, storeDir: reserved.storeDir });
  await sleep(1000);
  // The proxy comes last: the warm sandbox booted without it must not be handed out without network.
  services.push(
    spawnService("credential-proxy", {
      ...common,
      CORRAL_HOST_ID: host,
      EGRESS_PORT: String(await freePort()),
      CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
    }),
  );
  const client = await connectBus(busConfigFor(nats.url, "admin", "order-client"));
  bus = client;
  const sid = await newSession(client, { tools: [{ type: "agent_toolset_20260401" }] });
  await send(client, sid, say("go"));
  const events = await eventsUntil(client, sid, isIdle, 0, 60_000);
  const result = events.find((e) => e.type === "agent.tool_result");
  expect(result).toMatchObject({ is_error: false });
  expect(JSON.stringify(result)).toContain("started-in-any-order");
  // The record is folded from the log by the session-store, a moment after the log itself.
  const idle = async () =>
    (await request(client, STORE_RPC.sessionsGet, { session_id: sid })).status === "idle";
  await waitFor(idle, { timeoutMs: 10_000 });
  for (const service of services) expect(service.child.exitCode).toBeNull();
}, 120_000);
