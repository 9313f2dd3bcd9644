import {
  isCorralError,
  newId,
  SUBJECTS,
  LOG_HEADERS,
  MCP_RPC,
  type McpTool,
  type SessionEventInput,
  type SessionRecord,
  type EnvironmentRecord,
  type SandboxSpec,
} from "@corral/protocol";
import { request, type Bus, type LogWriter, type SessionLog } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { decide, type Step } from "./decide.js";
import { openSessionView, type SessionView } from "./session-view.js";
import { toolCatalog, type RosterMember, type ToolCatalog } from "./tools.js";
import { runThreadTool } from "./thread-tools.js";
import { estimateTokens, type ContextStrategy } from "./context.js";
import { AbortedError, ModelError, type Model, type ModelResponse } from "./model.js";
import type { Hands } from "./sandbox-client.js";
import type { ToolCall } from "./state.js";

export interface RunnerConfig {
  maxTokens: number;
  maxModelAttempts: number;
  retryBaseMs: number;
  /** Benchmark baseline only: provision the sandbox before the first model call. */
  coupled: boolean;
}

export interface RunnerDeps {
  bus: Bus;
  log: SessionLog;
  writer: LogWriter;
  model: Model;
  hands: Hands;
  strategy: ContextStrategy;
  logger: Logger;
  config: RunnerConfig;
}

export interface SessionInfo {
  /** The record the run works from; for a sub-agent's thread, its session's with the thread's id and agent. */
  session: SessionRecord;
  environment: () => Promise<EnvironmentRecord | null>;
  /** The session the log belongs to: its own id, or a thread's session. */
  rootSessionId: string;
  thread: { id: string } | null;
  /** A coordinator's sub-agents (null: not a coordinator). */
  roster: RosterMember[] | null;
  /** Tokens the session and all its threads had used when the run started: budgets cover them all. */
  sessionTokens: number;
}

const INTERRUPTED = "Tool execution was interrupted before completion. Please retry.";
/** MCP tools may run long; the RPC waits this long for the credential-proxy's answer. */
const MCP_TIMEOUT_MS = 10 * 60_000;

function mcpError(server: string, error: unknown): SessionEventInput {
  const type = isCorralError(error, "MCP_AUTHENTICATION_FAILED")
    ? "mcp_authentication_failed_error"
    : "mcp_connection_failed_error";
  return {
    type: "session.error",
    error: {
      type,
      message: error instanceof Error ? error.message : String(error),
      mcp_server_name: server,
      retry_status: { type: "retrying" },
    },
  };
}

function sandboxSpec(environment: EnvironmentRecord | null): SandboxSpec {
  const config = environment?.config;
  if (!config || config.type === "self_hosted") return {};
  const spec: SandboxSpec = { networking: config.networking };
  if (config.type === "docker") {
    if (config.image) spec.image = config.image;
    if (config.resources)
      spec.resources = {
        memory_mb: config.resources.memory_mb,
        cpus: config.resources.cpus,
        pids: config.resources.pids,
      };
  }
  return spec;
}

const text = (t: string) => [{ type: "text" as const, text: t }];

/**
 * Runs one session until it has nothing left to do (idle, waiting for the client, terminated) or `signal`
 * aborts (the lease was lost or the process is stopping). Every step is decided from the log, and every
 * effect is an append, so killing the process at any point loses nothing.
 */
