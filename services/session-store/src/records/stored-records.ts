import { z } from "zod";
import { SealedBox, SessionRecord, ThreadId, ThreadRecord, Usage } from "@corral/protocol";

/**
 * What the session-store keeps per session: the API record plus the position of the last status and usage
 * event folded into it. Both are snapshots, so folding is last-writer-wins by position and batches from
 * two writers may be folded in either order. A session's usage is its primary thread's (`own_usage`)
 * plus each sub-agent thread's latest snapshot (`threads_usage`).
 */
export const StoredSession = z.object({
  record: SessionRecord,
  status_seq: z.number().int(),
  usage_seq: z.number().int(),
  running_since: z.string().nullable(),
  own_usage: Usage.optional(),
  threads_usage: z.record(ThreadId, Usage).default({}),
  /** Threads running now: while any runs, the session shows as running. */
  threads_running: z.array(ThreadId).default([]),
  /** Sealed tokens of the session's repository resources, by resource id: beside the record, never in it. */
  resource_tokens: z.record(z.string(), SealedBox).default({}),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** A sub-agent thread: its record, folded from its own log exactly like a session's. */
export const StoredThread = z.object({
  record: ThreadRecord,
  status_seq: z.number().int(),
  usage_seq: z.number().int(),
  running_since: z.string().nullable(),
});
export type StoredThread = z.infer<typeof StoredThread>;
