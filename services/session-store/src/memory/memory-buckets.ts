import { z } from "zod";
import {
  BUCKETS,
  ContentSha256,
  MemoryId,
  MemoryStoreRecord,
  MemoryVersion,
  MemoryVersionId,
  Timestamp,
  type MemoryStoreId,
} from "@corral/protocol";
import { openResilientBucket, type Bucket } from "@corral/bus";
import { BUCKET_DEADLINE_MS, type StoreState } from "../state.js";

/** One live memory in its store's index: where it is, what it holds (by hash) and which version holds it. */
export const IndexEntry = z.object({
  path: z.string(),
  sha256: ContentSha256,
  size: z.number().int().min(0),
  version_id: MemoryVersionId,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type IndexEntry = z.infer<typeof IndexEntry>;

/**
 * A store's memories as of version `seq` of its log (`<memstore_id>.idx`). Versions are the log: version
 * `seq + 1` is written first (created only if absent, so one writer wins the slot), then applied here with a
 * revision-guarded write; anyone who finds it written but not applied applies it (or, once the store is
 * archived, discards it unless it is a delete).
 */
export const StoredIndex = z.object({
  seq: z.number().int().min(0),
  archived: z.boolean(),
  deleted: z.boolean(),
  memories: z.record(MemoryId, IndexEntry),
});
export type StoredIndex = z.infer<typeof StoredIndex>;

export interface MemoryBuckets {
  stores: Bucket<MemoryStoreRecord>;
  indexes: Bucket<StoredIndex>;
  versions: Bucket<MemoryVersion>;
}

export const indexKey = (storeId: MemoryStoreId) => `${storeId}.idx`;

const SEQ_DIGITS = 10;
const pad = (seq: number) => String(seq).padStart(SEQ_DIGITS, "0");
export const versionKey = (storeId: MemoryStoreId, seq: number) => `${storeId}.v.${pad(seq)}`;
export const versionKeys = (storeId: MemoryStoreId) => `${storeId}.v.*`;

/** A version's id carries its place in the log, so a version is found by id without a scan. */
export const versionIdAt = (seq: number, random: string) => `memver_${pad(seq)}${random}` as MemoryVersionId;

export function seqOfVersionId(id: string): number | null {
  const digits = id.slice("memver_".length, "memver_".length + SEQ_DIGITS);
  return /^\d{10}$/.test(digits) ? Number(digits) : null;
}

export const seqOfVersionKey = (key: string) => Number(key.slice(key.lastIndexOf(".") + 1));

const opened = new WeakMap<StoreState, Promise<MemoryBuckets>>();

async function open(state: StoreState): Promise<MemoryBuckets> {
  const resilience = { deadlineMs: BUCKET_DEADLINE_MS };
  const options = { replicas: state.bus.replicas };
  const [stores, indexes, versions] = await Promise.all([
    openResilientBucket(state.bus, BUCKETS.memoryStores, MemoryStoreRecord, resilience, options),
    openResilientBucket(state.bus, BUCKETS.memories, StoredIndex, resilience, options),
    openResilientBucket(state.bus, BUCKETS.memories, MemoryVersion, resilience, options),
  ]);
  return { stores, indexes, versions };
}

/** The memory buckets of this store replica, opened (created or verified) on first use. */
export function memoryBuckets(state: StoreState): Promise<MemoryBuckets> {
  let buckets = opened.get(state);
  if (!buckets) {
    buckets = open(state);
    buckets.catch(() => opened.delete(state));
    opened.set(state, buckets);
  }
  return buckets;
}
