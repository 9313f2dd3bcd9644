import { PassThrough, type Duplex } from "node:stream";
import { z } from "zod";
import { CorralError, type ToolResult } from "@corral/protocol";

const Reply = z.object({ id: z.number(), content: z.string(), is_error: z.boolean() });

/** JSON lines to and from the executor over a container's attached stdio. */
export interface ExecutorChannel {
  call(tool: string, input: Record<string, unknown>): Promise<ToolResult>;
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

export function createChannel(stream: Duplex, demux: Demux): ExecutorChannel {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  demux(stream, stdout, stderr);
  stderr.resume();
  const pending = new Map<number, { resolve: (r: ToolResult) => void; reject: (e: Error) => void }>();
  // Random start: a re-attached executor may still answer calls a previous manager made.
  let nextId = 1 + Math.floor(Math.random() * 1e9);
  let failure: CorralError | null = null;
  let buffer = "";
  let markReady: () => void = () => undefined;
  let markFailed: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  ready.catch(() => undefined);

  function fail(reason: string): void {
    if (failure) return;
    failure = new CorralError("SANDBOX_LOST", reason);
    markFailed(failure);
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  }

  stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      const parsed = Reply.safeParse(safeJson(line));
      if (!parsed.success) continue;
      if (parsed.data.id === 0) {
        markReady();
        continue;
      }
      pending.get(parsed.data.id)?.resolve({ content: parsed.data.content, is_error: parsed.data.is_error });
      pending.delete(parsed.data.id);
    }
  });
  stream.on("end", () => fail("the sandbox's executor went away"));
  stream.on("close", () => fail("the sandbox's executor went away"));
  stream.on("error", (err) => fail(`the sandbox's executor failed: ${err.message}`));

  return {
    ready,
    call(tool, input) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<ToolResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        stream.write(`${JSON.stringify({ id, tool, input })}\n`);
      });
    },
    fail,
    close() {
      fail("the sandbox was closed");
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
