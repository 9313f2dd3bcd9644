import { CorralError, type AgentId, type AgentSnapshot, type RosterEntry } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { agentSnapshot } from "../agents/agent-snapshot.js";
import { getAgent } from "../agents/get-agent.js";

const rosterId = (entry: RosterEntry) =>
  typeof entry === "string" ? entry : entry.type === "agent" ? entry.id : null;

/** The sub-agent a coordinator may start: an entry of its roster, at the version the roster pins. */
export async function rosterAgent(
  state: StoreState,
  coordinator: AgentSnapshot,
  wanted: AgentId | "self",
): Promise<AgentSnapshot> {
  const roster = coordinator.multiagent?.agents;
  if (!roster)
    throw new CorralError(
      "INVALID_REQUEST",
      `agent ${coordinator.id} is not a coordinator: it has no multiagent roster`,
    );
  if (wanted === "self") {
    if (!roster.some((e) => typeof e !== "string" && e.type === "self"))
      throw new CorralError("INVALID_REQUEST", "the roster does not include self");
    return { ...coordinator, multiagent: null };
  }
  const entry = roster.find((e) => rosterId(e) === wanted);
  if (!entry) throw new CorralError("INVALID_REQUEST", `agent ${wanted} is not in the coordinator's roster`);
  const version = typeof entry === "string" || entry.type !== "agent" ? undefined : entry.version;
  const agent = await getAgent(state, wanted, version);
  if (agent.archived_at) throw new CorralError("ARCHIVED", `agent ${wanted} is archived`);
  // One level of sub-agents: a thread never coordinates threads of its own.
  return { ...agentSnapshot(agent), multiagent: null };
}
