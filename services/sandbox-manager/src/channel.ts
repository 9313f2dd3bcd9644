import { PassThrough, type Duplex } from "node:stream";
import { z } from "zod";
import { CorralError, EXECUTOR_FRAME_MAX_BYTES, type ToolResult } from "@corral/protocol";
import { eachLine } from "./lines.js";

const Reply = z.object({ id: z.number(), content: z.string(), is_error: z.boolean() });

/** JSON lines to and from the executor over a container's attached stdio. */
export interface ExecutorChannel {
  /**
   * Runs a tool. With a `key` (the tool_use id) the executor keeps the result and answers a repeat of the
   * key with it instead of running the tool again — also to a manager that restarted mid-call.
   */
  call(tool: string, input: Record<string, unknown>, key?: string): Promise<ToolResult>;
  /** True while no call awaits its reply (the executor runs one call at a time, in order). */
  idle(): boolean;
  /** Resolves once the executor said it is ready. */
  readonly ready: Promise<void>;
  /** Fails every pending and later call with SANDBOX_LOST. */
  fail(reason: string): void;
  close(): void;
}

type Demux = (
  stream: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
) => void;

/** One channel's state: calls awaiting their reply, the next call id, and why it failed, once it did. */
interface Channel {
  stream: Duplex;
  pending: Map<number, { resolve: (r: ToolResult) => void; reject: (e: Error) => void }>;
  nextId: number;
  failure: CorralError | null;
  ready: Deferred;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function fail(channel: Channel, reason: string): void {
  if (channel.failure) return;
  channel.failure = new CorralError("SANDBOX_LOST", reason);
  channel.ready.reject(channel.failure);
  for (const p of channel.pending.values()) p.reject(channel.failure);
  channel.pending.clear();
}

/** Reply id 0 is the executor's "ready"; any other answers the call with that id. */
function onLine(channel: Channel, line: string): void {
  const parsed = Reply.safeParse(safeJson(line));
  if (!parsed.success) return;
  const { id, content, is_error } = parsed.data;
  if (id === 0) return channel.ready.resolve();
  channel.pending.get(id)?.resolve({ content, is_error });
  channel.pending.delete(id);
}

function call(
  channel: Channel,
  tool: string,
  input: Record<string, unknown>,
  key: string | undefined,
): Promise<ToolResult> {
  if (channel.failure) return Promise.reject(channel.failure);
  const id = channel.nextId++;
  return new Promise<ToolResult>((resolve, reject) => {
    channel.pending.set(id, { resolve, reject });
    channel.stream.write(`${JSON.stringify({ id, tool, input, ...(key ? { key } : {}) })}\n`);
  });
}

export function createChannel(stream: Duplex, demux: Demux): ExecutorChannel {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  demux(stream, stdout, stderr);
  stderr.resume();
  const channel: Channel = {
    stream,
    pending: new Map(),
    // Random start: a re-attached executor may still answer calls a previous manager made.
    nextId: 1 + Math.floor(Math.random() * 1e9),
    failure: null,
    ready: deferred(),
  };
  channel.ready.promise.catch(() => undefined);
  eachLine(
    stdout,
    EXECUTOR_FRAME_MAX_BYTES,
    (line) => onLine(channel, line),
    (bytes) => {
      // A frame over the cap: the channel cannot be trusted any more, and nothing more of it is read.
      fail(channel, `the sandbox's executor sent a frame over ${EXECUTOR_FRAME_MAX_BYTES} bytes (${bytes})`);
      stream.destroy();
    },
  );
  stream.on("end", () => fail(channel, "the sandbox's executor went away"));
  stream.on("close", () => fail(channel, "the sandbox's executor went away"));
  stream.on("error", (err) => fail(channel, `the sandbox's executor failed: ${err.message}`));
  return {
    ready: channel.ready.promise,
    call: (tool, input, key) => call(channel, tool, input, key),
    idle: () => channel.pending.size === 0,
    fail: (reason) => fail(channel, reason),
    close() {
      fail(channel, "the sandbox was closed");
      stream.destroy();
    },
  };
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
