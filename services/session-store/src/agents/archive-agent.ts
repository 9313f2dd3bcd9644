import type { AgentId, AgentRecord } from "@corral/protocol";
import { archivedNow, replaceRecord } from "../records/record-writes.js";
import type { StoreState } from "../state.js";
import { latestAgent } from "./get-agent.js";

export async function archiveAgent(state: StoreState, agentId: AgentId): Promise<AgentRecord> {
  const current = await latestAgent(state, agentId);
  if (current.value.archived_at) return current.value;
  const entry = { key: agentId, what: `agent ${agentId}`, revision: current.revision };
  return replaceRecord(state.buckets.agents, entry, archivedNow(current.value));
}
