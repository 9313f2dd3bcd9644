import { expect, test } from "vitest";
import { AgentCreateParams, AgentRecord, AgentSnapshot, AgentUpdateParams, Metadata } from "./agents.js";
import { EnvironmentCreateParams, EnvironmentUpdateParams } from "./environments.js";
import { SessionCreateParams, SessionRecord, SessionUpdateParams } from "./sessions.js";

const AGENT = "agent_01J9ZK3M4N5P6Q7R8S9T0VWXYZ";
const ENV = "env_01J9ZK3M4N5P6Q7R8S9T0VWXYZ";
const NOW = "2026-04-08T12:00:00.000Z";
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
const customTool = (name: string) => ({
  type: "custom",
  name,
  description: "d",
  input_schema: { type: "object", properties: {} },
});

const agentRecord = {
  id: AGENT,
  type: "agent",
  name: "coder",
  description: null,
  model: { id: "claude-opus-4-5", effort: { type: "high" } },
  system: "You write code.",
  tools: [
    {
      type: "agent_toolset_20260401",
      configs: [{ name: "bash", permission_policy: { type: "always_ask" } }],
    },
  ],
  mcp_servers: [{ type: "url", name: "github", url: "https://mcp.github.com/mcp" }],
  skills: [{ type: "anthropic", skill_id: "xlsx" }],
  multiagent: null,
  metadata: { team: "infra" },
  version: 1,
  created_at: NOW,
  updated_at: NOW,
  archived_at: null,
};

test("accepts an agent create whose model is a bare string", () => {
  expect(AgentCreateParams.parse({ name: "a", model: "claude-opus-4-5" }).model).toBe("claude-opus-4-5");
  expect(
    AgentCreateParams.parse({ name: "a", model: { id: "claude-opus-4-5", speed: "fast" } }).model,
  ).toEqual({
    id: "claude-opus-4-5",
    speed: "fast",
  });
});

test("rejects an agent create without a name or model, or with a name over 256 characters", () => {
  expect(AgentCreateParams.safeParse({ model: "m" }).success).toBe(false);
  expect(AgentCreateParams.safeParse({ name: "a" }).success).toBe(false);
  expect(AgentCreateParams.safeParse({ name: "", model: "m" }).success).toBe(false);
  expect(AgentCreateParams.safeParse({ name: "a".repeat(257), model: "m" }).success).toBe(false);
});

test("rejects metadata with 17 keys, a key over 64 or a value over 512 characters", () => {
  expect(Metadata.safeParse(keys(16)).success).toBe(true);
  expect(Metadata.safeParse(keys(17)).success).toBe(false);
  expect(Metadata.safeParse({ ["k".repeat(65)]: "v" }).success).toBe(false);
  expect(Metadata.safeParse({ k: "v".repeat(513) }).success).toBe(false);
  expect(AgentCreateParams.safeParse({ name: "a", model: "m", metadata: keys(17) }).success).toBe(false);
});

test("rejects a custom tool whose name has a space", () => {
  expect(
    AgentCreateParams.safeParse({ name: "a", model: "m", tools: [customTool("get_weather")] }).success,
  ).toBe(true);
  const result = AgentCreateParams.safeParse({ name: "a", model: "m", tools: [customTool("get weather")] });
  expect(result.error?.issues[0]?.path).toEqual(["tools", 0, "name"]);
});

test("rejects a custom tool whose input schema is not an object schema", () => {
  const tool = { ...customTool("t"), input_schema: { type: "string" } };
  expect(AgentCreateParams.safeParse({ name: "a", model: "m", tools: [tool] }).success).toBe(false);
});

test("rejects more than 128 tools, a toolset config for an unknown tool and an unknown permission policy", () => {
  const tools = Array.from({ length: 129 }, (_, i) => customTool(`t${i}`));
  expect(AgentCreateParams.safeParse({ name: "a", model: "m", tools }).success).toBe(false);
  const toolset = (configs: unknown) => ({
    name: "a",
    model: "m",
    tools: [{ type: "agent_toolset_20260401", configs }],
  });
  expect(AgentCreateParams.safeParse(toolset([{ name: "teleport" }])).success).toBe(false);
  expect(
    AgentCreateParams.safeParse(toolset([{ name: "bash", permission_policy: { type: "sometimes" } }]))
      .success,
  ).toBe(false);
});

test("rejects an MCP server whose url is not http(s)", () => {
  const params = (url: string) => ({ name: "a", model: "m", mcp_servers: [{ type: "url", name: "s", url }] });
  expect(AgentCreateParams.safeParse(params("https://mcp.example.com")).success).toBe(true);
  expect(AgentCreateParams.safeParse(params("file:///etc/passwd")).success).toBe(false);
});

