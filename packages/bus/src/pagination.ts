import { z } from "zod";
import { CorralError } from "@corral/protocol";
import type { KV } from "@nats-io/kv";
import { getJson } from "./kv.js";

export interface PageOf<T> {
  data: T[];
  next_page: string | null;
}

export interface ListOptions<T> {
  limit: number;
  page?: string | undefined;
  order: "asc" | "desc";
  /** Which keys to list (a KV filter such as `*` for top-level keys). */
  filter: string;
  keep: (value: T) => boolean;
}

const Cursor = z.object({ after: z.string() });

export function decodeCursor(page: string | undefined): string | null {
  if (!page) return null;
  try {
    return Cursor.parse(JSON.parse(Buffer.from(page, "base64url").toString("utf8"))).after;
  } catch {
    throw new CorralError("INVALID_REQUEST", "page is not a cursor this API returned");
  }
}

export const encodeCursor = (after: string) => Buffer.from(JSON.stringify({ after })).toString("base64url");

async function listKeys(kv: KV, filter: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys(filter)) keys.push(key);
  return keys;
}

/**
 * Lists records in id order (ids are time-ordered, so this is creation order) with an opaque cursor.
 * Values are read only until the page is full.
 */
export async function listPage<S extends z.ZodType>(
  kv: KV,
  schema: S,
  options: ListOptions<z.output<S>>,
): Promise<PageOf<z.output<S>>> {
  const after = decodeCursor(options.page);
  const keys = (await listKeys(kv, options.filter)).sort();
  if (options.order === "desc") keys.reverse();
  const start = after === null ? 0 : keys.findIndex((k) => (options.order === "asc" ? k > after : k < after));
  const data: z.output<S>[] = [];
  if (start < 0) return { data, next_page: null };
  for (let i = start; i < keys.length; i++) {
    const entry = await getJson(kv, schema, keys[i]!);
    if (entry && options.keep(entry.value)) data.push(entry.value);
    if (data.length === options.limit) {
      return { data, next_page: i + 1 < keys.length ? encodeCursor(keys[i]!) : null };
    }
  }
  return { data, next_page: null };
}
