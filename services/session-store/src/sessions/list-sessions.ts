import type { SessionListRequest, SessionRecord } from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";
import { visibleRecord } from "../records/session-totals.js";
import { visibleToCaller } from "../workspace-scope.js";

export async function listSessions(
  state: StoreState,
  query: SessionListRequest,
): Promise<PageOf<SessionRecord>> {
  const page = await listBucketPage(state.buckets.sessions, {
    limit: query.limit,
    page: query.page,
    order: query.order,
    filter: "*",
    keep: (stored) => {
      const record = visibleRecord(stored);
      return (
        visibleToCaller(record) &&
        (query.include_archived || !record.archived_at) &&
        (!query.agent_id || record.agent.id === query.agent_id) &&
        (!query.statuses || query.statuses.includes(record.status))
      );
    },
  });
  return { data: page.data.map(visibleRecord), next_page: page.next_page };
}
