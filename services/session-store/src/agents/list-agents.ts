import type { AgentId, AgentListRequest, AgentRecord } from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";
import { latestAgent } from "./get-agent.js";
import { listNewestFirst } from "../records/record-writes.js";

interface PageQuery {
  limit: number;
  page?: string | undefined;
}

/** The latest version of each agent, newest agent first (`created_at` is the agent's, not its version's). */
export function listAgents(state: StoreState, query: AgentListRequest): Promise<PageOf<AgentRecord>> {
  return listNewestFirst(state.buckets.agents, query);
}

/** Every version of one agent, newest first. */
export async function listAgentVersions(
  state: StoreState,
  query: PageQuery & { agent_id: AgentId },
): Promise<PageOf<AgentRecord>> {
  await latestAgent(state, query.agent_id);
  return listBucketPage(state.buckets.agents, {
    limit: query.limit,
    page: query.page,
    order: "desc",
    filter: `${query.agent_id}.v.*`,
    keep: () => true,
  });
}
