import { Objm, type ObjectStore as NatsObjectStore } from "@nats-io/obj";
import { StorageType } from "@nats-io/jetstream";
import type { OBJECT_STORES } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { whileJetStreamStarts } from "./await-owner.js";
import { verifyReplicas } from "./replicas.js";
import { paddedBase64Url, readChunks } from "./object-read.js";
import { subjectsUnder } from "./stream-subjects.js";

export type ObjectStoreName = (typeof OBJECT_STORES)[keyof typeof OBJECT_STORES];

export interface StoredObject {
  key: string;
  size: number;
  /** When its last chunk was stored (RFC 3339). */
  mtime: string;
}

/**
 * A handle on one JetStream object store: bytes in chunks, replicated like every stream. Each store has
 * one writer (its owner); others may be granted reads.
 */
export interface ObjectStore {
  readonly name: ObjectStoreName;
  /** Stores the stream's bytes under `key`. If the stream fails, its chunks are purged and nothing is kept. */
  put(key: string, data: ReadableStream<Uint8Array>): Promise<StoredObject>;
  /** The object's bytes as they arrive from the store, or null when there is none. */
  get(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Removes the object and its chunks; true when there was one. */
  delete(key: string): Promise<boolean>;
  /** Every object in the store (deleted ones left out). */
  list(): Promise<StoredObject[]>;
  /**
   * Purges chunks that no object names and that were last written before `olderThan`: a writer that died
   * mid-put left them (a put in flight has none named yet either, hence the age). Returns how many puts.
   */
  purgeStrayChunks(olderThan: Date): Promise<number>;
}

/** The subject of an object's record: `$O.<store>.M.<name in padded base64url>`, as @nats-io/obj names it. */
const metaSubject = (store: string, key: string) => `$O.${store}.M.${paddedBase64Url(Buffer.from(key))}`;

async function read(bus: Bus, os: NatsObjectStore, key: string): Promise<ReadableStream<Uint8Array> | null> {
  const info = await os.info(key);
  if (!info || info.deleted) return null;
  return readChunks(bus, `OBJ_${info.bucket}`, info);
}

/**
 * Every live object, from the stream's subjects rather than @nats-io/obj's `list()`: that one is a watch
 * that counts pending records first and, if one is purged meanwhile, waits for a 30 s heartbeat to end.
 */
async function listObjects(bus: Bus, os: NatsObjectStore, name: ObjectStoreName): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for (const subject of await subjectsUnder(bus, `OBJ_${name}`, `$O.${name}.M.`)) {
    const key = keyOf(name, subject);
    const object = await os.info(key);
    if (object && !object.deleted) out.push({ key, size: object.size, mtime: object.mtime });
  }
  return out;
}

async function purgeStray(bus: Bus, os: NatsObjectStore, name: ObjectStoreName, olderThan: Date) {
  const named = new Set<string>();
  for (const subject of await subjectsUnder(bus, `OBJ_${name}`, `$O.${name}.M.`)) {
    const info = await os.info(keyOf(name, subject));
    if (info && !info.deleted) named.add(`$O.${name}.C.${info.nuid}`);
  }
  let purged = 0;
  for (const subject of await subjectsUnder(bus, `OBJ_${name}`, `$O.${name}.C.`)) {
    if (named.has(subject)) continue;
    const last = await bus.jsm.streams.getMessage(`OBJ_${name}`, { last_by_subj: subject });
    if (!last || last.time >= olderThan) continue;
    await bus.jsm.streams.purge(`OBJ_${name}`, { filter: subject });
    purged++;
  }
  return purged;
}

const keyOf = (name: string, metaSubject: string) =>
  Buffer.from(metaSubject.slice(`$O.${name}.M.`.length), "base64url").toString("utf8");

function handle(bus: Bus, os: NatsObjectStore, name: ObjectStoreName): ObjectStore {
  return {
    name,
    async put(key, data) {
      const info = await os.put({ name: key }, data);
      return { key, size: info.size, mtime: info.mtime };
    },
    get: (key) => read(bus, os, key),
    async delete(key) {
      const { success } = await os.delete(key);
      // The library keeps a "deleted" record; purge it too, so a removed object leaves nothing behind.
      await bus.jsm.streams.purge(`OBJ_${name}`, { filter: metaSubject(name, key) });
      return success;
    },
    list: () => listObjects(bus, os, name),
    purgeStrayChunks: (olderThan) => purgeStray(bus, os, name, olderThan),
  };
}

/**
 * Opens an object store, creating it with this deployment's replicas if it is not there yet
 * (create-or-verify: a store with other replicas is an error, never silently kept).
 */
export async function openObjectStore(bus: Bus, name: ObjectStoreName): Promise<ObjectStore> {
  const stream = `OBJ_${name}`;
  return whileJetStreamStarts(bus, `object store ${name}`, async () => {
    await verifyReplicas(bus, stream, bus.replicas);
    const os = await new Objm(bus.js).create(name, { replicas: bus.replicas, storage: StorageType.File });
    await verifyReplicas(bus, stream, bus.replicas);
    return handle(bus, os, name);
  });
}
