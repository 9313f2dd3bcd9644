import { createHash } from "node:crypto";
import {
  CorralError,
  newId,
  type MemoryActor,
  type MemoryId,
  type MemoryStoreId,
  type MemoryVersion,
  type MemoryVersionOperation,
  type MemoryWriteResult,
} from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import { applyVersion } from "./apply-version.js";
import { indexKey, versionIdAt, versionKey, type MemoryBuckets, type StoredIndex } from "./memory-buckets.js";
import { MEMORY_LIMITS } from "./memory-limits.js";

/** One change to one memory, as a write decided it against the store's current index. */
export interface Change {
  operation: MemoryVersionOperation;
  memory_id: MemoryId;
  path: string;
  /** The new content; null for a delete. */
  content: string | null;
  actor: MemoryActor;
  /** When the memory was created (a change to an existing one); not stored, the answer shows it. */
  memory_created_at?: string;
}

/** What a write decides on seeing the index: a change to record, or an answer without one. */
export type Decision = { kind: "write"; change: Change } | { kind: "answer"; result: MemoryWriteResult };

export const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function buildVersion(storeId: MemoryStoreId, seq: number, change: Change): MemoryVersion {
  const content = change.content;
  return {
    id: versionIdAt(seq, newId("memoryVersion").slice(-16)),
    type: "memory_version",
    memory_id: change.memory_id,
    memory_store_id: storeId,
    operation: change.operation,
    path: change.path,
    content,
    content_sha256: content === null ? null : sha256Hex(content),
    content_size_bytes: content === null ? null : Buffer.byteLength(content, "utf8"),
    created_at: new Date().toISOString(),
    created_by: change.actor,
    redacted_at: null,
    redacted_by: null,
  };
}

/** The store's index; NOT_FOUND when the store is gone (or being deleted). */
export async function readIndex(b: MemoryBuckets, storeId: MemoryStoreId): Promise<Versioned<StoredIndex>> {
  const entry = await b.indexes.get(indexKey(storeId));
  if (!entry || entry.value.deleted) throw new CorralError("NOT_FOUND", `memory store ${storeId} not found`);
  return entry;
}

/** Applies (or discards) a version written but not yet applied; false when there is none. */
export async function rollForward(
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  current: Versioned<StoredIndex>,
): Promise<boolean> {
  const key = versionKey(storeId, current.value.seq + 1);
  const pending = await b.versions.get(key);
  if (!pending) return false;
  const next = applyVersion(current.value, pending.value);
  if (next === null) await b.versions.delete(key, pending.revision);
  else await b.indexes.replace(indexKey(storeId), next, current.revision);
  return true;
}

/** Refuses a change that would grow the index past its bounds (it is one KV value). */
function refuseOverfull(index: StoredIndex, version: MemoryVersion): void {
  const next = applyVersion(index, version);
  if (!next) return;
  const count = Object.keys(next.memories).length;
  if (count > MEMORY_LIMITS.memoriesPerStore)
    throw new CorralError(
      "PAYLOAD_TOO_LARGE",
      `a memory store holds at most ${MEMORY_LIMITS.memoriesPerStore} memories`,
    );
  if (Buffer.byteLength(JSON.stringify(next)) > MEMORY_LIMITS.indexBytes)
    throw new CorralError(
      "PAYLOAD_TOO_LARGE",
      "the memory store is full: its paths are too many or too long",
    );
}

/** Waits until the version written at slot `seq` is applied (its write took effect) or discarded (archived). */
async function settle(
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  version: MemoryVersion,
  seq: number,
): Promise<MemoryVersion> {
  for (let attempt = 0; attempt < MEMORY_LIMITS.writeAttempts; attempt++) {
    const current = await readIndex(b, storeId);
    if (current.value.seq >= seq) {
      if ((await b.versions.get(versionKey(storeId, seq)))?.value.id === version.id) return version;
      throw new CorralError("ARCHIVED", `memory store ${storeId} is archived and read-only`);
    }
    await rollForward(b, storeId, current);
  }
  throw busy(storeId);
}

const busy = (storeId: MemoryStoreId) =>
  new CorralError("CONFLICT", `memory store ${storeId} is busy; retry`, { retryable: true });

/**
 * Records one change in a store, serialized with every other writer of the store on any replica: the
 * change's version takes the next slot of the store's log (a create that only one writer can win), then the
 * index moves to it with a compare-and-set. `decide` sees the index the slot follows, so a precondition it
 * checks holds when the change lands; a writer that lost the slot decides again on the newer index.
 */
export async function commitChange(
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  decide: (index: StoredIndex) => Decision | Promise<Decision>,
): Promise<{ version: MemoryVersion; change: Change } | { answer: MemoryWriteResult }> {
  for (let attempt = 0; attempt < MEMORY_LIMITS.writeAttempts; attempt++) {
    const current = await readIndex(b, storeId);
    if (await rollForward(b, storeId, current)) continue;
    const decision = await decide(current.value);
    if (decision.kind === "answer") return { answer: decision.result };
    const seq = current.value.seq + 1;
    const version = buildVersion(storeId, seq, decision.change);
    refuseOverfull(current.value, version);
    if ((await b.versions.create(versionKey(storeId, seq), version)) === null) continue;
    // Usually nobody moved the index meanwhile: apply the version to the index just read, else settle.
    const next = applyVersion(current.value, version);
    if (next && (await b.indexes.replace(indexKey(storeId), next, current.revision)) !== null)
      return { version, change: decision.change };
    return { version: await settle(b, storeId, version, seq), change: decision.change };
  }
  throw busy(storeId);
}
