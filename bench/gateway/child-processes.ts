import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** CLOCK_MONOTONIC in ms: the same clock in every process of the machine, so times compare across them. */
export const clock = () => Number(process.hrtime.bigint()) / 1e6;

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const spawnChild = (name: string) =>
  fork(script(name), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === "failed") reject(new Error(message.message));
      if (message.type !== type && message.type !== "failed") return;
      child.off("message", onMessage);
      resolve(message as T);
    };
    child.on("message", onMessage);
  });
}

/** The follower process: opens N SSE streams, tells when every one has a position, reports arrivals. */
export interface FollowerProcess {
  open(url: string, headers: Record<string, string>, count: number): Promise<void>;
  /** Resolves once every open follower has received position `seq`. */
  allHave(seq: number): Promise<void>;
  /** Closes every stream; returns each arrival (position and monotonic time). */
  close(): Promise<{ seqs: number[]; times: number[] }>;
  stop(): void;
}

export function startFollowers(): FollowerProcess {
  const child = spawnChild("followers.ts");
  const waiting = new Map<number, () => void>();
  const done = new Set<number>();
  child.on("message", (message: { type: string; seq?: number }) => {
    if (message.type !== "all") return;
    const wake = waiting.get(message.seq!);
    if (wake) wake();
    else done.add(message.seq!);
  });
  return {
    async open(url, headers, count) {
      const ready = next(child, "ready");
      child.send({ type: "open", url, headers, count });
      await ready;
    },
    allHave: (seq) =>
      done.delete(seq)
        ? Promise.resolve()
        : new Promise((resolve) => waiting.set(seq, () => (waiting.delete(seq), resolve()))),
    async close() {
      const report = next<{ seqs: number[]; times: number[] }>(child, "arrivals");
      child.send({ type: "close" });
      const arrivals = await report;
      done.clear();
      return arrivals;
    },
    stop: () => child.disconnect(),
  };
}

/** A bare node:http SSE server in its own process: `send` writes one frame to every stream it holds. */
export async function startBareServer(): Promise<{ url: string; send(text: string): void; stop(): void }> {
  const child = spawnChild("bare-server.ts");
  const { port } = await next<{ port: number }>(child, "port");
  return {
    url: `http://127.0.0.1:${port}/stream`,
    send: (text) => child.send({ type: "send", text }),
    stop: () => child.disconnect(),
  };
}
