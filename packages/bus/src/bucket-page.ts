import type { Bucket } from "./bucket.js";
import { decodeCursor, encodeCursor, type ListOptions, type PageOf } from "./pagination.js";

/**
 * `listPage` over a typed bucket: records in key order (ids are time-ordered, so creation order) with an
 * opaque cursor; values are read only until the page is full.
 */
export async function listBucketPage<T>(bucket: Bucket<T>, options: ListOptions<T>): Promise<PageOf<T>> {
  const after = decodeCursor(options.page);
  const keys = (await bucket.keys(options.filter)).sort();
  if (options.order === "desc") keys.reverse();
  const first = after === null ? 0 : keys.findIndex((k) => (options.order === "asc" ? k > after : k < after));
  const data: T[] = [];
  if (first < 0) return { data, next_page: null };
  for (let i = first; i < keys.length; i++) {
    const entry = await bucket.get(keys[i]!);
    if (entry && options.keep(entry.value)) data.push(entry.value);
    if (data.length === options.limit)
      return { data, next_page: i + 1 < keys.length ? encodeCursor(keys[i]!) : null };
  }
  return { data, next_page: null };
}
