import type Docker from "dockerode";
import { z } from "zod";
import { LABELS } from "./labels.js";
import { eachLine } from "./lines.js";
import type { DeathEvent } from "./sandbox-runtime.js";

interface DockerEvent {
  id: string;
  action: string;
  exitCode: string;
}

/** What one watch holds: whether it was stopped, the open event stream, and containers that ran out of memory. */
interface Watch {
  stopped: boolean;
  stream: NodeJS.ReadableStream | null;
  oom: Set<string>;
}

/** Follows Docker's `die`/`oom` events for this host's sandboxes, reconnecting when the stream ends. */
export function watchDeaths(
  docker: Docker,
  hostId: string,
  listener: (event: DeathEvent) => void,
): () => void {
  const watch: Watch = { stopped: false, stream: null, oom: new Set() };
  void follow(docker, hostId, watch, listener);
  return () => {
    watch.stopped = true;
    (watch.stream as unknown as { destroy?: () => void } | null)?.destroy?.();
  };
}

async function follow(
  docker: Docker,
  hostId: string,
  watch: Watch,
  listener: (event: DeathEvent) => void,
): Promise<void> {
  while (!watch.stopped) {
    try {
      const stream = await docker.getEvents({
        filters: {
          type: ["container"],
          event: ["die", "oom"],
          label: [`${LABELS.sandbox}=1`, `${LABELS.host}=${hostId}`],
        },
      });
      watch.stream = stream;
      await readLines(stream, (line) => {
        const death = toDeath(watch, parseEvent(line));
        if (death) listener(death);
      });
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Docker's events are small; a longer line means a broken stream, read again from a new one. */
const EVENT_MAX_BYTES = 1024 * 1024;

/** Docker sends NDJSON. Resolves when the stream ends. */
function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    eachLine(stream, EVENT_MAX_BYTES, onLine, () => {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      resolve();
    });
    stream.on("end", resolve);
    stream.on("error", () => resolve());
  });
}

/** An `oom` is remembered until its container's `die`, which then says why it died. */
function toDeath(watch: Watch, event: DockerEvent | null): DeathEvent | null {
  if (!event) return null;
  if (event.action === "oom") {
    watch.oom.add(event.id);
    return null;
  }
  return {
    containerId: event.id,
    reason: watch.oom.delete(event.id)
      ? "the sandbox ran out of memory"
      : `the sandbox exited (code ${event.exitCode})`,
  };
}

const RawEvent = z.object({
  id: z.string().min(1),
  Action: z.string().min(1),
  Actor: z.object({ Attributes: z.record(z.string(), z.string()).optional() }).optional(),
});

function parseEvent(line: string): DockerEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = RawEvent.safeParse(json);
  if (!parsed.success) return null;
  const e = parsed.data;
  return { id: e.id, action: e.Action, exitCode: e.Actor?.Attributes?.exitCode ?? "?" };
}
