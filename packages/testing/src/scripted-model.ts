import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "./wait-for.js";

export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id?: string; name: string; input: Record<string, unknown> };

export type ScriptedReply =
  | {
      type: "message";
      content: ScriptedBlock[];
      stop_reason?: string;
      usage?: { input_tokens: number; output_tokens: number };
      latencyMs?: number;
      chunkDelayMs?: number;
    }
  | { type: "error"; status: number; message?: string }
  | { type: "hang" };

export type ScriptedTurn = ScriptedReply | ((request: ReceivedRequest) => ScriptedReply);

export interface ReceivedRequest {
  body: {
    model: string;
    max_tokens: number;
    stream?: boolean;
    system?: unknown;
    messages: Array<{ role: string; content: unknown }>;
    tools?: Array<{ name: string }>;
  };
  headers: Record<string, string | string[] | undefined>;
  receivedAt: number;
  aborted: boolean;
}

export interface ScriptedModel {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  script(...turns: ScriptedTurn[]): void;
  /** Used when the script is empty; null answers 500 "no scripted turn left". */
  setFallback(turn: ScriptedTurn | null): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

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

/** The request's system prompt as text, whether sent as a string or as blocks. */
export function systemText(request: ReceivedRequest): string {
  const system = request.body.system;
  return Array.isArray(system)
    ? (system as Array<{ text?: string }>).map((b) => b.text ?? "").join("")
    : String(system ?? "");
}

/** Every content block of every message in the request, in order. */
export function requestBlocks(request: ReceivedRequest): Array<Record<string, unknown>> {
  return request.body.messages.flatMap((m) =>
    Array.isArray(m.content) ? (m.content as Array<Record<string, unknown>>) : [],
  );
}

/** The tool results the request carries (one per tool call answered so far). */
export function toolResultsIn(request: ReceivedRequest): Array<Record<string, unknown>> {
  return requestBlocks(request).filter((b) => b.type === "tool_result");
}

/** The text of the last user message (its text blocks and tool results), for tests that echo. */
export function lastUserText(request: ReceivedRequest): string {
  const last = [...request.body.messages].reverse().find((m) => m.role === "user");
  const blocks = Array.isArray(last?.content) ? (last.content as Array<Record<string, unknown>>) : [];
  return blocks
    .flatMap((b) =>
      b.type === "text"
        ? [String(b.text)]
        : b.type === "tool_result"
          ? (b.content as Array<{ text?: string }>).map((c) => c.text ?? "")
          : [],
    )
    .join("\n");
}

async function streamMessage(
  res: ServerResponse,
  request: ReceivedRequest,
  reply: Extract<ScriptedReply, { type: "message" }>,
): Promise<void> {
  const usage = reply.usage ?? { input_tokens: 10, output_tokens: 5 };
  const stop =
    reply.stop_reason ?? (reply.content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn");
  const pause = () => (reply.chunkDelayMs ? sleep(reply.chunkDelayMs) : Promise.resolve());
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  sse(res, "message_start", {
    message: {
      id: id("msg"),
      type: "message",
      role: "assistant",
      model: request.body.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.input_tokens, output_tokens: 1 },
    },
  });
  sse(res, "ping", {});
  for (const [index, block] of reply.content.entries()) {
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
  sse(res, "message_delta", {
    delta: { stop_reason: stop, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, "message_stop", {});
  res.end();
}

async function answer(res: ServerResponse, request: ReceivedRequest, reply: ScriptedReply): Promise<void> {
  if (reply.type === "error") {
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        type: "error",
        error: {
          type: ERROR_TYPES[reply.status] ?? "api_error",
          message: reply.message ?? `scripted ${reply.status}`,
        },
      }),
    );
    return;
  }
  if (reply.type === "hang") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    sse(res, "message_start", {
      message: {
        id: id("msg"),
        type: "message",
        role: "assistant",
        model: request.body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    });
    sse(res, "content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    sse(res, "content_block_delta", { index: 0, delta: { type: "text_delta", text: "thinking about it" } });
    return;
  }
  if (reply.latencyMs) await sleep(reply.latencyMs);
  await streamMessage(res, request, reply);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A real HTTP server speaking the Anthropic Messages API (SSE streaming), answering from a script. */
export async function startScriptedModel(options: { port?: number } = {}): Promise<ScriptedModel> {
  const queue: ScriptedTurn[] = [];
  const requests: ReceivedRequest[] = [];
  let fallback: ScriptedTurn | null = null;
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
        res.writeHead(404).end();
        return;
      }
      const received: ReceivedRequest = {
        body: JSON.parse(await readBody(req)) as ReceivedRequest["body"],
        headers: req.headers,
        receivedAt: performance.now(),
        aborted: false,
      };
      requests.push(received);
      res.on("close", () => (received.aborted = !res.writableFinished));
      const turn = queue.shift() ?? fallback;
      if (!turn)
        return answer(res, received, { type: "error", status: 500, message: "no scripted turn left" });
      await answer(res, received, typeof turn === "function" ? turn(received) : turn);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...turns) => void queue.push(...turns),
    setFallback: (turn) => void (fallback = turn),
    waitForRequests: (count, timeoutMs = 20_000) =>
      waitFor(() => requests.length >= count && requests.slice(0, count), {
        timeoutMs,
        message: `expected ${count} model requests`,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
