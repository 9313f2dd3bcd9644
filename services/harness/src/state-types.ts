import type { EventId, ModelUsage, SandboxId, StopReason, ThreadId } from "@corral/protocol";

export type ToolKind = "builtin" | "custom" | "mcp";

export interface ToolCall {
  /** The tool-use event's id: the tool_use id the model sees and the sandbox ledger's key. */
  id: EventId;
  seq: number;
  kind: ToolKind;
  name: string;
  input: Record<string, unknown>;
  permission: "allow" | "ask" | "deny" | undefined;
  confirmation: { result: "allow" | "deny"; deny_message?: string | null | undefined } | null;
  /** For MCP calls: the server the tool belongs to. */
  server?: string;
}

/** A sub-agent thread as its coordinator's log knows it. */
export interface ThreadView {
  agentName: string;
  /** Position in the thread's log of the last message sent to it, and of the last idle it reported. */
  sent: number;
  reported: number;
  /** The coordinator halted (interrupt, budget) while waiting: the next reply is taken as an answer to nothing. */
  halted: boolean;
  lastReply: string | null;
}

/** True while the coordinator waits for the thread's reply. */
export const awaited = (t: ThreadView) => t.sent > t.reported && !t.halted;

/** Everything the harness decides from: a pure fold of the session log. */
export interface SessionState {
  lastSeq: number;
  status: "idle" | "running" | "rescheduling" | "terminated";
  lastStopReason: StopReason | null;
  /** Inputs at or before this position were seen by a finished model request, or closed by a halt (an idle that is not requires_action). */
  barrierSeq: number;
  /** Positions of new inputs (messages, tool results, thread replies) after the barrier. */
  newInputSeqs: number[];
  /** Those of them that are sub-agent threads' replies. */
  replySeqs: number[];
  pendingInterrupt: boolean;
  openCalls: ToolCall[];
  sandbox: { id: SandboxId; lost: boolean } | null;
  usage: Required<
    Pick<
      ModelUsage,
      "input_tokens" | "output_tokens" | "cache_read_input_tokens" | "cache_creation_input_tokens"
    >
  >;
  modelRequests: number;
  lastModelStartSeq: number;
  /** The last position the context of that request was built from. */
  lastContextSeq: number;
  /** Model failures in a row that are being retried, and when the last one happened. */
  modelRetries: number;
  lastErrorAt: string | null;
  firstRunningAt: string | null;
  lastIdleSeq: number;
  compaction: { throughSeq: number; summary: string } | null;
  threads: Record<ThreadId, ThreadView>;
}

export function initialState(): SessionState {
  return {
    lastSeq: -1,
    status: "idle",
    lastStopReason: null,
    barrierSeq: -1,
    newInputSeqs: [],
    replySeqs: [],
    pendingInterrupt: false,
    openCalls: [],
    sandbox: null,
    usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    modelRequests: 0,
    lastModelStartSeq: -1,
    lastContextSeq: -1,
    modelRetries: 0,
    lastErrorAt: null,
    firstRunningAt: null,
    lastIdleSeq: -1,
    compaction: null,
    threads: {},
  };
}
