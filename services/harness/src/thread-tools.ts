import {
  STORE_RPC,
  THREAD_RPC,
  describeZodError,
  isCorralError,
  isId,
  threadIdFor,
  type HandoffRequest,
  type SessionEventInput,
} from "@corral/protocol";
import { request } from "@corral/bus";
import { MessageThreadInput, StartThreadInput, THREAD_TOOLS } from "./tool-catalog.js";
import type { ToolCall } from "./state.js";
import { text, type Run } from "./run-context.js";
import { ensureSandbox } from "./sandbox-provision.js";

type Events = SessionEventInput[];

function failure(message: string): Error {
  return Object.assign(new Error(message), { toolError: true });
}

/**
 * The coordinator's tools (start, message, list threads) and a sub-agent's `return_sandbox`. Each is
 * safe to run again after a crash: thread ids follow from the tool call, appends to other logs carry
 * idempotency keys, and handoffs are idempotent, so a replica that resumes mid-call finishes it once.
 */
export async function runThreadTool(ctx: Run, call: ToolCall): Promise<Events> {
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
        return [result(`Unknown tool ${call.name}`, true)];
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
    return [result(error instanceof Error ? error.message : String(error), true)];
  }
}

type Result = (t: string, isError?: boolean) => SessionEventInput;

/** No manager answers for the sandbox (reaped, or its host is gone) or it is dead: it cannot change hands. */
const gone = (error: unknown) =>
  isCorralError(error, "UNAVAILABLE") ||
  isCorralError(error, "SANDBOX_LOST") ||
  isCorralError(error, "NOT_FOUND");

/** Hands a sandbox over: null when done, or the answer when the sandbox is gone (recorded as lost). */
async function handOver(ctx: Run, result: Result, request: HandoffRequest): Promise<Events | null> {
  try {
    await ctx.deps.hands.handoff(request);
    return null;
  } catch (error) {
    if (!gone(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return [
      { type: "span.sandbox_lost", sandbox_id: request.sandbox_id, reason },
      result(
        `The sandbox ${request.sandbox_id} is gone (${reason}); nothing was handed over. Try again: a new sandbox will be used.`,
        true,
      ),
    ];
  }
}

async function startThread(ctx: Run, call: ToolCall, result: Result): Promise<Events> {
  const parsed = StartThreadInput.safeParse(call.input);
  if (!parsed.success) throw failure(`invalid input for ${call.name}: ${describeZodError(parsed.error)}`);
  const { agent, task, sandbox: mode } = parsed.data;
  const roster = ctx.info.roster ?? [];
  const member = roster.find((m) => m.name === agent || m.ref === agent);
  if (!member) throw failure(`${agent} is not one of your agents: ${roster.map((m) => m.name).join(", ")}`);
  const threadId = threadIdFor(ctx.info.sessionId, call.id);
  const inThread: SessionEventInput[] = [];
  const inParent: SessionEventInput[] = [];
  if (mode !== "fresh") {
    const sandboxId = await ensureSandbox(ctx);
    if (!sandboxId) throw failure("No sandbox could be started to hand to the thread.");
    const handoff = { sandbox_id: sandboxId, from: ctx.info.logId, to: threadId, mode } as const;
    const refused = await handOver(ctx, result, {
      ...handoff,
      mode: mode === "share" ? "share" : "transfer",
    });
    if (refused) return refused;
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
  await request(ctx.deps.bus, THREAD_RPC.create, {
    session_id: ctx.info.sessionId,
    agent: member.ref,
    initial_events: [...inThread, message],
    idempotency_key: call.id,
  });
  return [
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
  ];
}

async function messageThread(ctx: Run, call: ToolCall, result: Result): Promise<Events> {
  const parsed = MessageThreadInput.safeParse(call.input);
  if (!parsed.success) throw failure(`invalid input for ${call.name}: ${describeZodError(parsed.error)}`);
  const { thread_id: named, message } = parsed.data;
  const mine = ctx.view.state.threads;
  const threadId = isId("thread", named) ? named : null;
  const known = threadId && mine[threadId];
  if (!threadId || !known)
    throw failure(`${named} is not one of your threads: ${Object.keys(mine).join(", ") || "you have none"}`);
  // A thread that can no longer answer would leave the coordinator waiting for good.
  const thread = await request(ctx.deps.bus, THREAD_RPC.get, {
    session_id: ctx.info.sessionId,
    thread_id: threadId,
  });
  if (thread.archived_at) throw failure(`${threadId} is archived.`);
  if (thread.status === "terminated") throw failure(`${threadId} has terminated.`);
  if (thread.status === "idle" && thread.stop_reason?.type === "requires_action")
    throw failure(
      `${threadId} is waiting for a tool confirmation or a custom tool result and cannot take messages now.`,
    );
  const appended = await request(ctx.deps.bus, STORE_RPC.eventsAppend, {
    session_id: threadId,
    events: [{ type: "user.message", content: text(message) }],
    idempotency_key: `msg.${call.id}`,
  });
  return [
    {
      type: "agent.thread_message_sent",
      to_session_thread_id: threadId,
      to_agent_name: known.agentName || null,
      content: text(message),
      thread_seq: appended.events[0]?.seq ?? 0,
    },
    result(`Sent to ${threadId}. Its reply will arrive as a message.`),
  ];
}

async function listThreads(ctx: Run, result: Result): Promise<Events> {
  const { data } = await request(ctx.deps.bus, THREAD_RPC.list, {
    session_id: ctx.info.sessionId,
    include_archived: false,
  });
  const mine = ctx.view.state.threads;
  const lines = data.map((t) => {
    const reply = mine[t.id]?.lastReply;
    return `${t.id} ${t.agent.name}: ${t.status}${reply ? ` — last reply: ${reply.slice(0, 2000)}` : ""}`;
  });
  return [result(lines.length ? lines.join("\n") : "No threads yet.")];
}

async function giveBack(ctx: Run, call: ToolCall, result: Result): Promise<Events> {
  const self = ctx.info.threadId;
  if (!self) throw failure("Only a sub-agent can return a sandbox.");
  const held = ctx.view.state.sandbox;
  if (!held) throw failure("You hold no sandbox.");
  const handoff = { sandbox_id: held.id, from: self, to: ctx.info.sessionId, mode: "transfer" } as const;
  const refused = await handOver(ctx, result, handoff);
  if (refused) return refused;
  await request(ctx.deps.bus, STORE_RPC.eventsAppend, {
    session_id: ctx.info.sessionId,
    events: [
      {
        type: "span.sandbox_handoff",
        sandbox_id: held.id,
        mode: "return",
        direction: "in",
        peer_thread_id: self,
      },
    ],
    idempotency_key: `ret.${call.id}`,
  });
  return [
    {
      type: "span.sandbox_handoff",
      sandbox_id: held.id,
      mode: "return",
      direction: "out",
      peer_thread_id: null,
    },
    result(`Returned sandbox ${held.id}.`),
  ];
}
