import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { request, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import { waitFor, type ScriptedModel } from "@corral/testing";
import { makeLimitedEnvironment } from "@corral/session-store/testing";
import { startProcessStack, type ProcessStack } from "./support/process-stack.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";

// Every service as a process exporting OTLP/HTTP (JSON) to a real receiver on loopback; one user message
// sent through the gateway, answered with a tool call run in a real sandbox and then text: the spans of
// that turn must form one tree across the processes, from the HTTP request to the model and the sandbox.
let stack: ProcessStack;
let bus: Bus;
let model: ScriptedModel;
let receiver: OtlpReceiver;
let key: string;
let api: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startProcessStack("tracing", {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: "100",
  });
  ({ bus, model, key, api } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const SEND_ROUTE = "POST /v1/sessions/:session_id/events";

/** The trace the send started, once it holds everything the turn did and every span's parent is in it. */
function completeTrace(sessionId: string): ReceivedSpan[] | null {
  const root = receiver.spans.find(
    (s) => s.name === SEND_ROUTE && String(s.attributes["corral.request_id"] ?? "") !== "" && !s.parentSpanId,
  );
  if (!root) return null;
  const trace = receiver.spans.filter((s) => s.traceId === root.traceId);
  const ids = new Set(trace.map((s) => s.spanId));
  const connected = trace.every((s) => s === root || ids.has(s.parentSpanId));
  const models = trace.filter((s) => s.name === "model request").length;
  const ran = trace.some((s) => s.name === "sandbox executor");
  const idled = trace.some(
    (s) => s.name === "harness run" && s.attributes["corral.session_id"] === sessionId,
  );
  const egress = trace.some((s) => s.name === "egress");
  return connected && models >= 2 && ran && idled && egress ? trace : null;
}

test("one user message is one trace: gateway, session-store, harness, model request, sandbox and egress, every parent in the tree", async () => {
  const agent = await request(bus, STORE_RPC.agentsCreate, {
    name: "traced",
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  const environment = await makeLimitedEnvironment(bus, ["allowed.example"]);
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
  });
  const secretText = `private words ${randomBytes(4).toString("hex")}`;
  // A request to a host the environment does not allow: the credential-proxy refuses it, in the same trace.
  const path = `private-path-${randomBytes(4).toString("hex")}`;
  const output = `tool-output-${randomBytes(4).toString("hex")}`;
  const command = `curl -s -o /dev/null http://blocked.example/${path}; echo ${output}`;
  model.script(
    {
      type: "message",
      content: [{ type: "tool_use", name: "bash", input: { command } }],
      usage: { input_tokens: 50, output_tokens: 10 },
    },
    {
      type: "message",
      content: [{ type: "text", text: "done" }],
      usage: { input_tokens: 80, output_tokens: 2 },
    },
  );
  const sent = await fetch(`${api}/v1/sessions/${session.id}/events`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({
      events: [{ type: "user.message", content: [{ type: "text", text: secretText }] }],
    }),
  });
  expect(sent.status).toBe(200);

  const trace = await waitFor(() => completeTrace(session.id), {
    timeoutMs: 60_000,
    message: "no complete trace of the turn reached the receiver",
  });
  const services = new Set(trace.map((s) => s.service));
  for (const service of ["gateway", "session-store", "harness", "sandbox-manager", "credential-proxy"])
    expect(services).toContain(`corral-${service}`);
  // One root (the HTTP request); every other span's parent is a span of the same trace.
  const ids = new Set(trace.map((s) => s.spanId));
  expect(trace.filter((s) => !ids.has(s.parentSpanId)).map((s) => s.name)).toEqual([SEND_ROUTE]);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain = (span: ReceivedSpan): string[] => {
    const parent = byId.get(span.parentSpanId);
    return parent ? [...chain(parent), `${parent.service} ${parent.name}`] : [];
  };
  // The model request hangs under the harness's run, which hangs under the store's answer to the send.
  const modelSpan = trace.find((s) => s.name === "model request")!;
  expect(modelSpan.service).toBe("corral-harness");
  expect(modelSpan.attributes["gen_ai.request.model"]).toBe("claude-test");
  expect(chain(modelSpan)).toEqual(
    expect.arrayContaining([
      `corral-gateway ${SEND_ROUTE}`,
      `corral-session-store ${STORE_RPC.eventsSend.subject}`,
      "corral-harness harness run",
    ]),
  );
  // The tool ran in the sandbox, under the harness's tool span, through the exec RPC.
  const executor = trace.find((s) => s.name === "sandbox executor")!;
  expect(executor.service).toBe("corral-sandbox-manager");
  expect(executor.attributes["corral.tool.name"]).toBe("bash");
  expect(chain(executor)).toContain("corral-harness harness tool");
  // The sandbox's request out, refused by the credential-proxy, hangs under the tool run that made it.
  const egress = trace.find((s) => s.name === "egress")!;
  expect(egress.service).toBe("corral-credential-proxy");
  expect(egress.attributes["server.address"]).toBe("blocked.example");
  expect(egress.attributes["corral.error_code"]).toBe("EGRESS_REFUSED");
  expect(chain(egress)).toContain("corral-sandbox-manager sandbox executor");
  // The log append and its projection belong to the trace too.
  expect(trace.some((s) => s.service === "corral-session-store" && s.name === "session-store project")).toBe(
    true,
  );

  // Never a secret, a message's text or a tool's input or output; every value short.
  const all = JSON.stringify(receiver.spans);
  for (const leaked of [key, secretText, path, output]) expect(all).not.toContain(leaked);
  for (const span of receiver.spans)
    for (const value of Object.values(span.attributes))
      if (typeof value === "string") expect(value.length).toBeLessThanOrEqual(256);
});
