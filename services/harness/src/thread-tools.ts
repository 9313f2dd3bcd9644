import { STORE_RPC, THREAD_RPC, isCorralError, threadIdFor, type SessionEventInput } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { describeZodError } from "@corral/protocol";
import { MessageThreadInput, StartThreadInput, THREAD_TOOLS, type RosterMember } from "./tools.js";
import type { Hands } from "./sandbox-client.js";
import type { SessionState, ToolCall } from "./state.js";

const text = (t: string) => [{ type: "text" as const, text: t }];

export interface ThreadToolContext {
  bus: Bus;
  hands: Hands;
  /** This log: the session (primary thread) or a sub-agent's thread. */
  selfId: string;
  sessionId: string;
  isThread: boolean;
  roster: readonly RosterMember[];
  state(): SessionState;
  append(events: SessionEventInput[]): Promise<unknown>;
  /** The sandbox this log holds, provisioned now if it has none. */
  sandbox(): Promise<string | null>;
}

function failure(message: string): Error {
  return Object.assign(new Error(message), { toolError: true });
}

/**
 * The coordinator's tools (start, message, list threads) and a sub-agent's `return_sandbox`. Each is
 * safe to run again after a crash: thread ids follow from the tool call, appends to other logs carry
 * idempotency keys, and handoffs are idempotent, so a replica that resumes mid-call finishes it once.
 */
export async function runThreadTool(ctx: ThreadToolContext, call: ToolCall): Promise<void> {
  const result = (t: string, isError = false): SessionEventInput => ({
    type: "agent.tool_result",
    tool_use_id: call.id,
    content: text(t),
    is_error: isError,
  });
  try {
    switch (call.name) {
      case THREAD_TOOLS.start:
        return await startThread(ctx, call, result);
      case THREAD_TOOLS.message:
        return await messageThread(ctx, call, result);
      case THREAD_TOOLS.list:
        return await listThreads(ctx, result);
      case THREAD_TOOLS.giveBack:
        return await giveBack(ctx, call, result);
      default:
        await ctx.append([result(`Unknown tool ${call.name}`, true)]);
    }
  } catch (error) {
    // Refusals (bad input, roster, not held) are answers for the model; anything else is retried by the caller.
    const refused =
      (error as { toolError?: boolean }).toolError ||
      isCorralError(error, "INVALID_REQUEST") ||
      isCorralError(error, "FORBIDDEN") ||
      isCorralError(error, "NOT_FOUND") ||
      isCorralError(error, "ARCHIVED");
    if (!refused) throw error;
    await ctx.append([result(error instanceof Error ? error.message : String(error), true)]);
  }
}

type Result = (t: string, isError?: boolean) => SessionEventInput;

/** No manager answers for the sandbox (reaped, or its host is gone) or it is dead: it cannot change hands. */
const gone = (error: unknown) =>
  isCorralError(error, "UNAVAILABLE") ||
  isCorralError(error, "SANDBOX_LOST") ||
  isCorralError(error, "NOT_FOUND");

