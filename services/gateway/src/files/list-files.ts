import { z } from "zod";
import { listBucketPage, type PageOf } from "@corral/bus";
import {
  DEFAULT_WORKSPACE,
  FileId,
  SessionId,
  isFileExpired,
  workspaceOf,
  type FileRecord,
} from "@corral/protocol";
import { Cursor, listOf } from "../routes/schemas.js";
import type { FileStore } from "./file-store.js";

export const FileListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    page: Cursor.optional(),
    scope_id: SessionId.optional(),
    ids: listOf(FileId, 100).optional(),
  })
  .refine((q) => !(q.ids && (q.limit !== undefined || q.page !== undefined)), {
    message: "ids cannot be combined with page or limit",
  });
export type FileListQuery = z.output<typeof FileListQuery>;

const DEFAULT_LIMIT = 20;

/** Whether a client of `workspace` sees `file` in a list: its own, live, and in the asked scope. */
function visible(file: FileRecord, workspace: string, scopeId: string | undefined, nowMs: number): boolean {
  if (workspaceOf(file) !== workspace || isFileExpired(file, nowMs)) return false;
  return scopeId === undefined || file.scope?.id === scopeId;
}

/** The files named by `ids` (at most 100), newest first, in one page; ids that are not visible are left out. */
async function listByIds(store: FileStore, ids: string[], keep: (f: FileRecord) => boolean) {
  const unique = [...new Set(ids)].sort().reverse();
  const found = await Promise.all(unique.map((id) => store.records.get(id)));
  const data = found.flatMap((entry) => (entry && keep(entry.value) ? [entry.value] : []));
  return { data, next_page: null };
}

/** A workspace's files, newest first, paginated like every list of the API (`limit`, `page`, `next_page`). */
export async function listFiles(
  store: FileStore,
  query: FileListQuery,
  workspace: string | undefined,
): Promise<PageOf<FileRecord>> {
  const nowMs = store.now();
  const keep = (f: FileRecord) => visible(f, workspace ?? DEFAULT_WORKSPACE, query.scope_id, nowMs);
  if (query.ids) return listByIds(store, query.ids, keep);
  return listBucketPage(store.records, {
    limit: query.limit ?? DEFAULT_LIMIT,
    page: query.page,
    order: "desc",
    filter: ">",
    keep,
  });
}
