import type { ReceivedRequest } from "./types.js";

/** The request's system prompt as text, whether sent as a string or as blocks. */
export function systemText(request: ReceivedRequest): string {
  const system = request.body.system;
  return Array.isArray(system)
    ? (system as Array<{ text?: string }>).map((b) => b.text ?? "").join("")
    : String(system ?? "");
}

/** Every content block of every message in the request, in order. */
export function requestBlocks(request: ReceivedRequest): Array<Record<string, unknown>> {
  return request.body.messages.flatMap((m) =>
    Array.isArray(m.content) ? (m.content as Array<Record<string, unknown>>) : [],
  );
}

/** The tool results the request carries (one per tool call answered so far). */
export function toolResultsIn(request: ReceivedRequest): Array<Record<string, unknown>> {
  return requestBlocks(request).filter((b) => b.type === "tool_result");
}

/** The text of the last user message (its text blocks and tool results), for tests that echo. */
export function lastUserText(request: ReceivedRequest): string {
  const last = [...request.body.messages].reverse().find((m) => m.role === "user");
  const blocks = Array.isArray(last?.content) ? (last.content as Array<Record<string, unknown>>) : [];
  return blocks
    .flatMap((b) =>
      b.type === "text"
        ? [String(b.text)]
        : b.type === "tool_result"
          ? (b.content as Array<{ text?: string }>).map((c) => c.text ?? "")
          : [],
    )
    .join("\n");
}
