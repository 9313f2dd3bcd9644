import type { AgentSnapshot, SessionEvent } from "@corral/protocol";
import type { SessionState } from "./state.js";

/** The Anthropic Messages request body parts the harness controls (shapes as in @anthropic-ai/sdk). */
export interface ContentBlockParam {
  type: string;
  [key: string]: unknown;
}
export interface MessageParam {
  role: "user" | "assistant";
  content: ContentBlockParam[];
}
export interface ModelContext {
  system: ContentBlockParam[];
  messages: MessageParam[];
}

/** Turns the log into what the model sees. Pluggable: the log is never changed, only read differently. */
export interface ContextStrategy {
  readonly name: string;
  build(events: readonly SessionEvent[], state: SessionState, agent: AgentSnapshot): ModelContext;
  /** Estimated size in tokens above which the harness should compact first (Infinity: never). */
  readonly compactAtTokens: number;
}

function push(messages: MessageParam[], role: MessageParam["role"], blocks: ContentBlockParam[]): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (last?.role === role) last.content.push(...blocks);
  else messages.push({ role, content: [...blocks] });
}

/** The name the model sees for an MCP server's tool. */
export const mcpToolName = (server: string, tool: string) => `mcp__${server}__${tool}`.slice(0, 128);

function toolResult(
  toolUseId: string,
  content: readonly ContentBlockParam[],
  isError: boolean | null | undefined,
): ContentBlockParam {
  return {
    type: "tool_result",
    tool_use_id: toolUseId,
    content: [...content],
    ...(isError ? { is_error: true } : {}),
  };
}

function addEvent(ctx: ModelContext, event: SessionEvent): void {
  // A sub-agent's questions and their answers are posted in its coordinator's log for the client; they are
  // not part of the coordinator's conversation.
  if ("session_thread_id" in event && event.session_thread_id && event.type !== "user.interrupt") return;
  switch (event.type) {
    case "user.message":
      return push(ctx.messages, "user", event.content as ContentBlockParam[]);
    case "system.message":
      ctx.system.push(...(event.content as ContentBlockParam[]));
      return;
    case "agent.message":
      return push(
        ctx.messages,
        "assistant",
        event.content.filter((b) => b.type === "text") as ContentBlockParam[],
      );
    case "agent.tool_use":
    case "agent.custom_tool_use":
      return push(ctx.messages, "assistant", [
        { type: "tool_use", id: event.id, name: event.name, input: event.input },
      ]);
    case "agent.tool_result":
    case "user.tool_result":
      return push(ctx.messages, "user", [
        toolResult(event.tool_use_id, event.content as ContentBlockParam[], event.is_error),
      ]);
    case "user.custom_tool_result":
      return push(ctx.messages, "user", [
        toolResult(event.custom_tool_use_id, event.content as ContentBlockParam[], event.is_error),
      ]);
    case "agent.mcp_tool_use":
      return push(ctx.messages, "assistant", [
        {
          type: "tool_use",
          id: event.id,
          name: mcpToolName(event.mcp_server_name, event.name),
          input: event.input,
        },
      ]);
    case "agent.mcp_tool_result":
      return push(ctx.messages, "user", [
        toolResult(event.mcp_tool_use_id, event.content as ContentBlockParam[], event.is_error),
      ]);
    case "agent.thread_message_received": {
      const from = `${event.from_session_thread_id}${event.from_agent_name ? ` (${event.from_agent_name})` : ""}`;
      const reply = event.content.map((b) => ("text" in b ? b.text : "")).join("");
      return push(ctx.messages, "user", [{ type: "text", text: `Reply from thread ${from}:\n${reply}` }]);
    }
    default:
      return;
  }
}

const isInput = (event: SessionEvent) =>
  event.type === "user.message" ||
  event.type === "system.message" ||
  event.type === "agent.thread_message_received";

/** Marks the end of the stable prefix (system) and of the conversation so far for prompt caching. */
function withCacheBreakpoints(ctx: ModelContext): ModelContext {
  const mark = (block: ContentBlockParam | undefined) =>
    block && Object.assign(block, { cache_control: { type: "ephemeral" } });
  mark(ctx.system[ctx.system.length - 1]);
  const lastMessage = ctx.messages[ctx.messages.length - 1];
  mark(lastMessage?.content[lastMessage.content.length - 1]);
  return ctx;
}

function buildFrom(
  events: readonly SessionEvent[],
  agent: AgentSnapshot,
  summary: { throughSeq: number; text: string } | null,
): ModelContext {
  const ctx: ModelContext = {
    system: agent.system ? [{ type: "text", text: agent.system }] : [],
    messages: [],
  };
  if (summary)
    push(ctx.messages, "user", [
      { type: "text", text: `Summary of the conversation so far:\n${summary.text}` },
    ]);
  // Inputs the model had not seen when it answered follow that answer: those that arrived while the request
  // was in flight, and those that landed after its context was built but before its start was logged.
  const unseen = new Set<number>();
  for (const event of events) {
    if (event.type !== "span.model_request_start" || event.context_through_seq === undefined) continue;
    for (let seq = event.context_through_seq + 1; seq < event.seq; seq++) unseen.add(seq);
  }
  let inFlight = false;
  let deferred: SessionEvent[] = [];
  const flush = () => {
    for (const event of deferred) addEvent(ctx, event);
    deferred = [];
  };
  for (const event of events) {
    if (summary && event.seq <= summary.throughSeq) continue;
    if (event.type === "span.model_request_start") inFlight = true;
    else if (event.type === "span.model_request_end") {
      inFlight = false;
      flush();
    } else if ((inFlight || unseen.has(event.seq)) && isInput(event)) deferred.push(event);
    else addEvent(ctx, event);
  }
  flush();
  return withCacheBreakpoints(toolResultsFirst(ctx));
}

/**
 * The Messages API wants a user turn's tool results before anything else in it; a message or a thread's
 * reply that arrived while tools were running would otherwise sit between two results.
 */
function toolResultsFirst(ctx: ModelContext): ModelContext {
  for (const message of ctx.messages) {
    if (message.role !== "user") continue;
    const results = message.content.filter((b) => b.type === "tool_result");
    if (results.length === 0 || results.length === message.content.length) continue;
    message.content = [...results, ...message.content.filter((b) => b.type !== "tool_result")];
  }
  return ctx;
}

export function fullHistory(): ContextStrategy {
  return {
    name: "full",
    compactAtTokens: Number.POSITIVE_INFINITY,
    build: (events, _state, agent) => buildFrom(events, agent, null),
  };
}

/**
 * Everything after the last compaction, preceded by its summary; asks for a new compaction once the
 * context grows past `compactAtTokens`. The raw log keeps every event either way.
 */
export function compacting(compactAtTokens: number): ContextStrategy {
  return {
    name: "compacting",
    compactAtTokens,
    build: (events, state, agent) =>
      buildFrom(
        events,
        agent,
        state.compaction ? { throughSeq: state.compaction.throughSeq, text: state.compaction.summary } : null,
      ),
  };
}

/** A rough token estimate (4 characters a token) — enough to decide when to compact. */
export function estimateTokens(ctx: ModelContext): number {
  return Math.ceil(JSON.stringify(ctx).length / 4);
}
