import {
  STORE_RPC,
  THREAD_RPC,
  isId,
  type AgentSnapshot,
  type EnvironmentRecord,
  type LogId,
} from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import type { SessionInfo } from "./run-context.js";
import type { RosterMember } from "./tool-catalog.js";

/** A coordinator's sub-agents by name, at the versions its roster pins. */
async function loadRoster(bus: Bus, agent: AgentSnapshot): Promise<RosterMember[] | null> {
  const roster = agent.multiagent?.agents;
  if (!roster?.length) return null;
  const members = await Promise.all(
    roster.map(async (entry): Promise<RosterMember | null> => {
      if (typeof entry !== "string" && entry.type === "self")
        return { name: agent.name, ref: "self", description: agent.description ?? null };
      if (typeof entry !== "string" && entry.type !== "agent") return null;
      const [id, version] = typeof entry === "string" ? [entry, undefined] : [entry.id, entry.version];
      const found = await request(bus, STORE_RPC.agentsGet, {
        agent_id: id,
        ...(version ? { version } : {}),
      }).catch(() => null);
      return found ? { name: found.name, ref: found.id, description: found.description ?? null } : null;
    }),
  );
  return members.filter((m): m is RosterMember => m !== null);
}

/** What a run of this log works from: its session's record (a thread runs with its own agent), and more. */
export async function loadSessionInfo(bus: Bus, logId: LogId): Promise<SessionInfo> {
  const thread = isId("thread", logId) ? await request(bus, THREAD_RPC.get, { thread_id: logId }) : null;
  const session = await request(bus, STORE_RPC.sessionsGet, { session_id: thread?.session_id ?? logId });
  let environment: Promise<EnvironmentRecord | null> | null = null;
  // Only a sandbox needs the environment, so it is not fetched before the first model call.
  const loadEnvironment = () =>
    (environment ??= request(bus, STORE_RPC.environmentsGet, {
      environment_id: session.environment_id,
    }).catch(() => null));
  return {
    logId,
    session: thread ? { ...session, agent: thread.agent } : session,
    environment: loadEnvironment,
    sessionId: session.id,
    threadId: thread ? thread.id : null,
    roster: thread ? null : await loadRoster(bus, session.agent),
    sessionTokens: session.usage.input_tokens + session.usage.output_tokens,
  };
}
