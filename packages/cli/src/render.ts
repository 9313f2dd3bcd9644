import type { SessionEvent } from "@corral/protocol";

const text = (blocks: ReadonlyArray<{ type: string; text?: string }> | null | undefined) =>
  (blocks ?? []).map((b) => (b.type === "text" ? (b.text ?? "") : `[${b.type}]`)).join("");
const short = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** One line (or a few) for a person following a session; null for events not worth showing. */
export function renderEvent(event: SessionEvent): string | null {
  switch (event.type) {
    case "user.message":
      return `> ${text(event.content)}`;
    case "agent.message":
      return text(event.content);
    case "agent.tool_use":
      return `  ⚙ ${event.name} ${short(JSON.stringify(event.input), 200)}`;
    case "agent.custom_tool_use":
      return `  ⚙ ${event.name} (your tool) ${short(JSON.stringify(event.input), 200)}`;
    case "agent.tool_result":
      return `  ${event.is_error ? "✗" : "✓"} ${short(text(event.content).trim().replace(/\n/g, "\n    "))}`;
    case "span.sandbox_provision_start":
      return "  … starting a sandbox";
    case "span.sandbox_provision_end":
      return event.is_error
        ? `  ✗ no sandbox: ${event.error_message ?? ""}`
        : `  ✓ sandbox ${event.sandbox_id} ready${event.host ? ` on ${event.host}` : ""}`;
    case "span.sandbox_lost":
      return `  ✗ sandbox lost: ${event.reason}`;
    case "session.error":
      return `  ! ${event.error.type}: ${event.error.message} (${event.error.retry_status.type})`;
    case "session.status_rescheduled":
      return "  ↻ picked up by another harness replica";
    case "session.status_idle":
      return `— idle (${event.stop_reason.type})`;
    case "session.status_terminated":
      return "— terminated";
    case "session.thread_created":
      return `  ⑂ thread ${event.session_thread_id} started (${event.agent_name})`;
    case "session.thread_status_idle":
      return `  ⑂ thread ${event.session_thread_id} (${event.agent_name}) finished: ${event.stop_reason.type}`;
    case "session.thread_status_terminated":
      return `  ⑂ thread ${event.session_thread_id} (${event.agent_name}) terminated`;
    case "agent.thread_message_received":
      return `  ⑂ ${event.from_agent_name ?? event.from_session_thread_id}: ${short(text(event.content).replace(/\n/g, " "), 200)}`;
    case "span.sandbox_handoff":
      return event.direction === "out"
        ? `  ⇢ sandbox ${event.sandbox_id} ${event.mode === "share" ? "shared with" : "handed to"} ${event.peer_thread_id ?? "the coordinator"}`
        : `  ⇠ sandbox ${event.sandbox_id} ${event.mode === "return" ? "handed back" : "received"}`;
    case "session.usage":
      return `  usage: ${event.usage.input_tokens} in, ${event.usage.output_tokens} out`;
    default:
      return null;
  }
}
