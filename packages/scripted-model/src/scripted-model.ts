import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { answer } from "./answer.js";
import type { ReceivedRequest, ScriptedModel, ScriptedTurn } from "./types.js";

/** What one server holds between requests: the turns still to play and every request seen. */
interface ModelState {
  queue: ScriptedTurn[];
  requests: ReceivedRequest[];
  fallback: ScriptedTurn | null;
  /** Called after each request arrives, so waiters hear of it without polling. */
  listeners: Set<() => void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(state: ModelState, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
  state.requests.push(received);
  for (const listener of state.listeners) listener();
  res.on("close", () => (received.aborted = !res.writableFinished));
  const turn = state.queue.shift() ?? state.fallback;
  if (!turn) return answer(res, received, { type: "error", status: 500, message: "no scripted turn left" });
  await answer(res, received, typeof turn === "function" ? turn(received) : turn);
}

function waitForRequests(state: ModelState, count: number, timeoutMs: number): Promise<ReceivedRequest[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (state.requests.length < count) return;
      clearTimeout(timer);
      state.listeners.delete(check);
      resolve(state.requests.slice(0, count));
    };
    const timer = setTimeout(() => {
      state.listeners.delete(check);
      reject(new Error(`expected ${count} model requests`));
    }, timeoutMs);
    state.listeners.add(check);
    check();
  });
}

/**
 * A real HTTP server speaking the Anthropic Messages API (SSE streaming), answering from a script. `host`
 * is the address listened on (default loopback; "0.0.0.0" for callers in containers); the URL returned is
 * always the loopback one.
 */
export async function startScriptedModel(
  options: { port?: number; host?: string } = {},
): Promise<ScriptedModel> {
  const state: ModelState = { queue: [], requests: [], fallback: null, listeners: new Set() };
  const server = createServer((req, res) => void handle(state, req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: state.requests,
    script: (...turns) => void state.queue.push(...turns),
    setFallback: (turn) => void (state.fallback = turn),
    waitForRequests: (count, timeoutMs = 20_000) => waitForRequests(state, count, timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
