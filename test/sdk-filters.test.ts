import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { startTestStack, type TestStack } from "@corral/gateway/testing";
import { NOT_SUPPORTED } from "@corral/protocol";

// List filters, metadata patches and the refusal of documented fields Corral does not implement, through the
// official SDK (unchanged but for baseURL and apiKey) against NATS, the session-store and the gateway.
let stack: TestStack;
let client: Anthropic;

beforeAll(async () => {
  stack = await startTestStack();
  client = new Anthropic({ apiKey: stack.gw.key, baseURL: stack.gw.url, maxRetries: 0 });
});

afterAll(async () => {
  await stack?.close();
});

/** Returns once the clock has moved past `time`, so the next record gets a later creation time (ms). */
async function after(time: string): Promise<void> {
  while (Date.now() <= Date.parse(time)) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Every item of a list, page by page (the SDK follows `next_page`). */
async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

/** The request was refused with 400 invalid_request_error whose message names `field` and says why. */
async function refused(request: Promise<unknown>, field: string, why = NOT_SUPPORTED) {
  const error = await request.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  const body = (error as InstanceType<typeof Anthropic.BadRequestError>).error as {
    error: { type: string; message: string };
  };
  expect(body.error.type).toBe("invalid_request_error");
  expect(body.error.message).toContain(why === NOT_SUPPORTED ? `unsupported field "${field}"` : field);
  expect(body.error.message).toContain(why);
}

let seq = 0;
const newAgent = (over: Partial<Anthropic.Beta.Agents.AgentCreateParams> = {}) =>
  client.beta.agents.create({ name: `filters-${++seq}`, model: "claude-test", ...over });
const newEnvironment = (over: Partial<Anthropic.Beta.Environments.EnvironmentCreateParams> = {}) =>
  client.beta.environments.create({ name: `filters-env-${Date.now()}-${++seq}`, ...over });

/** `count` agents, each created after the previous one's creation time. */
async function agentsInTurn(count: number) {
  const agents: Anthropic.Beta.Agents.BetaManagedAgentsAgent[] = [];
  for (let i = 0; i < count; i++) {
    if (agents.length) await after(agents[agents.length - 1]!.created_at);
    agents.push(await newAgent());
  }
  return agents;
}

describe("metadata patches", () => {
  test("an agent update upserts and deletes keys, makes a new version, and checks 16 keys on the result", async () => {
    const agent = await newAgent({ metadata: { team: "core", stage: "dev", old: "x" } });
    const v2 = await client.beta.agents.update(agent.id, {
      version: 1,
      metadata: { stage: "prod", old: null, owner: "ada" },
    });
    expect(v2.metadata).toEqual({ team: "core", stage: "prod", owner: "ada" });
    expect(v2.version).toBe(2);
    const v1 = await client.beta.agents.retrieve(agent.id, { version: 1 });
    expect(v1.metadata).toEqual({ team: "core", stage: "dev", old: "x" });

    // Twenty keys named, sixteen left: the patch is fine because its result is.
    const full = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`k${i}`, "v"]));
    const v3 = await client.beta.agents.update(agent.id, { metadata: full });
    expect(Object.keys(v3.metadata)).toHaveLength(16);
    const swap = {
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, null])),
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i}`, "w"])),
    };
    const v4 = await client.beta.agents.update(agent.id, { metadata: swap });
    expect(Object.keys(v4.metadata)).toHaveLength(16);
    expect(v4.metadata).toMatchObject({ team: "core", k12: "v", n9: "w" });

    await refused(
      client.beta.agents.update(agent.id, { metadata: { one_too_many: "v" } }),
      "metadata",
      "17 keys",
    );
    expect((await client.beta.agents.retrieve(agent.id)).version).toBe(4);
    // A patch that changes nothing makes no version.
    expect((await client.beta.agents.update(agent.id, { metadata: { team: "core" } })).version).toBe(4);
  });

  test("an environment update upserts and deletes keys (null or empty string), 16 keys on the result", async () => {
    const env = await newEnvironment({ metadata: { a: "1", b: "2", c: "3" } });
    const updated = await client.beta.environments.update(env.id, { metadata: { a: null, b: "", d: "4" } });
    expect(updated.metadata).toEqual({ c: "3", d: "4" });
    expect((await client.beta.environments.retrieve(env.id)).metadata).toEqual({ c: "3", d: "4" });
    const many = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, "v"]));
    await refused(client.beta.environments.update(env.id, { metadata: many }), "metadata", "17 keys");
    expect((await client.beta.environments.retrieve(env.id)).metadata).toEqual({ c: "3", d: "4" });
  });
});

describe("list filters, page by page", () => {
  test("agents.list: created_at[gte|lte] with a cursor, and include_archived", async () => {
    const agents = await agentsInTurn(5);
    const [first, second, , fourth, fifth] = agents;
    const inRange = await all(
      client.beta.agents.list({
        "created_at[gte]": second!.created_at,
        "created_at[lte]": fourth!.created_at,
        limit: 1,
      }),
    );
    expect(inRange.map((a) => a.id)).toEqual([agents[3]!.id, agents[2]!.id, agents[1]!.id]);

    await client.beta.agents.archive(fourth!.id);
    const since = { "created_at[gte]": first!.created_at, limit: 2 };
    expect((await all(client.beta.agents.list(since))).map((a) => a.id)).not.toContain(fourth!.id);
    const withArchived = await all(client.beta.agents.list({ ...since, include_archived: true }));
    expect(withArchived.map((a) => a.id)).toEqual(agents.map((a) => a.id).reverse());
    expect(
      await all(client.beta.agents.list({ "created_at[gte]": fifth!.created_at, limit: 5 })),
    ).toHaveLength(1);
  });

  test("sessions.list: created_at[gt|gte|lt|lte], agent_version, include_archived, with a cursor", async () => {
    const env = await newEnvironment();
    const agent = await newAgent();
    const sessions: Anthropic.Beta.Sessions.BetaManagedAgentsSession[] = [];
    for (let i = 0; i < 4; i++) {
      if (sessions.length) await after(sessions[sessions.length - 1]!.created_at);
      sessions.push(await client.beta.sessions.create({ agent: agent.id, environment_id: env.id }));
    }
    const ids = (list: { id: string }[]) => list.map((s) => s.id);
    const [s0, s1, s2, s3] = sessions;
    const base = { agent_id: agent.id, limit: 1 } as const;
    expect(
      ids(await all(client.beta.sessions.list({ ...base, order: "asc", "created_at[gt]": s0!.created_at }))),
    ).toEqual(ids([s1!, s2!, s3!]));
    expect(ids(await all(client.beta.sessions.list({ ...base, "created_at[lt]": s3!.created_at })))).toEqual(
      ids([s2!, s1!, s0!]),
    );
    expect(
      ids(
        await all(
          client.beta.sessions.list({
            ...base,
            "created_at[gte]": s1!.created_at,
            "created_at[lte]": s2!.created_at,
          }),
        ),
      ),
    ).toEqual(ids([s2!, s1!]));

    await client.beta.agents.update(agent.id, { system: "version two" });
    const onV2 = await client.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    expect(ids(await all(client.beta.sessions.list({ ...base, agent_version: 2 })))).toEqual([onV2.id]);
    expect(await all(client.beta.sessions.list({ ...base, agent_version: 1 }))).toHaveLength(4);

    await client.beta.sessions.archive(s1!.id);
    expect(ids(await all(client.beta.sessions.list({ ...base, agent_version: 1 })))).toEqual(
      ids([s3!, s2!, s0!]),
    );
    expect(
      ids(await all(client.beta.sessions.list({ ...base, agent_version: 1, include_archived: true }))),
    ).toEqual(ids([s3!, s2!, s1!, s0!]));
  });

  test("events.list: created_at against processed_at, with order, types and a cursor", async () => {
    const env = await newEnvironment();
    const agent = await newAgent();
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    const sent: Anthropic.Beta.Sessions.BetaManagedAgentsSessionEvent[] = [];
    for (let i = 0; i < 5; i++) {
      if (sent.length) await after(sent[sent.length - 1]!.processed_at!);
      const { data } = await client.beta.sessions.events.send(session.id, {
        events: [{ type: "user.message", content: [{ type: "text", text: `message ${i}` }] }],
      });
      sent.push(data![0]!);
    }
    const ids = (list: { id: string }[]) => list.map((e) => e.id);
    const range = { "created_at[gte]": sent[1]!.processed_at!, "created_at[lt]": sent[4]!.processed_at! };
    const asc = await all(
      client.beta.sessions.events.list(session.id, { ...range, types: ["user.message"], limit: 1 }),
    );
    expect(ids(asc)).toEqual(ids(sent.slice(1, 4)));
    const desc = await all(
      client.beta.sessions.events.list(session.id, {
        "created_at[gt]": sent[1]!.processed_at!,
        "created_at[lte]": sent[3]!.processed_at!,
        order: "desc",
        limit: 1,
      }),
    );
    expect(ids(desc.filter((e) => e.type === "user.message"))).toEqual(ids([sent[3]!, sent[2]!]));
    expect(
      desc.every(
        (e) => e.processed_at! > sent[1]!.processed_at! && e.processed_at! <= sent[3]!.processed_at!,
      ),
    ).toBe(true);
    const later = await all(
      client.beta.sessions.events.list(session.id, { "created_at[gt]": sent[4]!.processed_at!, limit: 10 }),
    );
    expect(later.filter((e) => e.type === "user.message")).toEqual([]);
  });

  test("a bad time, an unknown bound and filters Corral does not have are refused by name", async () => {
    await refused(client.beta.agents.list({ "created_at[gte]": "yesterday" }), "created_at.gte", "");
    await refused(
      client.get("/v1/agents", { query: { "created_at[after]": new Date().toISOString() } }),
      "created_at.after",
      "",
    );
    await refused(client.beta.sessions.list({ deployment_id: "depl_1" }), "deployment_id");
    await refused(client.beta.sessions.list({ agent_version: 1 }), "agent_version", "agent_id");
  });
});

test("environments.update: a config that omits networking and packages keeps them, as the SDK documents", async () => {
  const env = await newEnvironment({
    config: {
      type: "cloud",
      networking: { type: "limited", allowed_hosts: ["api.github.com"], allow_package_managers: true },
      packages: { pip: ["requests"] },
    },
  });
  const updated = await client.beta.environments.update(env.id, {
    config: { type: "cloud", packages: { npm: ["left-pad"] } },
  });
  expect(updated.config).toMatchObject({
    type: "cloud",
    networking: { type: "limited", allowed_hosts: ["api.github.com"], allow_package_managers: true },
    packages: { npm: ["left-pad"], pip: [] },
  });
  const again = await client.beta.environments.update(env.id, {
    config: { type: "cloud", networking: null },
  });
  expect(again.config).toEqual(updated.config);
  expect((await client.beta.environments.retrieve(env.id)).config).toEqual(updated.config);
});

test("environments: null where the SDK types a field `T | null` means its default, on create and update", async () => {
  const env = await newEnvironment({
    config: {
      type: "cloud",
      networking: {
        type: "limited",
        allowed_hosts: null,
        allow_package_managers: true,
        allow_mcp_servers: null,
      },
      packages: { pip: null, npm: ["left-pad"] },
    },
  });
  expect(env.config).toEqual({
    type: "cloud",
    networking: {
      type: "limited",
      allowed_hosts: [],
      allow_package_managers: true,
      allow_mcp_servers: false,
    },
    packages: { apt: [], cargo: [], gem: [], go: [], npm: ["left-pad"], pip: [] },
  });
  const plain = await newEnvironment({ config: null });
  expect(plain.config).toEqual({ type: "cloud", networking: { type: "unrestricted" } });
  const updated = await client.beta.environments.update(env.id, {
    config: {
      type: "cloud",
      networking: { type: "limited", allowed_hosts: ["pypi.org"], allow_mcp_servers: null },
    },
  });
  expect(updated.config).toMatchObject({
    networking: { type: "limited", allowed_hosts: ["pypi.org"], allow_package_managers: false },
    packages: { npm: ["left-pad"] },
  });
});

describe("documented fields Corral does not implement are refused by name", () => {
  test("agents: execution_identity other than the default, inference_geo, the auto policy, web tool options, multiagent_20261001", async () => {
    await refused(
      newAgent({ execution_identity: { type: "aws_role", role_arn: "arn:aws:iam::1:role/r" } }),
      "execution_identity",
    );
    await refused(newAgent({ model: { id: "claude-test", inference_geo: "eu" } }), "model.inference_geo");
    await refused(
      newAgent({
        tools: [{ type: "agent_toolset_20260401", default_config: { permission_policy: { type: "auto" } } }],
      }),
      "tools.0.default_config.permission_policy.type",
    );
    await refused(
      newAgent({
        tools: [
          { type: "agent_toolset_20260401", configs: [{ name: "web_fetch", allowed_domains: ["a.com"] }] },
        ],
      }),
      "tools.0.configs.0.allowed_domains",
    );
    await refused(
      newAgent({
        tools: [
          {
            type: "agent_toolset_20260401",
            configs: [{ name: "web_search", user_location: { type: "approximate" } }],
          },
        ],
      }),
      "tools.0.configs.0.user_location",
    );
    await refused(newAgent({ multiagent: { type: "multiagent_20261001" } }), "multiagent.type");
    const agent = await newAgent();
    await refused(
      client.beta.agents.update(agent.id, {
        execution_identity: { type: "aws_role", role_arn: "arn:aws:iam::1:role/r" },
      }),
      "execution_identity",
    );
    expect((await client.beta.agents.retrieve(agent.id)).version).toBe(1);
  });

  test("agents: the documented defaults and shorthands are accepted", async () => {
    const agent = await newAgent({
      execution_identity: { type: "service_account" },
      model: { id: "claude-test", effort: "high", inference_geo: null, speed: null },
      tools: [{ type: "agent_toolset_20260401", configs: [{ name: "bash", type: "bash", enabled: true }] }],
    });
    expect(agent.model).toEqual({ id: "claude-test", effort: { type: "high" } });
    const updated = await client.beta.agents.update(agent.id, {
      execution_identity: null,
      tools: null,
      skills: null,
    });
    expect(updated).toMatchObject({ version: 2, tools: [], skills: [] });
  });

  test("environments: scope account is refused, organization (what a workspace is) accepted", async () => {
    await refused(newEnvironment({ scope: "account" }), "scope");
    const env = await newEnvironment({ scope: "organization" });
    await refused(client.beta.environments.update(env.id, { scope: "account" }), "scope");
    const renamed = await client.beta.environments.update(env.id, {
      scope: "organization",
      name: null,
      description: "d",
    });
    expect(renamed).toMatchObject({ name: env.name, description: "d" });
  });

  test("sessions: vault_ids on update is refused (as the API documents), nothing changed", async () => {
    const env = await newEnvironment();
    const agent = await newAgent();
    const session = await client.beta.sessions.create({
      agent: agent.id,
      environment_id: env.id,
      title: "t",
    });
    await refused(
      client.beta.sessions.update(session.id, { vault_ids: ["vlt_1"], title: "changed" }),
      "vault_ids",
    );
    expect((await client.beta.sessions.retrieve(session.id)).title).toBe("t");
  });
});
