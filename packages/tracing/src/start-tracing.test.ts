import { expect, test } from "vitest";
import { trace } from "@opentelemetry/api";
import { startTracing, tracingEnabled } from "./start-tracing.js";
import { traceHeaders } from "./propagate.js";
import { inSpan } from "./spans.js";

test("without an OTLP endpoint nothing is started: spans are the API's no-ops and no trace header is sent", async () => {
  const tracing = await startTracing("test", {});
  expect(tracing.enabled).toBe(false);
  await inSpan("a span", {}, async (span) => {
    expect(span.isRecording()).toBe(false);
    expect(trace.getActiveSpan()?.spanContext().traceId ?? "").toMatch(/^0*$/);
    expect(traceHeaders()).toEqual({});
  });
  await tracing.stop();
});

test("export is on when an OTLP endpoint is set, unless the SDK is disabled", () => {
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" })).toBe(
    true,
  );
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://x", OTEL_SDK_DISABLED: "true" })).toBe(false);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBe(false);
});
