import type { z } from "zod";
import type { KV } from "@nats-io/kv";
import { JetStreamApiError } from "@nats-io/jetstream";
import { CorralError } from "@corral/protocol";
import type { Bus } from "./connect.js";
import type { BucketName } from "./streams.js";
import { subjectsUnder } from "./stream-subjects.js";

export interface Versioned<T> {
  value: T;
  revision: number;
}

function decode<S extends z.ZodType>(schema: S, key: string, text: string): z.output<S> {
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new CorralError("INTERNAL", `stored value ${key} does not match its schema`);
  return parsed.data;
}

export async function getJson<S extends z.ZodType>(
  kv: KV,
  schema: S,
  key: string,
): Promise<Versioned<z.output<S>> | null> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== "PUT" || entry.length === 0) return null;
  return { value: decode(schema, key, entry.string()), revision: entry.revision };
}

function isKeyConflict(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === 10071 || error.code === 10164;
  return error instanceof Error && /wrong last sequence|key exists/i.test(error.message);
}

/** Stores a value only if the key does not exist yet; returns null when it does. */
export async function createJson<T>(kv: KV, key: string, value: T): Promise<number | null> {
  try {
    return await kv.create(key, JSON.stringify(value));
  } catch (error) {
    if (isKeyConflict(error)) return null;
    throw error;
  }
}

export async function putJson<T>(kv: KV, key: string, value: T): Promise<number> {
  return kv.put(key, JSON.stringify(value));
}

/**
 * Read-modify-write with the revision as guard, retried on a lost race. `change` returns the new value,
 * or undefined to leave the entry as it is.
 */
export async function updateJson<S extends z.ZodType>(
  kv: KV,
  schema: S,
  key: string,
  change: (current: z.output<S>) => z.output<S> | undefined,
  attempts = 20,
): Promise<Versioned<z.output<S>> | null> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await getJson(kv, schema, key);
    if (!current) return null;
    const next = change(current.value);
    if (next === undefined) return current;
    try {
      const revision = await kv.update(key, JSON.stringify(next), current.revision);
      return { value: next, revision };
    } catch (error) {
      if (!isKeyConflict(error)) throw error;
    }
  }
  throw new CorralError("CONFLICT", `too much contention on ${key}`);
}

export { isKeyConflict };

/**
 * The keys of a bucket whose subject still holds a message, read from the stream's subjects: a deleted key
 * whose marker is kept is among them (the caller reads each key anyway). Unlike `KV.keys()` — a consumer
 * that counts what is pending first and, when a key is purged meanwhile, waits for a 30 s heartbeat to
 * end — one request that cannot stall on a concurrent delete.
 */
export async function storedKeys(bus: Bus, name: BucketName): Promise<string[]> {
  const prefix = `$KV.${name}.`;
  return (await subjectsUnder(bus, `KV_${name}`, prefix)).map((subject) => subject.slice(prefix.length));
}
