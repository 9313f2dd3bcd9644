import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { defineRpc } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { inSpan, trace } from "@corral/tracing";
import { startInMemoryTracing } from "@corral/tracing/testing";
import { connectBus, request, serve, type Bus } from "./index.js";

let server: NatsServer;
let bus: Bus;
let tracing: ReturnType<typeof startInMemoryTracing>;

const Seen = defineRpc(
  "test.trace.seen",
  z.object({}),
  z.object({ traceparent: z.string(), traceId: z.string() }),
);

beforeAll(async () => {
  tracing = startInMemoryTracing();
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "trace-test"));
  serve(bus, Seen, async (_req, msg) => ({
    traceparent: msg.headers?.get("traceparent") ?? "",
    traceId: trace.getActiveSpan()?.spanContext().traceId ?? "",
  }));
});

afterAll(async () => {
  await bus.close();
  await server.stop();
  await tracing.stop();
});

test("a request made in a span carries it: the handler runs in a server span that is its child", async () => {
  const { seen, traceId, spanId } = await inSpan("caller", {}, async (span) => ({
    seen: await request(bus, Seen, {}),
    ...span.spanContext(),
  }));
  expect(seen.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  expect(seen.traceId).toBe(traceId);
  const served = tracing.spans().find((s) => s.name === Seen.subject)!;
  expect(served.parentSpanContext?.spanId).toBe(spanId);
  expect(served.attributes["corral.rpc.code"]).toBe("OK");
});

test("a request made outside any span sends no trace header, and its handler starts a trace of its own", async () => {
  const seen = await request(bus, Seen, {});
  expect(seen.traceparent).toBe("");
  expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
});
