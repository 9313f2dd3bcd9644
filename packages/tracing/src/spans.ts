import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type SpanKind,
} from "@opentelemetry/api";

export const tracer = trace.getTracer("corral");

/** Longest string attribute value kept: ids, types, names and codes fit; nothing long is ever recorded. */
const MAX_ATTRIBUTE_CHARS = 256;

/** Attributes with long strings cut and missing values left out. */
export function bounded(
  attributes: Record<string, string | number | boolean | undefined | null>,
): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === "string" ? value.slice(0, MAX_ATTRIBUTE_CHARS) : value;
  }
  return out;
}

/** A failure's code (a `CorralError`'s `code`, or an error's name), never its message: messages may quote input. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code.slice(0, 64);
  return error instanceof Error ? error.name.slice(0, 64) : "error";
}

/** Marks a span failed with the error's code alone. */
export function failSpan(span: Span, code: string): void {
  span.setAttribute("corral.error_code", code.slice(0, 64));
  span.setStatus({ code: SpanStatusCode.ERROR, message: code.slice(0, 64) });
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

/** Runs `fn` in a new active span, ended when it settles; a throw marks the span failed with its code. */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, errorCode(error));
      throw error;
    } finally {
      span.end();
    }
  });
}
