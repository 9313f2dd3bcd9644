import type { z } from "zod";
import type { KV, KvOptions } from "@nats-io/kv";
import { CorralError } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { openBucket, type BucketName } from "./streams.js";
import { isKeyConflict, type Versioned } from "./kv.js";

/** A change seen by `watch`: the new value, or null when the key was deleted or purged. */
export interface BucketChange<T> {
  key: string;
  value: T | null;
  revision: number;
}

/**
 * A typed handle on one KV bucket: every value is checked against the bucket's schema when it is read
 * and when it is written, so nothing malformed is stored and nothing stored is taken on trust. Services
 * hold these instead of raw KV; each bucket is written by the one service that owns it.
 */
export interface Bucket<T> {
  readonly name: BucketName;
  get(key: string): Promise<Versioned<T> | null>;
  /** Stores only if the key does not exist yet; null when it does. */
  create(key: string, value: T): Promise<number | null>;
  put(key: string, value: T): Promise<number>;
  /** Writes only if the entry is still at `revision`; null when another write came first. */
  replace(key: string, value: T, revision: number): Promise<number | null>;
  /** Read-modify-write with the revision as guard, retried on a lost race; `change` may return undefined. */
  update(key: string, change: (current: T) => T | undefined): Promise<Versioned<T> | null>;
  /** Removes the key; with `revision`, only if it is still at it (false when it moved). */
  delete(key: string, revision?: number): Promise<boolean>;
  /** Removes the key and its history. */
  purge(key: string): Promise<void>;
  keys(filter?: string): Promise<string[]>;
  /** Changes from now on (`updates`) or from the last value of every key first (`all`). */
  watch(options: { from: "now" | "all"; signal: AbortSignal }): AsyncIterable<BucketChange<T>>;
}

function decode<T>(schema: z.ZodType<T>, bucket: string, key: string, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CorralError("INTERNAL", `stored value ${bucket}/${key} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new CorralError("INTERNAL", `stored value ${bucket}/${key} does not match its schema`);
  return parsed.data;
}

/** The stored form of a value, checked against the bucket's schema first. */
export function encodeValue<T>(schema: z.ZodType<T>, bucket: string, key: string, value: T): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new CorralError("INTERNAL", `value for ${bucket}/${key} does not match its schema`);
  return JSON.stringify(value);
}

export function typedBucket<T>(kv: KV, name: BucketName, schema: z.ZodType<T>): Bucket<T> {
  async function get(key: string): Promise<Versioned<T> | null> {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== "PUT" || entry.length === 0) return null;
    return { value: decode(schema, name, key, entry.string()), revision: entry.revision };
  }

  async function replace(key: string, value: T, revision: number): Promise<number | null> {
    try {
      return await kv.update(key, encodeValue(schema, name, key, value), revision);
    } catch (error) {
      if (isKeyConflict(error)) return null;
      throw error;
    }
  }

  return {
    name,
    get,
    async create(key, value) {
      try {
        return await kv.create(key, encodeValue(schema, name, key, value));
      } catch (error) {
        if (isKeyConflict(error)) return null;
        throw error;
      }
    },
    put: (key, value) => kv.put(key, encodeValue(schema, name, key, value)),
    replace,
    async update(key, change) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const current = await get(key);
        if (!current) return null;
        const next = change(current.value);
        if (next === undefined) return current;
        const revision = await replace(key, next, current.revision);
        if (revision !== null) return { value: next, revision };
      }
      throw new CorralError("CONFLICT", `too much contention on ${name}/${key}`);
    },
    async delete(key, revision) {
      try {
        await kv.delete(key, revision === undefined ? undefined : { previousSeq: revision });
        return true;
      } catch (error) {
        if (revision !== undefined && isKeyConflict(error)) return false;
        throw error;
      }
    },
    purge: async (key) => void (await kv.purge(key)),
    async keys(filter) {
      const out: string[] = [];
      for await (const key of await kv.keys(filter)) out.push(key);
      return out;
    },
    watch: (options) => watchBucket(kv, name, schema, options),
  };
}

async function* watchBucket<T>(
  kv: KV,
  name: BucketName,
  schema: z.ZodType<T>,
  options: { from: "now" | "all"; signal: AbortSignal },
): AsyncIterable<BucketChange<T>> {
  const iterator = await kv.watch({ include: options.from === "now" ? "updates" : "" });
  const stop = () => iterator.stop();
  options.signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const entry of iterator) {
      if (entry.operation !== "PUT" || entry.length === 0) {
        yield { key: entry.key, value: null, revision: entry.revision };
        continue;
      }
      let value: T;
      try {
        value = decode(schema, name, entry.key, entry.string());
      } catch {
        continue; // a malformed entry is not a change anyone can act on
      }
      yield { key: entry.key, value, revision: entry.revision };
    }
  } finally {
    options.signal.removeEventListener("abort", stop);
  }
}

export async function openTypedBucket<T>(
  bus: Bus,
  name: BucketName,
  schema: z.ZodType<T>,
  options: Partial<KvOptions> = {},
): Promise<Bucket<T>> {
  return typedBucket(await openBucket(bus, name, options), name, schema);
}