export async function runSession(
  deps: RunnerDeps,
  info: SessionInfo,
  signal: AbortSignal,
  prefetched?: Promise<SessionView>,
): Promise<void> {
  const { writer, logger } = deps;
  const sessionId = info.session.id;
  // A view read before the lease was taken (to save time-to-first-token) is brought up to date first.
  const view = prefetched ? await prefetched : await openSessionView(deps.log, sessionId);
  if (prefetched) await view.catchUp();
  let fresh = true;
  const threading = { roster: info.roster, isThread: info.thread !== null };
  let catalog = toolCatalog(info.session.agent, new Map(), threading);
  let mcpListed = false;
  const log = logger.child({ session_id: sessionId });
  let stepAbort = new AbortController();
  // Republished headers of stored appends: a hint to look at the log now, never a phantom of a rejected append.
  const interrupts = deps.bus.nc.subscribe(SUBJECTS.logged(sessionId), {
    callback: (_err, msg) => {
      // An interrupt naming one of this session's threads is not for this run: the log says which it is.
      if ((msg.headers?.get(LOG_HEADERS.types) ?? "").includes("user.interrupt")) {
        void view.catchUp().then(
          () => view.state.pendingInterrupt && stepAbort.abort(),
          () => stepAbort.abort(),
        );
      }
    },
  });
  const onStop = () => stepAbort.abort();
  signal.addEventListener("abort", onStop, { once: true });

  async function append(
    events: SessionEventInput[],
    options: { guarded?: boolean; ids?: (string | undefined)[] } = {},
  ): Promise<boolean> {
    try {
      const stored = await writer.append({
        sessionId,
        events,
        ids: options.ids,
        ...(options.guarded ? { expectedSeq: view.state.lastSeq + 1 } : {}),
      });
      view.add(stored);
      return true;
    } catch (error) {
      if (options.guarded && isCorralError(error, "CONFLICT")) return false;
      throw error;
    }
  }

  async function ensureRunning(): Promise<void> {
    if (view.state.status !== "running") await append([{ type: "session.status_running" }]);
  }

  /** MCP servers' tools, listed once per run through the credential-proxy (which holds their credentials). */
  async function loadMcpTools(): Promise<void> {
    if (mcpListed) return;
    mcpListed = true;
    const servers = [
      ...new Set(
        info.session.agent.tools.flatMap((t) => (t.type === "mcp_toolset" ? [t.mcp_server_name] : [])),
      ),
    ];
    if (servers.length === 0) return;
    const listed = new Map<string, McpTool[]>();
    const errors: SessionEventInput[] = [];
    await Promise.all(
      servers.map(async (server) => {
        try {
          listed.set(
            server,
            (
              await request(
                deps.bus,
                MCP_RPC.listTools,
                {
                  session_id: info.rootSessionId,
                  ...(info.thread && { thread_id: info.thread.id }),
                  mcp_server_name: server,
                },
                { timeoutMs: MCP_TIMEOUT_MS },
              )
            ).tools,
          );
        } catch (error) {
          log.warn({ err: error, mcp_server_name: server }, "MCP server could not be listed");
          errors.push(mcpError(server, error));
        }
      }),
    );
    if (errors.length) await append(errors);
    catalog = toolCatalog(info.session.agent, listed, threading);
  }

  const usageEvent = (): SessionEventInput => ({
    type: "session.usage",
    usage: { ...view.state.usage },
    budget: info.session.budget ?? null,
  });

  try {
    // A session left running means its previous runner died: say so, then carry on from the log. (A
    // coordinator is also left running while it waits for its threads, so it is not told apart.)
    if (view.state.status === "running" && Object.keys(view.state.threads).length === 0)
      await append([{ type: "session.status_rescheduled" }]);
    const ownTokens = view.state.usage.input_tokens + view.state.usage.output_tokens;
    const sharedTokens = Math.max(0, info.sessionTokens - ownTokens);
    if (deps.config.coupled && !view.state.sandbox) await provision();
    for (;;) {
      if (signal.aborted) return;
      if (!fresh) await view.catchUp();
      fresh = false;
      stepAbort = new AbortController();
      if (signal.aborted) return;
      const step = decide(view.state, info.session.budget ?? null, Date.now(), sharedTokens);
      log.debug({ step: step.kind }, "step");
      if (step.kind === "done") return;
      await take(step);
    }
  } finally {
    signal.removeEventListener("abort", onStop);
    interrupts.unsubscribe();
  }

  async function take(step: Exclude<Step, { kind: "done" }>): Promise<void> {
    switch (step.kind) {
      case "interrupt":
        await append(
          [
            ...step.open.map(
              (c): SessionEventInput => ({
                type: "agent.tool_result",
                tool_use_id: c.id,
                content: text(INTERRUPTED),
                is_error: true,
              }),
            ),
            usageEvent(),
            { type: "session.status_idle", stop_reason: { type: "end_turn" } },
          ],
          { guarded: true },
        );
        return;
      case "run_tools":
        await ensureRunning();
        for (const call of step.calls) {
          if (stepAbort.signal.aborted) return;
          await runTool(call);
        }
        return;
      case "await_action":
        await append(
          [
            usageEvent(),
            {
              type: "session.status_idle",
              stop_reason: { type: "requires_action", event_ids: step.eventIds },
            },
          ],
          { guarded: true },
        );
        return;
      case "call_model":
        await callModel();
        return;
      case "budget_reached":
        await append(
          [usageEvent(), { type: "session.status_idle", stop_reason: { type: "budget_reached" } }],
          { guarded: true },
        );
        return;
      case "idle":
        await append([usageEvent(), { type: "session.status_idle", stop_reason: { type: "end_turn" } }], {
          guarded: true,
        });
        return;
    }
  }

  async function provision(): Promise<string | null> {
    await append([{ type: "span.sandbox_provision_start" }]);
    try {
      const sandboxId = await deps.hands.provision(
        info.rootSessionId,
        sandboxSpec(await info.environment()),
        sessionId,
      );
      await append([{ type: "span.sandbox_provision_end", sandbox_id: sandboxId, is_error: false }]);
      return sandboxId;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: error }, "sandbox provision failed");
      await append([{ type: "span.sandbox_provision_end", is_error: true, error_message: message }]);
      return null;
    }
  }

  async function runTool(call: ToolCall): Promise<void> {
    const denied = call.permission === "deny" || call.confirmation?.result === "deny";
    if (denied) {
      const reason = call.confirmation?.deny_message ? `: ${call.confirmation.deny_message}` : "";
      await append([
        {
          type: "agent.tool_result",
          tool_use_id: call.id,
          content: text(`The user denied this tool call${reason}`),
          is_error: true,
        },
      ]);
      return;
    }
    if (call.kind === "mcp") return runMcpTool(call);
    if (catalog.kindOf(call.name) === "thread") {
      return runThreadTool(
        {
          bus: deps.bus,
          hands: deps.hands,
          selfId: sessionId,
          sessionId: info.rootSessionId,
          isThread: info.thread !== null,
          roster: info.roster ?? [],
          state: () => view.state,
          append: (events) => append(events),
          sandbox: async () =>
            view.state.sandbox && !view.state.sandbox.lost ? view.state.sandbox.id : provision(),
        },
        call,
      );
    }
    if (call.kind !== "builtin" || catalog.kindOf(call.name) === "unknown") {
      await append([
        {
          type: "agent.tool_result",
          tool_use_id: call.id,
          content: text(`Unknown tool ${call.name}`),
          is_error: true,
        },
      ]);
      return;
    }
    const sandbox = view.state.sandbox;
    const sandboxId = sandbox && !sandbox.lost ? sandbox.id : await provision();
    if (!sandboxId) {
      await append([
        {
          type: "agent.tool_result",
          tool_use_id: call.id,
          content: text("No sandbox could be started for this tool call."),
          is_error: true,
        },
      ]);
      return;
    }
    let outcome;
    try {
      outcome = await deps.hands.execute(
        sandboxId,
        { toolUseId: call.id, name: call.name, input: call.input, holder: sessionId },
        stepAbort.signal,
      );
    } catch (error) {
      if (stepAbort.signal.aborted) return;
      throw error;
    }
    if (outcome.kind === "lost") {
      await append([
        { type: "span.sandbox_lost", sandbox_id: sandboxId, reason: outcome.reason },
        {
          type: "agent.tool_result",
          tool_use_id: call.id,
          content: text(
            `The sandbox was lost (${outcome.reason}). The workspace files are kept; the next tool call starts a new sandbox.`,
          ),
          is_error: true,
        },
      ]);
      return;
    }
    await append([
      {
        type: "agent.tool_result",
        tool_use_id: call.id,
        content: text(outcome.result.content),
        is_error: outcome.result.is_error,
      },
    ]);
  }

  async function runMcpTool(call: ToolCall): Promise<void> {
    const server = call.server ?? "";
    let result: { content: string; is_error: boolean };
    try {
      result = await request(
        deps.bus,
        MCP_RPC.callTool,
        {
          session_id: info.rootSessionId,
          ...(info.thread && { thread_id: info.thread.id }),
          mcp_server_name: server,
          tool: call.name,
          tool_use_id: call.id,
          input: call.input,
        },
        { timeoutMs: MCP_TIMEOUT_MS },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failure: SessionEventInput[] =
        isCorralError(error, "MCP_AUTHENTICATION_FAILED") || isCorralError(error, "MCP_CONNECTION_FAILED")
          ? [mcpError(server, error)]
          : [];
      await append([
        ...failure,
        {
          type: "agent.mcp_tool_result",
          mcp_tool_use_id: call.id,
          content: text(`The MCP call failed: ${message}`),
          is_error: true,
        },
      ]);
      return;
    }
    await append([
      {
        type: "agent.mcp_tool_result",
        mcp_tool_use_id: call.id,
        content: text(result.content),
        is_error: result.is_error,
      },
    ]);
  }

  async function callModel(): Promise<void> {
    await loadMcpTools();
    const attempt = view.state.modelRetries + 1;
    if (view.state.lastErrorAt && attempt > 1) {
      const waitMs =
        Date.parse(view.state.lastErrorAt) + deps.config.retryBaseMs * 2 ** (attempt - 2) - Date.now();
      if (waitMs > 0) await sleepUnlessAborted(waitMs, stepAbort.signal);
      if (stepAbort.signal.aborted) return;
    }
    // The start records the last position the context was built from: an input that lands after it is
    // still new when the answer comes, so it is never marked as seen by a request that did not see it.
    let context = deps.strategy.build(view.events, view.state, info.session.agent);
    if (estimateTokens(context) > deps.strategy.compactAtTokens) {
      await compact();
      context = deps.strategy.build(view.events, view.state, info.session.agent);
    }
    const startId = newId("event");
    // One append for both: the platform's share of time-to-first-token is a handful of round trips.
    const running: SessionEventInput[] =
      view.state.status === "running" ? [] : [{ type: "session.status_running" }];
    const previews = new Map<number, string>();
    // The request goes out while its start is being appended: that append is off the time-to-first-token
    // path. If it fails, the request is abandoned (and a crash in between just means the next replica asks again).
    const abandon = new AbortController();
    const started = append(
      [...running, { type: "span.model_request_start", context_through_seq: view.state.lastSeq }],
      { ids: [...running.map(() => undefined), startId] },
    );
    const streaming = deps.model.stream(
      {
        model: info.session.agent.model.id,
        max_tokens: deps.config.maxTokens,
        system: context.system,
        messages: context.messages,
        tools: catalog.tools,
      },
      {
        signal: AbortSignal.any([stepAbort.signal, abandon.signal]),
        onText: (index, delta) => publishDelta(previews, index, delta),
      },
    );
    streaming.catch(() => undefined);
    try {
      await started;
    } catch (error) {
      abandon.abort();
      throw error;
    }
    try {
      const response = await streaming;
      await appendResponse(response, startId, previews, catalog);
    } catch (error) {
      const failed = {
        type: "span.model_request_end" as const,
        model_request_start_id: startId,
        is_error: true,
        model_usage: zeroUsage(),
      };
      if (error instanceof AbortedError || stepAbort.signal.aborted) {
        await append([failed]);
        return;
      }
      // Each attempt is an event, and the next one is decided from the log: retries survive a crash too.
      const modelError =
        error instanceof ModelError ? error : new ModelError(String(error), "unknown_error", false);
      const exhausted = attempt >= deps.config.maxModelAttempts;
      const retry_status = {
        type: !modelError.retryable ? "terminal" : exhausted ? "exhausted" : "retrying",
      } as const;
      log.warn(
        { attempt, error_type: modelError.errorType, retry_status: retry_status.type },
        "model request failed",
      );
      const errorEvent: SessionEventInput = {
        type: "session.error",
        error: { type: modelError.errorType, message: modelError.message, retry_status },
      };
      if (retry_status.type === "retrying") {
        await append([failed, errorEvent]);
        return;
      }
      const end: SessionEventInput =
        retry_status.type === "terminal"
          ? { type: "session.status_terminated" }
          : { type: "session.status_idle", stop_reason: { type: "retries_exhausted" } };
      await append([failed, errorEvent, usageEvent(), end]);
    }
  }

  function publishDelta(previews: Map<number, string>, index: number, delta: string): void {
    let id = previews.get(index);
    const subject = SUBJECTS.delta(sessionId);
    if (!id) {
      id = newId("event");
      previews.set(index, id);
      deps.bus.nc.publish(
        subject,
        JSON.stringify({ type: "event_start", event: { type: "agent.message", id } }),
      );
    }
    deps.bus.nc.publish(
      subject,
      JSON.stringify({
        type: "event_delta",
        event_id: id,
        delta: { type: "content_delta", index, content: { type: "text", text: delta } },
      }),
    );
  }

  async function appendResponse(
    response: ModelResponse,
    startId: string,
    previews: Map<number, string>,
    tools: ToolCatalog,
  ): Promise<void> {
    const events: SessionEventInput[] = [];
    const ids: (string | undefined)[] = [];
    response.content.forEach((block, index) => {
      if (block.type === "text") {
        if (!block.text) return;
        events.push({ type: "agent.message", content: text(block.text) });
        ids.push(previews.get(index));
      } else if (tools.kindOf(block.name) === "mcp") {
        const target = tools.mcpTarget(block.name)!;
        events.push({
          type: "agent.mcp_tool_use",
          mcp_server_name: target.server,
          name: target.tool,
          input: block.input,
          evaluated_permission: tools.permissionOf(block.name),
        });
        ids.push(undefined);
      } else if (tools.kindOf(block.name) === "custom") {
        events.push({ type: "agent.custom_tool_use", name: block.name, input: block.input });
        ids.push(undefined);
      } else {
        events.push({
          type: "agent.tool_use",
          name: block.name,
          input: block.input,
          evaluated_permission: tools.permissionOf(block.name),
        });
        ids.push(undefined);
      }
    });
    events.push({
      type: "span.model_request_end",
      model_request_start_id: startId,
      is_error: false,
      model_usage: response.usage,
    });
    await append(events, { ids });
  }

  async function compact(): Promise<void> {
    // The inputs the model has not answered yet stay verbatim: the summary covers what came before them.
    const firstNew = view.state.newInputSeqs[0] ?? view.state.lastSeq + 1;
    const throughSeq = firstNew - 1;
    if (throughSeq < 0 || throughSeq <= (view.state.compaction?.throughSeq ?? -1)) return;
    const context = deps.strategy.build(
      view.events.filter((e) => e.seq <= throughSeq),
      view.state,
      info.session.agent,
    );
    context.messages.push({
      role: "user",
      content: text(
        "Summarise the conversation so far for your own future reference: goals, decisions, files touched, open work. Reply with the summary only.",
      ),
    });
    const response = await deps.model.stream(
      {
        model: info.session.agent.model.id,
        max_tokens: deps.config.maxTokens,
        system: context.system,
        messages: mergeTail(context.messages),
        tools: [],
      },
      { signal: stepAbort.signal, onText: () => undefined },
    );
    const summary = response.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    await append([
      {
        type: "agent.thread_context_compacted",
        compacted_through_seq: throughSeq,
        summary,
        pre_compaction_tokens: estimateTokens(context),
      },
    ]);
  }
}

function mergeTail<T extends { role: string; content: unknown[] }>(messages: T[]): T[] {
  const out: T[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content.push(...m.content);
    else out.push({ ...m, content: [...m.content] });
  }
  return out;
}

function zeroUsage() {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
