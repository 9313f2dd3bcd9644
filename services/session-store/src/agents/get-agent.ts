import { CorralError, type AgentId, type AgentRecord } from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import type { StoreState } from "../state.js";
import { requireVisible } from "../workspace-scope.js";

// Zero-padded so that key order is version order.
export const versionKey = (agentId: AgentId, version: number) =>
  `${agentId}.v.${String(version).padStart(8, "0")}`;

export async function latestAgent(state: StoreState, agentId: AgentId): Promise<Versioned<AgentRecord>> {
  const entry = await state.buckets.agents.get(agentId);
  if (!entry) throw new CorralError("NOT_FOUND", `agent ${agentId} not found`);
  requireVisible(entry.value, `agent ${agentId}`);
  return entry;
}

/** The agent at `version`, or its latest version. */
export async function getAgent(state: StoreState, agentId: AgentId, version?: number): Promise<AgentRecord> {
  const current = (await latestAgent(state, agentId)).value;
  if (version === undefined || version === current.version) return current;
  const entry = await state.buckets.agents.get(versionKey(agentId, version));
  if (!entry) throw new CorralError("NOT_FOUND", `agent ${agentId} has no version ${version}`);
  return entry.value;
}
