import { context, propagation, ROOT_CONTEXT, trace, type Context } from "@opentelemetry/api";

/** The current trace context as W3C headers (`traceparent`, `tracestate`); empty when nothing is traced. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (!trace.getSpanContext(context.active())) return carrier;
  propagation.inject(context.active(), carrier);
  return carrier;
}

const getter = {
  keys: () => ["traceparent", "tracestate"],
  get: (read: (name: string) => string | undefined, key: string) => read(key),
};

/** The trace context that headers carry (read through `read`), as a parent for new spans. */
export function contextFrom(read: (name: string) => string | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, read, getter);
}

/** Runs `fn` with `parent` as the active context: spans it starts are children of the one headers carried. */
export function withContext<T>(parent: Context, fn: () => T): T {
  return context.with(parent, fn);
}
