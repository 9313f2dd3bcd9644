import { connectBus, request, type Bus } from "@corral/bus";
import { silentLogger } from "@corral/logger";
import { startSystem, stopThenClose, busConfigFor } from "@corral/testing";
import {
  STORE_RPC,
  type AgentRecord,
  type EnvironmentRecord,
  type NetworkingConfig,
  type SessionCreateParams,
  type SessionRecord,
} from "@corral/protocol";
import { createSessionStore, type SessionStoreService } from "./session-store.js";

export interface StoreHarness {
  bus: Bus;
  store: SessionStoreService;
  close(): Promise<void>;
}

/** A session-store replica in this process, on its own connection, as a test's server side. */
export async function startStore(url: string, options: { taskIntake?: boolean } = {}): Promise<StoreHarness> {
  const bus = await connectBus(busConfigFor(url, "session-store"));
  const store = createSessionStore({
    bus,
    logger: silentLogger(),
    config: { replicas: 1, duplicateWindowMs: 120_000, taskIntake: options.taskIntake ?? true },
  });
  await store.start();
  return { bus, store, close: stopThenClose(store, bus) };
}

/** nats-server, an in-process store on it (no task intake) and a client bus: what a store test runs against. */
export async function startStoreStack(): Promise<{ bus: Bus; store: StoreHarness; stop(): Promise<void> }> {
  const system = await startSystem("client");
  const store = await startStore(system.nats.url, { taskIntake: false });
  return {
    bus: system.bus,
    store,
    async stop() {
      await store.close();
      await system.stop();
    },
  };
}

export async function makeAgent(bus: Bus, name = "tester"): Promise<AgentRecord> {
  return request(bus, STORE_RPC.agentsCreate, { name, model: "claude-test", system: "be brief" });
}

export async function makeEnvironment(
  bus: Bus,
  networking: NetworkingConfig = { type: "unrestricted" },
): Promise<EnvironmentRecord> {
  return request(bus, STORE_RPC.environmentsCreate, {
    name: `env-${Math.random().toString(36).slice(2)}`,
    config: { type: "cloud", networking },
  });
}

/** An environment whose sandboxes reach `allowedHosts` and nothing else (no package managers, no MCP servers). */
export function makeLimitedEnvironment(bus: Bus, allowedHosts: string[]): Promise<EnvironmentRecord> {
  return makeEnvironment(bus, {
    type: "limited",
    allowed_hosts: allowedHosts,
    allow_package_managers: false,
    allow_mcp_servers: false,
  });
}

/** A session of a new agent in a new environment; `extra` adds create parameters (initial events, a title, …). */
export async function makeSession(
  bus: Bus,
  extra: Omit<SessionCreateParams, "agent" | "environment_id"> = {},
): Promise<SessionRecord> {
  const [agent, environment] = await Promise.all([makeAgent(bus), makeEnvironment(bus)]);
  return request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
    ...extra,
  });
}

export const text = (t: string) => ({
  type: "user.message" as const,
  content: [{ type: "text" as const, text: t }],
});
