import { newId, type EventId, type SessionEventInput } from "@corral/protocol";
import { estimateTokens } from "./context.js";
import { AbortedError, ModelError } from "./model.js";
import { append, usageEvent, type Run } from "./run-context.js";
import { compact } from "./compaction.js";
import { livePreviews } from "./live-deltas.js";
import { loadMcpTools } from "./mcp-tools.js";
import { appendResponse } from "./model-response.js";
import { withMemorySection } from "./memory-prompt.js";

const zeroUsage = () => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
});

/**
 * Asks the model for the next turn and appends its answer. Each attempt is an event, and a retry is
 * decided from the log (with the backoff counted from the last error's time), so retries survive a crash.
 */
export async function callModel(run: Run): Promise<void> {
  await loadMcpTools(run);
  await backOff(run);
  if (run.stepAbort.signal.aborted) return;
  const context = await buildContext(run);
  const startId = newId("event");
  const previews = livePreviews(run);
  // The request goes out while its start is being appended: that append is off the time-to-first-token
  // path. If it fails, the request is abandoned (a crash in between just means the next replica asks again).
  const abandon = new AbortController();
  const started = appendStart(run, startId);
  const { session } = run.info;
  const streaming = run.deps.model.stream(
    {
      model: session.agent.model.id,
      max_tokens: run.deps.config.maxTokens,
      system: context.system,
      messages: context.messages,
      tools: run.catalog.tools,
    },
    { signal: AbortSignal.any([run.stepAbort.signal, abandon.signal]), onText: previews.onText },
  );
  streaming.catch(() => undefined);
  await started.catch((error: unknown) => {
    abandon.abort();
    throw error;
  });
  let response;
  try {
    response = await streaming;
  } catch (error) {
    await recordFailure(run, startId, error);
    return;
  }
  // Outside the try: a failed append (the lease lost, the bus away) is not the model's failure.
  await appendResponse(run, response, startId, previews.ids);
}

/** Waits out the backoff owed for the attempts that already failed (as the log says). */
async function backOff(run: Run): Promise<void> {
  const { state } = run.view;
  const attempt = state.modelRetries + 1;
  if (!state.lastErrorAt || attempt <= 1) return;
  const waitMs =
    Date.parse(state.lastErrorAt) + run.deps.config.retryBaseMs * 2 ** (attempt - 2) - Date.now();
  if (waitMs > 0) await sleepUnlessAborted(waitMs, run.stepAbort.signal);
}

async function buildContext(run: Run) {
  const { strategy } = run.deps;
  const agent = withMemorySection(run.info.session.agent, run.info.session.resources);
  const build = () => strategy.build(run.view.events, run.view.state, agent);
  const context = build();
  if (estimateTokens(context) <= strategy.compactAtTokens) return context;
  await compact(run);
  return build();
}

/**
 * The start records the last position the context was built from: an input that lands after it is still
 * new when the answer comes, so it is never marked as seen by a request that did not see it.
 */
function appendStart(run: Run, startId: EventId): Promise<boolean> {
  const running: SessionEventInput[] =
    run.view.state.status === "running" ? [] : [{ type: "session.status_running" }];
  const start: SessionEventInput = {
    type: "span.model_request_start",
    context_through_seq: run.view.state.lastSeq,
  };
  return append(run, [...running, start], { ids: [...running.map(() => undefined), startId] });
}

/** A failed request: recorded, and retried, exhausted or terminal as the error and the attempt count say. */
async function recordFailure(run: Run, startId: EventId, error: unknown): Promise<void> {
  const failed: SessionEventInput = {
    type: "span.model_request_end",
    model_request_start_id: startId,
    is_error: true,
    model_usage: zeroUsage(),
  };
  if (error instanceof AbortedError || run.stepAbort.signal.aborted) {
    await append(run, [failed]);
    return;
  }
  const modelError =
    error instanceof ModelError ? error : new ModelError(String(error), "unknown_error", false);
  const attempt = run.view.state.modelRetries + 1;
  const exhausted = attempt >= run.deps.config.maxModelAttempts;
  const retry_status = {
    type: !modelError.retryable ? "terminal" : exhausted ? "exhausted" : "retrying",
  } as const;
  run.log.warn(
    { attempt, error_type: modelError.errorType, retry_status: retry_status.type },
    "model request failed",
  );
  const errorEvent: SessionEventInput = {
    type: "session.error",
    error: { type: modelError.errorType, message: modelError.message, retry_status },
  };
  if (retry_status.type === "retrying") {
    await append(run, [failed, errorEvent]);
    return;
  }
  const end: SessionEventInput =
    retry_status.type === "terminal"
      ? { type: "session.status_terminated" }
      : { type: "session.status_idle", stop_reason: { type: "retries_exhausted" } };
  await append(run, [failed, errorEvent, usageEvent(run), end]);
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
