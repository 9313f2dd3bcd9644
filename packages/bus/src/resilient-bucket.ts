import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { KV, KvOptions } from "@nats-io/kv";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import { CorralError } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { encodeValue, typedBucket, type Bucket } from "./bucket.js";
import { isKeyConflict } from "./kv.js";
import { retrying, type RetryOptions } from "./retry.js";
import { bucketFailure } from "./retrying-bucket.js";
import { openBucket, type BucketName } from "./streams.js";

export interface Resilience {
  /** How long one call keeps trying through an outage; a leader election takes 5–10 s. */
  deadlineMs: number;
  /** Aborting ends the retries (the last failure is thrown). */
  signal?: AbortSignal;
  /** Told of every failed attempt that will be made again (e.g. to know the bucket was just away). */
  onRetry?: RetryOptions["onRetry"];
}

export interface Handles<T> {
  name: BucketName;
  schema: z.ZodType<T>;
  js: JetStreamClient;
  /** Short-attempt handles for every call but `watch`. */
  quick: Bucket<T>;
  raw: KV;
  /** The bucket on the connection's normal timeouts: `watch` is a long-lived consumer, not a call. */
  steady: Bucket<T>;
  retry: RetryOptions;
}

/** Runs one call, turning NATS failures into CorralErrors and retrying the retryable ones. */
function attempt<R>(h: Handles<unknown>, fn: () => Promise<R>): Promise<R> {
  return retrying(async () => {
    try {
      return await fn();
    } catch (error) {
      throw bucketFailure(error, h.name);
    }
  }, h.retry);
}

/**
 * A revision-guarded write that is safe to repeat: its message id is fixed before the first attempt and
 * the server checks ids before the guard, so a repeat of a write that landed (its answer lost to a
 * timeout or an election) is answered "duplicate" with the revision it got, never taken for a conflict
 * with itself. Null when the entry is no longer at `revision`.
 */
function guardedWrite<T>(
  h: Handles<T>,
  key: string,
  body: string,
  revision: number,
  operation?: "DEL",
): Promise<number | null> {
  const msgID = randomUUID();
  return attempt(h, async () => {
    const headers = natsHeaders();
    if (operation) headers.set("KV-Operation", operation);
    try {
      const ack = await h.js.publish(`$KV.${h.name}.${key}`, operation ? "" : body, {
        msgID,
        headers,
        expect: { lastSubjectSequence: revision },
      });
      return ack.seq;
    } catch (error) {
      if (isKeyConflict(error)) return null;
      throw error;
    }
  });
}

/** Creates the key, also over a deleted key's marker; null when it holds a value. */
async function create<T>(h: Handles<T>, key: string, value: T): Promise<number | null> {
  const body = encodeValue(h.schema, h.name, key, value);
  const created = await guardedWrite(h, key, body, 0);
  if (created !== null) return created;
  // A deleted key keeps a marker: the key is free, at the marker's revision.
  const marker = await attempt(h, () => h.raw.get(key));
  if (marker === null || marker.operation === "PUT") return null;
  return guardedWrite(h, key, body, marker.revision);
}

async function update<T>(h: Handles<T>, key: string, change: (current: T) => T | undefined) {
  for (let round = 0; round < 20; round++) {
    const current = await attempt(h, () => h.quick.get(key));
    if (!current) return null;
    const next = change(current.value);
    if (next === undefined) return current;
    const revision = await guardedWrite(h, key, encodeValue(h.schema, h.name, key, next), current.revision);
    if (revision !== null) return { value: next, revision };
  }
  throw new CorralError("CONFLICT", `too much contention on ${h.name}/${key}`);
}

/**
 * A bucket whose every call rides out a NATS restart or a leader election: each attempt waits
 * `TIMEOUTS.jsAttemptMs`, not the connection's long timeout, and is tried again within the deadline.
 * Guarded writes (create, replace, delete at a revision) are repeatable by message id, so a write whose
 * answer was lost is neither applied twice nor reported as a conflict. `update`'s change may run again
 * after a conflict, so it must compute the next value from the current one alone.
 */
export function resilientBucket<T>(h: Handles<T>): Bucket<T> {
  return {
    name: h.name,
    get: (key) => attempt(h, () => h.quick.get(key)),
    create: (key, value) => create(h, key, value),
    put: (key, value) => attempt(h, () => h.quick.put(key, value)),
    replace: (key, value, revision) =>
      guardedWrite(h, key, encodeValue(h.schema, h.name, key, value), revision),
    update: (key, change) => update(h, key, change),
    async delete(key, revision) {
      if (revision === undefined) return attempt(h, () => h.quick.delete(key));
      return (await guardedWrite(h, key, "", revision, "DEL")) !== null;
    },
    purge: (key) => attempt(h, () => h.quick.purge(key)),
    keys: (filter) => attempt(h, () => h.quick.keys(filter)),
    watch: (options) => h.steady.watch(options),
  };
}

/** Opens (creating or verifying) a bucket as `openTypedBucket` does, with every call resilient. */
export async function openResilientBucket<T>(
  bus: Bus,
  name: BucketName,
  schema: z.ZodType<T>,
  resilience: Resilience,
  options: Partial<KvOptions> = {},
): Promise<Bucket<T>> {
  const kv: KV = await openBucket(bus, name, options);
  const raw = await bus.attempt.kvm.open(name, { allow_direct: false });
  const retry: RetryOptions = { maxDelayMs: 1000, ...resilience };
  const steady = typedBucket(kv, name, schema);
  return resilientBucket({
    name,
    schema,
    js: bus.attempt.js,
    retry,
    raw,
    quick: typedBucket(raw, name, schema),
    steady,
  });
}
