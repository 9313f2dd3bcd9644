import type { SessionResourceListRequest, SessionResourceRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { storedSession } from "./stored-session.js";

/** A session's resources in the order they were attached, a page at a time (`page`: the last id seen). */
export async function listResources(
  state: StoreState,
  request: SessionResourceListRequest,
): Promise<{ data: SessionResourceRecord[]; next_page: string | null }> {
  const all = (await storedSession(state, request.session_id)).record.resources;
  const start = request.page ? all.findIndex((r) => r.id === request.page) + 1 : 0;
  const data = all.slice(start, start + request.limit);
  const more = start + request.limit < all.length;
  return { data, next_page: more ? (data.at(-1)?.id ?? null) : null };
}
