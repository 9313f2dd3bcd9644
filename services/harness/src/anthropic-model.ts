import Anthropic from "@anthropic-ai/sdk";
import { AbortedError, ModelError, type Model, type ModelResponse, type ResponseBlock } from "./model.js";
import { meterModelRequest } from "./model-metrics.js";
import { traceModelRequest } from "./model-span.js";

export interface AnthropicModelConfig {
  apiKey: string;
  baseURL?: string | undefined;
  timeoutMs?: number;
}

function classify(error: unknown): ModelError | AbortedError {
  if (error instanceof Anthropic.APIUserAbortError) return new AbortedError("model stream aborted");
  if (error instanceof Anthropic.APIError) {
    const status = error.status ?? 0;
    if (status === 429)
      return new ModelError("the model is rate limited", "model_rate_limited_error", true, { cause: error });
    if (status === 529)
      return new ModelError("the model is overloaded", "model_overloaded_error", true, { cause: error });
    if (status === 0 || status >= 500)
      return new ModelError(
        `the model request failed (${status || "no response"})`,
        "model_request_failed_error",
        true,
        { cause: error },
      );
    return new ModelError(
      `the model rejected the request (${status}): ${error.message}`,
      "model_request_failed_error",
      false,
      { cause: error },
    );
  }
  const text = error instanceof Error ? error.message : String(error);
  // A stream that breaks off mid-way (an SSE error frame, a reset socket) is worth retrying.
  return new ModelError(
    `the model stream failed: ${text}`,
    /overload/i.test(text) ? "model_overloaded_error" : "model_request_failed_error",
    true,
    { cause: error },
  );
}

function toBlocks(content: Anthropic.ContentBlock[]): ResponseBlock[] {
  const blocks: ResponseBlock[] = [];
  for (const block of content) {
    if (block.type === "text") blocks.push({ type: "text", text: block.text });
    else if (block.type === "tool_use")
      blocks.push({
        type: "tool_use",
        id: block.id,
        name: block.name,
        input: (block.input ?? {}) as Record<string, unknown>,
      });
  }
  return blocks;
}

/** The real model, through `@anthropic-ai/sdk` streaming; retries are the harness's (each one is an event). */
export function createAnthropicModel(config: AnthropicModelConfig): Model {
  const client = new Anthropic({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    maxRetries: 0,
    timeout: config.timeoutMs ?? 600_000,
  });
  return {
    async stream(request, hooks): Promise<ModelResponse> {
      const meter = meterModelRequest();
      const traced = traceModelRequest(request.model);
      try {
        const stream = client.messages.stream(request as unknown as Anthropic.MessageStreamParams, {
          signal: hooks.signal,
        });
        stream.on("streamEvent", (event) => {
          if (event.type !== "content_block_delta") return;
          meter.token();
          if (event.delta.type === "text_delta") hooks.onText(event.index, event.delta.text);
        });
        const message = await stream.finalMessage();
        const u = message.usage;
        const usage = {
          input_tokens: u.input_tokens,
          output_tokens: u.output_tokens,
          cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
          cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
        };
        meter.done(usage);
        traced.done(message.stop_reason, usage);
        return { content: toBlocks(message.content), stop_reason: message.stop_reason, usage };
      } catch (error) {
        const failure = hooks.signal.aborted ? new AbortedError("model stream aborted") : classify(error);
        meter.failed(failure instanceof ModelError ? failure.errorType : "aborted");
        traced.failed(failure instanceof ModelError ? failure.errorType : "aborted");
        throw failure;
      }
    },
  };
}
