import type { SessionEvent, ThreadId } from "@corral/protocol";
import {
  awaited,
  initialState,
  type SessionState,
  type ThreadView,
  type ToolCall,
  type ToolKind,
} from "./state-types.js";

export { awaited, initialState } from "./state-types.js";
export type { SessionState, ThreadView, ToolCall, ToolKind } from "./state-types.js";

function resolve(state: SessionState, toolUseId: string, seq: number): SessionState {
  if (!state.openCalls.some((c) => c.id === toolUseId)) return state;
  return {
    ...state,
    openCalls: state.openCalls.filter((c) => c.id !== toolUseId),
    newInputSeqs: [...state.newInputSeqs, seq],
  };
}

function call(
  event: SessionEvent & { name: string; input: Record<string, unknown> },
  kind: ToolKind,
  permission: ToolCall["permission"],
): ToolCall {
  return {
    id: event.id,
    seq: event.seq,
    kind,
    name: event.name,
    input: event.input,
    permission,
    confirmation: null,
  };
}

function halt(state: SessionState, seq: number): SessionState {
  const after = (s: number) => s > seq;
  return {
    ...state,
    barrierSeq: Math.max(state.barrierSeq, seq),
    newInputSeqs: state.newInputSeqs.filter(after),
    replySeqs: state.replySeqs.filter(after),
    modelRetries: 0,
  };
}

/** The session stopped (interrupt, budget, errors) while threads still owed replies: those replies answer nothing now. */
function stopWaiting(state: SessionState): SessionState {
  if (!Object.values(state.threads).some(awaited)) return state;
  return {
    ...state,
    threads: Object.fromEntries(
      Object.entries(state.threads).map(([id, t]) => [id, awaited(t) ? { ...t, halted: true } : t]),
    ),
  };
}

function thread(state: SessionState, id: ThreadId, agentName: string | null | undefined): ThreadView {
  return (
    state.threads[id] ?? {
      agentName: agentName ?? "",
      sent: -1,
      reported: -1,
      halted: false,
      lastReply: null,
    }
  );
}

const textOf = (content: readonly { type: string; text?: string }[]) =>
  content.map((b) => b.text ?? "").join("");

/** The pure step: `(state, event) → state`. */
export function reduce(state: SessionState, event: SessionEvent): SessionState {
  const s = { ...state, lastSeq: event.seq };
  switch (event.type) {
    case "user.message":
    case "system.message":
      return { ...s, newInputSeqs: [...s.newInputSeqs, event.seq] };
    case "user.interrupt":
      // One naming a thread is for that thread alone (the session-store forwards it to the thread's log).
      return event.session_thread_id ? s : { ...s, pendingInterrupt: true };
    case "user.tool_confirmation":
      return {
        ...s,
        openCalls: s.openCalls.map((c) =>
          c.id === event.tool_use_id
            ? { ...c, confirmation: { result: event.result, deny_message: event.deny_message } }
            : c,
        ),
      };
    case "user.custom_tool_result":
      return resolve(s, event.custom_tool_use_id, event.seq);
    case "user.tool_result":
    case "agent.tool_result":
      return resolve(s, event.tool_use_id, event.seq);
    case "agent.mcp_tool_result":
      return resolve(s, event.mcp_tool_use_id, event.seq);
    // A tool use naming a thread is that sub-agent's question, posted here for the client: not this log's call.
    case "agent.tool_use":
      return event.session_thread_id
        ? s
        : { ...s, openCalls: [...s.openCalls, call(event, "builtin", event.evaluated_permission)] };
    case "agent.custom_tool_use":
      return event.session_thread_id
        ? s
        : { ...s, openCalls: [...s.openCalls, call(event, "custom", undefined)] };
    case "agent.mcp_tool_use":
      return event.session_thread_id
        ? s
        : {
            ...s,
            openCalls: [
              ...s.openCalls,
              { ...call(event, "mcp", event.evaluated_permission), server: event.mcp_server_name },
            ],
          };
    case "span.model_request_start":
      return { ...s, lastModelStartSeq: event.seq, lastContextSeq: event.context_through_seq ?? event.seq };
    default:
      return reduceThreads(s, event);
  }
}