test("a coordinator roster holds 1 to 20 entries of the four kinds", () => {
  const roster = (agents: unknown[]) => ({
    name: "a",
    model: "m",
    multiagent: { type: "coordinator", agents },
  });
  const kinds = [
    AGENT,
    { type: "agent", id: AGENT, version: 2 },
    { type: "self" },
    { type: "advisor", model: "claude-opus-4-5" },
  ];
  expect(AgentCreateParams.parse(roster(kinds)).multiagent?.agents).toEqual(kinds);
  expect(AgentCreateParams.safeParse(roster([])).success).toBe(false);
  expect(AgentCreateParams.safeParse(roster(Array.from({ length: 21 }, () => AGENT))).success).toBe(false);
  expect(AgentCreateParams.safeParse(roster(["not-an-agent-id"])).success).toBe(false);
});

test("an agent update may be empty, may pin a version and may clear the description", () => {
  expect(AgentUpdateParams.parse({})).toEqual({});
  expect(AgentUpdateParams.parse({ version: 3, description: null })).toEqual({
    version: 3,
    description: null,
  });
  expect(AgentUpdateParams.safeParse({ version: 0 }).success).toBe(false);
  expect(AgentUpdateParams.safeParse({ name: "" }).success).toBe(false);
});

test("an agent record round-trips and its snapshot keeps only the resolved definition", () => {
  expect(AgentRecord.parse(agentRecord)).toEqual(agentRecord);
  expect(AgentRecord.safeParse({ ...agentRecord, model: "claude-opus-4-5" }).success).toBe(false);
  expect(AgentRecord.safeParse({ ...agentRecord, version: 0 }).success).toBe(false);
  expect(Object.keys(AgentSnapshot.parse(agentRecord)).sort()).toEqual([
    "description",
    "id",
    "mcp_servers",
    "model",
    "multiagent",
    "name",
    "skills",
    "system",
    "tools",
    "version",
  ]);
});

test("an environment defaults to cloud with unrestricted networking", () => {
  expect(EnvironmentCreateParams.parse({ name: "dev" }).config).toEqual({
    type: "cloud",
    networking: { type: "unrestricted" },
  });
  expect(EnvironmentCreateParams.parse({ name: "dev", config: { type: "cloud" } }).config).toEqual({
    type: "cloud",
    networking: { type: "unrestricted" },
  });
});

test("limited networking denies package managers and MCP servers unless asked", () => {
  const config = EnvironmentCreateParams.parse({
    name: "dev",
    config: { type: "docker", networking: { type: "limited", allowed_hosts: ["api.github.com"] } },
  }).config;
  expect(config).toEqual({
    type: "docker",
    networking: {
      type: "limited",
      allowed_hosts: ["api.github.com"],
      allow_package_managers: false,
      allow_mcp_servers: false,
    },
  });
  const hosts = Array.from({ length: 65 }, (_, i) => `h${i}.example.com`);
  expect(
    EnvironmentCreateParams.safeParse({
      name: "d",
      config: { type: "cloud", networking: { type: "limited", allowed_hosts: hosts } },
    }).success,
  ).toBe(false);
  expect(
    EnvironmentCreateParams.safeParse({
      name: "d",
      config: { type: "cloud", networking: { type: "limited", allowed_hosts: ["https://x.com/"] } },
    }).success,
  ).toBe(false);
});

test("accepts a docker environment with an image, packages and resources, and rejects unknown config types", () => {
  const config = {
    type: "docker",
    image: "ghcr.io/corral/sandbox:1.2",
    packages: { pip: ["requests==2.32.0"] },
    resources: { memory_mb: 2048, cpus: 1.5 },
  };
  const parsed = EnvironmentCreateParams.parse({ name: "d", config }).config;
  expect(parsed).toMatchObject({
    type: "docker",
    image: "ghcr.io/corral/sandbox:1.2",
    resources: { memory_mb: 2048, cpus: 1.5 },
  });
  expect(parsed.type === "docker" && parsed.packages).toEqual({
    apt: [],
    cargo: [],
    gem: [],
    go: [],
    npm: [],
    pip: ["requests==2.32.0"],
  });
  expect(
    EnvironmentCreateParams.safeParse({ name: "d", config: { type: "docker", resources: { cpus: 0 } } })
      .success,
  ).toBe(false);
  expect(EnvironmentCreateParams.safeParse({ name: "d", config: { type: "kubernetes" } }).success).toBe(
    false,
  );
  expect(EnvironmentCreateParams.parse({ name: "d", config: { type: "self_hosted" } }).config).toEqual({
    type: "self_hosted",
  });
});

test("an environment update leaves out what it does not change", () => {
  expect(EnvironmentUpdateParams.parse({ description: null })).toEqual({ description: null });
  expect(EnvironmentUpdateParams.safeParse({ name: "" }).success).toBe(false);
});

