import { CorralError, type AgentId, type AgentRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { latestAgent } from "./get-agent.js";

export async function archiveAgent(state: StoreState, agentId: AgentId): Promise<AgentRecord> {
  const current = await latestAgent(state, agentId);
  if (current.value.archived_at) return current.value;
  const now = new Date().toISOString();
  const next = { ...current.value, archived_at: now, updated_at: now };
  if ((await state.buckets.agents.replace(agentId, next, current.revision)) === null)
    throw new CorralError("CONFLICT", `agent ${agentId} was changed concurrently; retry`);
  return next;
}
