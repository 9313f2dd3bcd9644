import { CorralError, inCreatedAtRange, type SessionListRequest, type SessionRecord } from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";
import { visibleRecord } from "../records/session-totals.js";
import { visibleToCaller } from "../workspace-scope.js";

/** Whether a session passes every filter of the query (applied while a page fills, so cursors stay exact). */
function matches(record: SessionRecord, query: SessionListRequest): boolean {
  return (
    visibleToCaller(record) &&
    (query.include_archived || !record.archived_at) &&
    (!query.agent_id || record.agent.id === query.agent_id) &&
    (query.agent_version === undefined || record.agent.version === query.agent_version) &&
    (!query.statuses || query.statuses.includes(record.status)) &&
    inCreatedAtRange(query.created_at, record.created_at) &&
    (!query.memory_store_id ||
      record.resources.some((r) => r.type === "memory_store" && r.memory_store_id === query.memory_store_id))
  );
}

export async function listSessions(
  state: StoreState,
  query: SessionListRequest,
): Promise<PageOf<SessionRecord>> {
  if (query.agent_version !== undefined && !query.agent_id)
    throw new CorralError("INVALID_REQUEST", "agent_version filters only together with agent_id");
  const page = await listBucketPage(state.buckets.sessions, {
    limit: query.limit,
    page: query.page,
    order: query.order,
    filter: "*",
    keep: (stored) => matches(visibleRecord(stored), query),
  });
  return { data: page.data.map(visibleRecord), next_page: page.next_page };
}
