export { startTracing, tracingEnabled } from "./start-tracing.js";
export type { Tracing } from "./start-tracing.js";
export { tracer, inSpan, bounded, errorCode, failSpan } from "./spans.js";
export type { SpanOptions } from "./spans.js";
export { traceHeaders, contextFrom, withContext } from "./propagate.js";
export { SpanKind, context, trace } from "@opentelemetry/api";
export type { Span, Context, Attributes } from "@opentelemetry/api";
