import {
  BUCKETS,
  CorralError,
  DEFAULT_WORKSPACE,
  FileRecord,
  OBJECT_STORES,
  isFileExpired,
  workspaceOf,
} from "@corral/protocol";
import {
  openObjectStore,
  openTypedBucket,
  storedKeys,
  type Bucket,
  type Bus,
  type ObjectStore,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { FileOptions } from "./file-options.js";

/** Uploaded files: records in a KV bucket (what is visible), bytes in an object store under the same id. */
export interface FileStore {
  records: Bucket<FileRecord>;
  objects: ObjectStore;
  options: FileOptions;
  /** Every record's id (a record deleted a moment ago may be among them: read each). */
  ids(): Promise<string[]>;
  now(): number;
  logger: Logger;
}

export async function openFileStore(bus: Bus, options: FileOptions, logger: Logger): Promise<FileStore> {
  return {
    records: await openTypedBucket(bus, BUCKETS.files, FileRecord),
    objects: await openObjectStore(bus, OBJECT_STORES.files),
    options,
    ids: () => storedKeys(bus, BUCKETS.files),
    now: options.now ?? Date.now,
    logger,
  };
}

/** Removes a file: its record first (it is gone for clients at once), then its bytes. */
export async function removeFile(store: FileStore, id: string): Promise<void> {
  await store.records.delete(id);
  await store.objects.delete(id);
}

/**
 * The file `id` of `workspace`. Another workspace's file, a missing one and an expired one are all 404; an
 * expired one is removed on the way (the sweep would remove it later anyway).
 */
export async function findFile(store: FileStore, id: string, workspace?: string): Promise<FileRecord> {
  const entry = await store.records.get(id);
  const file = entry?.value;
  if (!file || workspaceOf(file) !== (workspace ?? DEFAULT_WORKSPACE))
    throw new CorralError("NOT_FOUND", `no file ${id}`);
  if (isFileExpired(file, store.now())) {
    await removeFile(store, id).catch((err: unknown) =>
      store.logger.warn({ err, file_id: id }, "expired file not removed; the sweep retries"),
    );
    throw new CorralError("NOT_FOUND", `no file ${id}`);
  }
  return file;
}
