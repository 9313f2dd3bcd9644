import { visibleToCaller } from "../workspace-scope.js";
import { CorralError, inCreatedAtRange, type CreatedAtRange } from "@corral/protocol";
import { listBucketPage, type Bucket, type PageOf } from "@corral/bus";

/** Archived records are read-only: `what` names the record (`agent agent_…`). */
export function refuseArchived(record: { archived_at: string | null }, what: string): void {
  if (record.archived_at) throw new CorralError("ARCHIVED", `${what} is archived and read-only`);
}

/** The record as archived now (archived records are read-only). */
export function archivedNow<R extends { archived_at: string | null; updated_at: string }>(record: R): R {
  const now = new Date().toISOString();
  return { ...record, archived_at: now, updated_at: now };
}

/** Writes `next` over `what` (e.g. `agent agent_…`) at `revision`; CONFLICT when another write came first. */
export async function replaceRecord<T>(
  bucket: Bucket<T>,
  entry: { key: string; what: string; revision: number },
  next: T,
): Promise<T> {
  if ((await bucket.replace(entry.key, next, entry.revision)) === null)
    throw new CorralError("CONFLICT", `${entry.what} was changed concurrently; retry`);
  return next;
}

/**
 * Top-level records, newest first, archived ones only when asked for, created within `created_at` when given.
 * Filters are applied while the page fills, so a cursor and a filter together page through the filtered list.
 */
export function listNewestFirst<R extends { archived_at: string | null; created_at: string }>(
  bucket: Bucket<R>,
  query: {
    limit: number;
    page?: string | undefined;
    include_archived: boolean;
    created_at?: CreatedAtRange | undefined;
  },
): Promise<PageOf<R>> {
  return listBucketPage(bucket, {
    limit: query.limit,
    page: query.page,
    order: "desc",
    filter: "*",
    keep: (r) =>
      visibleToCaller(r as { workspace_id?: string }) &&
      (query.include_archived || !r.archived_at) &&
      inCreatedAtRange(query.created_at, r.created_at),
  });
}
