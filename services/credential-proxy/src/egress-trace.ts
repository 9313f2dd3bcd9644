import { bounded, context, inSpan, SpanKind, withContext, type Context, type Span } from "@corral/tracing";
import type { EgressDeps, SandboxContext } from "./egress-context.js";

/** Sandboxes whose running tool's trace is remembered at most (the oldest forgotten first). */
const MAX_TRACED_SANDBOXES = 10_000;

/** What the host's sandbox-manager said: the sandbox runs a tool in `parent`'s trace, or (null) no longer. */
export function rememberExecTrace(
  traces: Map<string, Context>,
  sandboxId: string,
  parent: Context | null,
): void {
  traces.delete(sandboxId);
  if (!parent) return;
  if (traces.size >= MAX_TRACED_SANDBOXES) traces.delete(traces.keys().next().value!);
  traces.set(sandboxId, parent);
}

/**
 * One egress request's handling in a span, the child of the tool run its sandbox is in (when the
 * sandbox-manager announced one): the host and method, never a path, a header or a body.
 */
export function inEgressSpan<T>(
  deps: EgressDeps,
  sandbox: SandboxContext,
  request: { kind: "http" | "connect"; host: string; method: string },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const attributes = bounded({
    "corral.session_id": sandbox.sessionId,
    "corral.sandbox_id": sandbox.sandboxId,
    "corral.egress.kind": request.kind,
    "server.address": request.host,
    "http.request.method": request.method,
  });
  const parent = deps.traces.get(sandbox.sandboxId) ?? context.active();
  return withContext(parent, () => inSpan("egress", { kind: SpanKind.SERVER, attributes }, fn));
}
