import { beforeAll, describe, expect, test } from "vitest";
import {
  BUCKETS,
  MEMORY_RPC,
  MemoryStoreRecord,
  MemoryVersion,
  newId,
  type MemoryStoreId,
} from "@corral/protocol";
import { openTypedBucket, request, type Bucket, type Bus } from "@corral/bus";
import { startStoreStack } from "../testing.js";
import { StoredIndex, indexKey, versionIdAt, versionKey, versionKeys } from "./memory-buckets.js";
import { commitChange, sha256Hex } from "./commit-change.js";

// A writer that dies after taking its slot in a store's version log, before applying it to the index: the
// next writer on any replica applies it (nothing lost), or, once the store is archived, discards it unless
// it is a delete (nothing written after the archive).
let bus: Bus;
let versions: Bucket<MemoryVersion>;
let indexes: Bucket<StoredIndex>;
let stores: Bucket<MemoryStoreRecord>;
const actor = { type: "api_actor" as const, api_key_id: "ckey_TEST" as const };

beforeAll(async () => {
  const stack = await startStoreStack();
  bus = stack.bus;
  versions = await openTypedBucket(bus, BUCKETS.memories, MemoryVersion);
  indexes = await openTypedBucket(bus, BUCKETS.memories, StoredIndex);
  stores = await openTypedBucket(bus, BUCKETS.memoryStores, MemoryStoreRecord);
  return () => stack.stop();
});

async function storeWith(path: string, content: string) {
  const store = await request(bus, MEMORY_RPC.storesCreate, { name: "crash" });
  const memory = await request(bus, MEMORY_RPC.memoriesCreate, {
    memory_store_id: store.id,
    path,
    content,
    actor,
  });
  if (memory.type !== "memory") throw new Error("not created");
  return { storeId: store.id, memory };
}

/** What a writer that died right after taking the next slot left behind. */
async function abandonedVersion(
  storeId: MemoryStoreId,
  change: Pick<MemoryVersion, "memory_id" | "operation" | "path" | "content">,
): Promise<MemoryVersion> {
  const seq = (await indexes.get(indexKey(storeId)))!.value.seq + 1;
  const version: MemoryVersion = {
    ...change,
    id: versionIdAt(seq, "DEADWRITER000000"),
    type: "memory_version",
    memory_store_id: storeId,
    content_sha256: change.content === null ? null : sha256Hex(change.content),
    content_size_bytes: change.content === null ? null : Buffer.byteLength(change.content),
    created_at: new Date().toISOString(),
    created_by: actor,
    redacted_at: null,
    redacted_by: null,
  };
  await versions.create(versionKey(storeId, seq), version);
  return version;
}

const list = (storeId: MemoryStoreId) =>
  request(bus, MEMORY_RPC.versionsList, { memory_store_id: storeId }).then((p) => p.data.map((v) => v.id));

describe("a writer that died between taking its slot and applying it", () => {
  test("its version is not shown until the next writer applies it, then both changes stand", async () => {
    const { storeId, memory } = await storeWith("/a.md", "one");
    const dead = await abandonedVersion(storeId, {
      memory_id: memory.id,
      operation: "modified",
      path: "/a.md",
      content: "from the writer that died",
    });
    expect(await list(storeId)).not.toContain(dead.id);

    const next = await request(bus, MEMORY_RPC.memoriesCreate, {
      memory_store_id: storeId,
      path: "/b.md",
      content: "two",
      actor,
    });
    expect(next.type).toBe("memory");
    const a = await request(bus, MEMORY_RPC.memoriesGet, { memory_store_id: storeId, memory_id: memory.id });
    expect(a).toMatchObject({ content: "from the writer that died", memory_version_id: dead.id });
    expect(await list(storeId)).toHaveLength(3);
  });

  test("after an archive it is discarded, unless it is a delete", async () => {
    const { storeId, memory } = await storeWith("/a.md", "one");
    const late = await abandonedVersion(storeId, {
      memory_id: memory.id,
      operation: "modified",
      path: "/a.md",
      content: "late",
    });
    await request(bus, MEMORY_RPC.storesArchive, { memory_store_id: storeId });
    const a = await request(bus, MEMORY_RPC.memoriesGet, { memory_store_id: storeId, memory_id: memory.id });
    expect(a.content).toBe("late"); // written before the archive took effect: applied by the archive
    expect(await list(storeId)).toContain(late.id);

    const discarded = await abandonedVersion(storeId, {
      memory_id: memory.id,
      operation: "modified",
      path: "/a.md",
      content: "after the archive",
    });
    const deleted = await request(bus, MEMORY_RPC.memoriesDelete, {
      memory_store_id: storeId,
      memory_id: memory.id,
      actor,
    });
    expect(deleted).toEqual({ id: memory.id, type: "memory_deleted" });
    const ids = await list(storeId);
    expect(ids).not.toContain(discarded.id);
    expect(ids).toHaveLength(3);
  });
});

describe("writers racing for one store's next slot", () => {
  test("twenty commits at once, with no queue in front of them: each lands once, in its own slot", async () => {
    const store = await request(bus, MEMORY_RPC.storesCreate, { name: "race" });
    const b = { stores, indexes, versions };
    const ids = Array.from({ length: 20 }, () => newId("memory"));
    await Promise.all(
      ids.map((id, i) =>
        commitChange(b, store.id, () => ({
          kind: "write",
          change: { operation: "created", memory_id: id, path: `/race/${i}`, content: `${i}`, actor },
        })),
      ),
    );
    const index = (await indexes.get(indexKey(store.id)))!.value;
    expect(index.seq).toBe(20);
    expect(Object.keys(index.memories).sort()).toEqual([...ids].sort());
    const slots = await versions.keys(versionKeys(store.id));
    expect(slots).toHaveLength(20);
    const written = await Promise.all(slots.map(async (key) => (await versions.get(key))!.value.memory_id));
    expect(written.sort()).toEqual([...ids].sort());
  });
});
