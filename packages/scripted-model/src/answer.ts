import type { ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReceivedRequest, ScriptedBlock, ScriptedReply } from "./types.js";

type MessageReply = Extract<ScriptedReply, { type: "message" }>;

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

function sse(res: ServerResponse, type: string, data: object): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

function messageStart(res: ServerResponse, model: string, inputTokens: number): void {
  sse(res, "message_start", {
    message: {
      id: id("msg"),
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    },
  });
}

async function streamBlock(
  res: ServerResponse,
  index: number,
  block: ScriptedBlock,
  pause: () => Promise<unknown>,
): Promise<void> {
  if (block.type === "text") {
    sse(res, "content_block_start", { index, content_block: { type: "text", text: "" } });
    for (let i = 0; i < block.text.length; i += 16) {
      await pause();
      sse(res, "content_block_delta", {
        index,
        delta: { type: "text_delta", text: block.text.slice(i, i + 16) },
      });
    }
  } else {
    sse(res, "content_block_start", {
      index,
      content_block: { type: "tool_use", id: block.id ?? id("toolu"), name: block.name, input: {} },
    });
    await pause();
    sse(res, "content_block_delta", {
      index,
      delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
    });
  }
  sse(res, "content_block_stop", { index });
}

async function streamMessage(res: ServerResponse, request: ReceivedRequest, reply: MessageReply) {
  const usage = reply.usage ?? { input_tokens: 10, output_tokens: 5 };
  const stop =
    reply.stop_reason ?? (reply.content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
  const pause = () => (reply.chunkDelayMs ? sleep(reply.chunkDelayMs) : Promise.resolve());
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  messageStart(res, request.body.model, usage.input_tokens);
  sse(res, "ping", {});
  for (const [index, block] of reply.content.entries()) await streamBlock(res, index, block, pause);
  sse(res, "message_delta", {
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, "message_stop", {});
  res.end();
}

function answerError(res: ServerResponse, status: number, message: string | undefined): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      type: "error",
      error: { type: ERROR_TYPES[status] ?? "api_error", message: message ?? `scripted ${status}` },
    }),
  );
}

/** Starts a stream and never finishes it: a model that stalls mid-answer. */
function hang(res: ServerResponse, request: ReceivedRequest): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  messageStart(res, request.body.model, 1);
  sse(res, "content_block_start", { index: 0, content_block: { type: "text", text: "" } });
  sse(res, "content_block_delta", { index: 0, delta: { type: "text_delta", text: "thinking about it" } });
}

/** Writes one scripted reply as the Messages API would: SSE stream, error body, or a stall. */
export async function answer(res: ServerResponse, request: ReceivedRequest, reply: ScriptedReply) {
  switch (reply.type) {
    case "error":
      return answerError(res, reply.status, reply.message);
    case "hang":
      return hang(res, request);
    case "message":
      if (reply.latencyMs) await sleep(reply.latencyMs);
      return streamMessage(res, request, reply);
  }
}