test("a session takes its agent as an id, a pinned version or a version with overrides", () => {
  for (const agent of [
    AGENT,
    { type: "agent", id: AGENT, version: 2 },
    { type: "agent_with_overrides", id: AGENT, model: "claude-haiku-4-5", system: null },
  ]) {
    expect(SessionCreateParams.parse({ agent, environment_id: ENV }).agent).toEqual(agent);
  }
  expect(
    SessionCreateParams.safeParse({ agent: "sesn_01J9ZK3M4N5P6Q7R8S9T0VWXYZ", environment_id: ENV }).success,
  ).toBe(false);
  expect(SessionCreateParams.safeParse({ agent: AGENT }).success).toBe(false);
});

test("initial events are only user messages and outcomes, at most 50", () => {
  const message = { type: "user.message", content: [{ type: "text", text: "go" }] };
  const create = (initial_events: unknown[]) => ({ agent: AGENT, environment_id: ENV, initial_events });
  expect(SessionCreateParams.parse(create([message])).initial_events).toEqual([message]);
  expect(SessionCreateParams.safeParse(create([{ type: "user.interrupt" }])).success).toBe(false);
  expect(SessionCreateParams.safeParse(create(Array.from({ length: 51 }, () => message))).success).toBe(
    false,
  );
});

test("a budget needs at least one limit and a whole-number list cost", () => {
  const create = (budget: unknown) => ({ agent: AGENT, environment_id: ENV, budget });
  expect(
    SessionCreateParams.safeParse(
      create({ type: "limit", max_list_cost: { amount: "2500", currency: "USD" } }),
    ).success,
  ).toBe(true);
  expect(
    SessionCreateParams.safeParse(create({ type: "limit", max_turns: 20, max_wall_clock_seconds: 3600 }))
      .success,
  ).toBe(true);
  expect(SessionCreateParams.safeParse(create({ type: "limit" })).success).toBe(false);
  expect(
    SessionCreateParams.safeParse(
      create({ type: "limit", max_list_cost: { amount: "25.00", currency: "USD" } }),
    ).success,
  ).toBe(false);
});

test("a session create rejects more than 20 vaults and a task id with spaces", () => {
  const vaults = Array.from({ length: 21 }, () => "vlt_01J9ZK3M4N5P6Q7R8S9T0VWXYZ");
  expect(
    SessionCreateParams.safeParse({ agent: AGENT, environment_id: ENV, vault_ids: vaults }).success,
  ).toBe(false);
  expect(SessionCreateParams.safeParse({ agent: AGENT, environment_id: ENV, task_id: "a b" }).success).toBe(
    false,
  );
});

test("keeps a resource's own fields, which the mounter checks", () => {
  const repo = {
    type: "github_repository",
    url: "https://github.com/o/r",
    checkout: { type: "branch", name: "main" },
  };
  expect(
    SessionCreateParams.parse({ agent: AGENT, environment_id: ENV, resources: [repo] }).resources,
  ).toEqual([repo]);
  expect(
    SessionCreateParams.safeParse({ agent: AGENT, environment_id: ENV, resources: [{ url: "x" }] }).success,
  ).toBe(false);
});

test("a session update deletes metadata keys with null", () => {
  expect(SessionUpdateParams.parse({ metadata: { a: null, b: "2" } })).toEqual({
    metadata: { a: null, b: "2" },
  });
  expect(SessionUpdateParams.parse({ budget: null, title: null })).toEqual({ budget: null, title: null });
  // The 16-key limit holds for the patched bag (the session-store checks it); a patch may name up to 32 keys.
  expect(SessionUpdateParams.safeParse({ metadata: keys(17) }).success).toBe(true);
  expect(SessionUpdateParams.safeParse({ metadata: keys(33) }).success).toBe(false);
});

test("a session record round-trips with its snapshot, usage and stop reason", () => {
  const snapshot = AgentSnapshot.parse(agentRecord);
  const record = {
    id: "sesn_01J9ZK3M4N5P6Q7R8S9T0VWXYZ",
    type: "session",
    status: "idle",
    stop_reason: { type: "end_turn" },
    title: null,
    agent: snapshot,
    environment_id: ENV,
    resources: [],
    vault_ids: [],
    metadata: {},
    usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    stats: { active_seconds: 1.5, duration_seconds: 9 },
    budget: null,
    task_id: null,
    event_count: 7,
    created_at: NOW,
    updated_at: NOW,
    archived_at: null,
  };
  expect(SessionRecord.parse(record)).toEqual(record);
  expect(SessionRecord.safeParse({ ...record, status: "paused" }).success).toBe(false);
  expect(SessionRecord.safeParse({ ...record, usage: { input_tokens: 1 } }).success).toBe(false);
});
