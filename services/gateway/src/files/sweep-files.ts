import { isFileExpired } from "@corral/protocol";
import { removeFile, type FileStore } from "./file-store.js";

export interface SweepResult {
  /** Files whose time was up. */
  expired: number;
  /** Bytes without a record, older than the grace (a gateway stopped between the bytes and the record). */
  orphaned: number;
  /** Chunks of uploads that never finished (a gateway killed mid-upload), older than the grace. */
  stray: number;
}

/**
 * Removes every expired file, bytes that no record names and chunks of uploads that never finished.
 * Expiry is also enforced on each read (an expired file is 404 at once); this sweep is what frees the
 * space of files nobody asks for again, and of uploads a killed gateway left behind.
 */
export async function sweepFiles(store: FileStore): Promise<SweepResult> {
  const nowMs = store.now();
  let expired = 0;
  const live = new Set<string>();
  for (const id of await store.ids()) {
    const entry = await store.records.get(id);
    if (!entry) continue;
    if (!isFileExpired(entry.value, nowMs)) {
      live.add(id);
      continue;
    }
    await removeFile(store, id);
    expired++;
  }
  let orphaned = 0;
  // A record written since the ids were read names bytes younger than the grace: they are left alone.
  for (const object of await store.objects.list()) {
    if (live.has(object.key) || nowMs - Date.parse(object.mtime) < store.options.orphanGraceMs) continue;
    await store.objects.delete(object.key);
    orphaned++;
  }
  const stray = await store.objects.purgeStrayChunks(new Date(nowMs - store.options.orphanGraceMs));
  return { expired, orphaned, stray };
}

/** Runs the sweep every `sweepMs` until stopped; a failed sweep is logged and tried again next time. */
export function startFileSweep(store: FileStore): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepFiles(store)
      .then((result) => {
        if (result.expired + result.orphaned + result.stray > 0) store.logger.info(result, "files swept");
      })
      .catch((err: unknown) => store.logger.warn({ err }, "file sweep failed"))
      .finally(() => (running = false));
  }, store.options.sweepMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
