import { headers as natsHeaders, type Msg, type MsgHdrs } from "@nats-io/transport-node";
import {
  bounded,
  contextFrom,
  failSpan,
  SpanKind,
  trace,
  traceHeaders,
  tracer,
  withContext,
  type Context,
} from "@corral/tracing";

// W3C trace context (`traceparent`, `tracestate`) rides in NATS headers: RPCs, log appends, wakes and live
// deltas carry the span that caused them, so one user message is one trace across every service. With
// tracing off there is no active span and nothing is added (no headers object is even made).

/** Adds the current trace context to headers about to be sent. */
export function injectTrace(h: MsgHdrs): MsgHdrs {
  for (const [name, value] of Object.entries(traceHeaders())) h.set(name, value);
  return h;
}

/** `{ headers }` holding the current trace context, or nothing when no trace is active. */
export function traceOptions(): { headers?: MsgHdrs } {
  const carried = traceHeaders();
  if (!carried.traceparent) return {};
  const h = natsHeaders();
  for (const [name, value] of Object.entries(carried)) h.set(name, value);
  return { headers: h };
}

/** The trace context a received message carries (a root context when it carries none). */
export function traceContextOf(msg: { headers?: MsgHdrs | undefined }): Context {
  return contextFrom((name) => msg.headers?.get(name) || undefined);
}

/**
 * A server span for one RPC served on `subject` (a definition's template), the child of the caller's
 * span: `run` runs the handler inside it, `end` records the reply's code (OK or the error code).
 */
export function traceServed(subject: string, msg: Msg) {
  const parent = traceContextOf(msg);
  const span = tracer.startSpan(
    subject,
    {
      kind: SpanKind.SERVER,
      attributes: bounded({ "messaging.system": "nats", "messaging.destination.name": msg.subject }),
    },
    parent,
  );
  const inside = trace.setSpan(parent, span);
  return {
    run: <T>(fn: () => Promise<T>): Promise<T> => withContext(inside, fn),
    end(code: string): void {
      span.setAttribute("corral.rpc.code", code.slice(0, 64));
      if (code !== "OK") failSpan(span, code);
      span.end();
    },
  };
}