function reduceThreads(s: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case "session.thread_created":
      return {
        ...s,
        threads: {
          ...s.threads,
          [event.session_thread_id]: thread(s, event.session_thread_id, event.agent_name),
        },
      };
    case "agent.thread_message_sent": {
      const t = thread(s, event.to_session_thread_id, event.to_agent_name);
      return {
        ...s,
        threads: {
          ...s.threads,
          [event.to_session_thread_id]: { ...t, sent: Math.max(t.sent, event.thread_seq ?? t.reported + 1) },
        },
      };
    }
    case "agent.thread_message_received": {
      const t = thread(s, event.from_session_thread_id, event.from_agent_name);
      const next = {
        ...t,
        reported: Math.max(t.reported, event.thread_seq ?? Number.MAX_SAFE_INTEGER),
        halted: false,
        lastReply: textOf(event.content),
      };
      const threads = { ...s.threads, [event.from_session_thread_id]: next };
      // A reply is input for the coordinator, unless it halted since asking.
      return t.halted
        ? { ...s, threads }
        : {
            ...s,
            threads,
            newInputSeqs: [...s.newInputSeqs, event.seq],
            replySeqs: [...s.replySeqs, event.seq],
          };
    }
    case "span.sandbox_handoff":
      if (event.direction === "in") return { ...s, sandbox: { id: event.sandbox_id, lost: false } };
      return event.mode !== "share" && s.sandbox?.id === event.sandbox_id ? { ...s, sandbox: null } : s;
    default:
      return reduceStatus(s, event);
  }
}

function reduceStatus(s: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case "span.model_request_end": {
      const u = event.model_usage;
      const usage = {
        input_tokens: s.usage.input_tokens + u.input_tokens,
        output_tokens: s.usage.output_tokens + u.output_tokens,
        cache_read_input_tokens: s.usage.cache_read_input_tokens + u.cache_read_input_tokens,
        cache_creation_input_tokens: s.usage.cache_creation_input_tokens + u.cache_creation_input_tokens,
      };
      const counted = { ...s, usage, modelRequests: s.modelRequests + 1 };
      // A finished request saw every input its context was built from; a failed one saw nothing.
      return event.is_error ? counted : halt(counted, s.lastContextSeq);
    }
    case "session.status_running":
      return {
        ...s,
        status: "running",
        lastStopReason: null,
        firstRunningAt: s.firstRunningAt ?? event.processed_at,
      };
    case "session.status_idle": {
      const next = {
        ...s,
        status: "idle" as const,
        lastStopReason: event.stop_reason,
        lastIdleSeq: event.seq,
        pendingInterrupt: false,
      };
      return event.stop_reason.type === "requires_action" ? next : stopWaiting(halt(next, event.seq));
    }
    case "session.status_terminated":
      return stopWaiting(halt({ ...s, status: "terminated" }, event.seq));
    case "session.status_rescheduled":
      return { ...s, status: "rescheduling" };
    case "session.error":
      // Only model failures count towards the model's retries (an MCP server failing is reported, not retried here).
      return event.error.retry_status.type === "retrying" && !event.error.type.startsWith("mcp_")
        ? { ...s, modelRetries: s.modelRetries + 1, lastErrorAt: event.processed_at }
        : s;
    case "span.sandbox_provision_end":
      return event.is_error || !event.sandbox_id
        ? s
        : { ...s, sandbox: { id: event.sandbox_id, lost: false } };
    case "span.sandbox_lost":
      return s.sandbox?.id === event.sandbox_id ? { ...s, sandbox: { ...s.sandbox, lost: true } } : s;
    case "agent.thread_context_compacted":
      return { ...s, compaction: { throughSeq: event.compacted_through_seq, summary: event.summary ?? "" } };
    default:
      return s;
  }
}

export function foldLog(events: readonly SessionEvent[], from: SessionState = initialState()): SessionState {
  return events.reduce(reduce, from);
}