/** Hands a sandbox over; a sandbox that is gone is recorded as lost and the call answered with an error. */
async function handOver(
  ctx: ThreadToolContext,
  result: Result,
  request: Parameters<Hands["handoff"]>[0],
): Promise<boolean> {
  try {
    await ctx.hands.handoff(request);
    return true;
  } catch (error) {
    if (!gone(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    await ctx.append([
      { type: "span.sandbox_lost", sandbox_id: request.sandbox_id, reason },
      result(
        `The sandbox ${request.sandbox_id} is gone (${reason}); nothing was handed over. Try again: a new sandbox will be used.`,
        true,
      ),
    ]);
    return false;
  }
}

async function startThread(ctx: ThreadToolContext, call: ToolCall, result: Result): Promise<void> {
  const parsed = StartThreadInput.safeParse(call.input);
  if (!parsed.success) throw failure(`invalid input for ${call.name}: ${describeZodError(parsed.error)}`);
  const { agent, task, sandbox: mode } = parsed.data;
  const member = ctx.roster.find((m) => m.name === agent || m.ref === agent);
  if (!member)
    throw failure(`${agent} is not one of your agents: ${ctx.roster.map((m) => m.name).join(", ")}`);
  const threadId = threadIdFor(ctx.sessionId, call.id);
  const inThread: SessionEventInput[] = [];
  const inParent: SessionEventInput[] = [];
  if (mode !== "fresh") {
    const sandboxId = await ctx.sandbox();
    if (!sandboxId) throw failure("No sandbox could be started to hand to the thread.");
    if (
      !(await handOver(ctx, result, {
        sandbox_id: sandboxId,
        from: ctx.selfId,
        to: threadId,
        mode: mode === "share" ? "share" : "transfer",
      }))
    )
      return;
    inThread.push({
      type: "span.sandbox_handoff",
      sandbox_id: sandboxId,
      mode,
      direction: "in",
      peer_thread_id: null,
    });
    inParent.push({
      type: "span.sandbox_handoff",
      sandbox_id: sandboxId,
      mode,
      direction: "out",
      peer_thread_id: threadId,
    });
  }
  const message: SessionEventInput = { type: "user.message", content: text(task) };
  await request(ctx.bus, THREAD_RPC.create, {
    session_id: ctx.sessionId,
    agent: member.ref,
    initial_events: [...inThread, message],
    idempotency_key: call.id,
  });
  await ctx.append([
    ...inParent,
    { type: "session.thread_created", session_thread_id: threadId, agent_name: member.name },
    {
      type: "agent.thread_message_sent",
      to_session_thread_id: threadId,
      to_agent_name: member.name,
      content: text(task),
      thread_seq: inThread.length,
    },
    result(
      `Started thread ${threadId} (${member.name}). Its reply will arrive as a message; end your turn to wait for it.`,
    ),
  ]);
}

async function messageThread(ctx: ThreadToolContext, call: ToolCall, result: Result): Promise<void> {
  const parsed = MessageThreadInput.safeParse(call.input);
  if (!parsed.success) throw failure(`invalid input for ${call.name}: ${describeZodError(parsed.error)}`);
  const { thread_id: threadId, message } = parsed.data;
  const known = ctx.state().threads[threadId];
  if (!known)
    throw failure(
      `${threadId} is not one of your threads: ${Object.keys(ctx.state().threads).join(", ") || "you have none"}`,
    );
  // A thread that can no longer answer would leave the coordinator waiting for good.
  const thread = await request(ctx.bus, THREAD_RPC.get, {
    session_id: ctx.sessionId,
    thread_id: threadId as `sthr_${string}`,
  });
  if (thread.archived_at) throw failure(`${threadId} is archived.`);
  if (thread.status === "terminated") throw failure(`${threadId} has terminated.`);
  if (thread.status === "idle" && thread.stop_reason?.type === "requires_action")
    throw failure(
      `${threadId} is waiting for a tool confirmation or a custom tool result and cannot take messages now.`,
    );
  const appended = await request(ctx.bus, STORE_RPC.eventsAppend, {
    session_id: threadId,
    events: [{ type: "user.message", content: text(message) }],
    idempotency_key: `msg.${call.id}`,
  });
  await ctx.append([
    {
      type: "agent.thread_message_sent",
      to_session_thread_id: threadId,
      to_agent_name: known.agentName || null,
      content: text(message),
      thread_seq: appended.events[0]?.seq ?? 0,
    },
    result(`Sent to ${threadId}. Its reply will arrive as a message.`),
  ]);
}

async function listThreads(ctx: ThreadToolContext, result: Result): Promise<void> {
  const { data } = await request(ctx.bus, THREAD_RPC.list, {
    session_id: ctx.sessionId,
    include_archived: false,
  });
  const mine = ctx.state().threads;
  const lines = data.map((t) => {
    const reply = mine[t.id]?.lastReply;
    return `${t.id} ${t.agent.name}: ${t.status}${reply ? ` — last reply: ${reply.slice(0, 2000)}` : ""}`;
  });
  await ctx.append([result(lines.length ? lines.join("\n") : "No threads yet.")]);
}

async function giveBack(ctx: ThreadToolContext, call: ToolCall, result: Result): Promise<void> {
  if (!ctx.isThread) throw failure("Only a sub-agent can return a sandbox.");
  const held = ctx.state().sandbox;
  if (!held) throw failure("You hold no sandbox.");
  if (
    !(await handOver(ctx, result, {
      sandbox_id: held.id,
      from: ctx.selfId,
      to: ctx.sessionId,
      mode: "transfer",
    }))
  )
    return;
  await request(ctx.bus, STORE_RPC.eventsAppend, {
    session_id: ctx.sessionId,
    events: [
      {
        type: "span.sandbox_handoff",
        sandbox_id: held.id,
        mode: "return",
        direction: "in",
        peer_thread_id: ctx.selfId as `sthr_${string}`,
      },
    ],
    idempotency_key: `ret.${call.id}`,
  });
  await ctx.append([
    {
      type: "span.sandbox_handoff",
      sandbox_id: held.id,
      mode: "return",
      direction: "out",
      peer_thread_id: null,
    },
    result(`Returned sandbox ${held.id}.`),
  ]);
}
