import type { SessionErrorType } from "@corral/protocol";
import type { ContentBlockParam, MessageParam } from "./context.js";
import type { ModelTool } from "./tool-catalog.js";

export interface ModelRequest {
  model: string;
  max_tokens: number;
  system: ContentBlockParam[];
  messages: MessageParam[];
  tools: ModelTool[];
}

export type ResponseBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface ModelResponse {
  content: ResponseBlock[];
  stop_reason: string | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
}

export interface StreamHooks {
  signal: AbortSignal;
  /** A text delta of content block `index`, as it streams. */
  onText(index: number, text: string): void;
}

/** The brain's one dependency on a model: stream a request, get the final message. */
export interface Model {
  stream(request: ModelRequest, hooks: StreamHooks): Promise<ModelResponse>;
}

export class ModelError extends Error {
  override readonly name = "ModelError";
  constructor(
    message: string,
    readonly errorType: SessionErrorType,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class AbortedError extends Error {
  override readonly name = "AbortedError";
}
