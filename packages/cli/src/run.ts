import { STORE_RPC, type AgentRecord, type EnvironmentRecord, type SessionEvent } from "@corral/protocol";
import { openSessionLog, request, tailEvents, type Bus } from "@corral/bus";
import { renderEvent } from "./render.js";

export interface RunOptions {
  agentName: string;
  model: string;
  environmentName: string;
  signal?: AbortSignal;
}

async function findOrCreateAgent(bus: Bus, options: RunOptions): Promise<AgentRecord> {
  const agents = await request(bus, STORE_RPC.agentsList, { limit: 1000 });
  const found = agents.data.find((a) => a.name === options.agentName);
  if (found) return found;
  return request(bus, STORE_RPC.agentsCreate, {
    name: options.agentName,
    model: options.model,
    system: "You are a helpful agent with a Linux sandbox. Use the tools to do the work, then report briefly.",
    tools: [{ type: "agent_toolset_20260401" }],
  });
}

async function findOrCreateEnvironment(bus: Bus, name: string): Promise<EnvironmentRecord> {
  const environments = await request(bus, STORE_RPC.environmentsList, { limit: 1000 });
  return environments.data.find((e) => e.name === name) ?? request(bus, STORE_RPC.environmentsCreate, { name });
}

const finished = (e: SessionEvent) => e.type === "session.status_terminated" || e.type === "session.status_idle";

/** Starts a session for `task` and writes its events as they arrive, until the session stops. */
export async function runTask(bus: Bus, task: string, options: RunOptions, write: (line: string) => void): Promise<{ sessionId: string; last: SessionEvent | null }> {
  const agent = await findOrCreateAgent(bus, options);
  const environment = await findOrCreateEnvironment(bus, options.environmentName);
  const session = await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: environment.id, title: task.slice(0, 200) });
  write(`session ${session.id} (agent ${agent.name} v${agent.version})`);
  await request(bus, STORE_RPC.eventsSend, { session_id: session.id, events: [{ type: "user.message", content: [{ type: "text", text: task }] }] });
  const log = await openSessionLog(bus);
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  let last: SessionEvent | null = null;
  for await (const event of tailEvents(log, session.id, 0, controller.signal)) {
    last = event;
    const line = renderEvent(event);
    if (line) write(line);
    if (finished(event)) break;
  }
  controller.abort();
  return { sessionId: session.id, last };
}
