import type Anthropic from "@anthropic-ai/sdk";
import { SessionEvent, type AgentCreateParams, type EnvironmentCreateParams } from "@corral/protocol";
import { renderEvent } from "./render.js";

type RenderableEvent = SessionEvent;

type Agent = Anthropic.Beta.Agents.BetaManagedAgentsAgent;
type Environment = Anthropic.Beta.BetaEnvironment;

export interface RunOptions {
  agentName: string;
  model: string;
  environmentName: string;
  /** Create params for the agent (from `--agent-file`); its `name` is the one looked up. */
  agent?: AgentCreateParams;
  environment?: EnvironmentCreateParams;
  signal?: AbortSignal;
}

const DEFAULT_SYSTEM =
  "You are a helpful agent with a Linux sandbox. Use the tools to do the work, then report briefly.";

async function findOrCreateAgent(client: Anthropic, options: RunOptions): Promise<Agent> {
  const name = options.agent?.name ?? options.agentName;
  for await (const agent of client.beta.agents.list({ limit: 100 })) if (agent.name === name) return agent;
  const params = options.agent ?? {
    name,
    model: options.model,
    system: DEFAULT_SYSTEM,
    tools: [{ type: "agent_toolset_20260401" as const }],
  };
  return client.beta.agents.create(params as Anthropic.Beta.Agents.AgentCreateParams);
}

async function findOrCreateEnvironment(client: Anthropic, options: RunOptions): Promise<Environment> {
  const name = options.environment?.name ?? options.environmentName;
  for await (const environment of client.beta.environments.list({ limit: 100 }))
    if (environment.name === name) return environment;
  return client.beta.environments.create(
    (options.environment ?? { name }) as Anthropic.Beta.Environments.EnvironmentCreateParams,
  );
}

/** Starts a session for `task` and writes its events as they arrive, until the session stops. */
export async function runTask(
  client: Anthropic,
  task: string,
  options: RunOptions,
  write: (line: string) => void,
): Promise<{ sessionId: string; last: RenderableEvent | null }> {
  const agent = await findOrCreateAgent(client, options);
  const environment = await findOrCreateEnvironment(client, options);
  const session = await client.beta.sessions.create({
    agent: agent.id,
    environment_id: environment.id,
    title: task.slice(0, 200),
  });
  write(`session ${session.id} (agent ${agent.name} v${agent.version})`);
  // The stream is open before the message is sent, so nothing is missed.
  const stream = await client.beta.sessions.events.stream(
    session.id,
    {},
    options.signal ? { signal: options.signal } : {},
  );
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: task }] }],
  });
  return { sessionId: session.id, last: await follow(stream, write) };
}

/** Renders a stream until the session stops: idle (not waiting on a tool confirmation), terminated or deleted. */
export async function follow(
  stream: AsyncIterable<unknown>,
  write: (line: string) => void,
  until: (e: RenderableEvent) => boolean = stops,
): Promise<RenderableEvent | null> {
  let last: RenderableEvent | null = null;
  for await (const raw of stream) {
    // The stream carries Corral's own events; anything else (a delta preview) is not rendered.
    const parsed = SessionEvent.safeParse(raw);
    if (!parsed.success) continue;
    const event = parsed.data;
    last = event;
    const line = renderEvent(event);
    if (line) write(line);
    if (until(event)) break;
  }
  return last;
}

const stops = (e: RenderableEvent) =>
  e.type === "session.status_terminated" || e.type === "session.deleted" || e.type === "session.status_idle";
