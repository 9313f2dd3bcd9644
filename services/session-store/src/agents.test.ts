import { beforeAll, describe, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { makeAgent, startStoreStack } from "./testing.js";

let bus: Bus;

beforeAll(async () => {
  const stack = await startStoreStack();
  bus = stack.bus;
  return () => stack.stop();
});

describe("agents", () => {
  test("create stores version 1 with defaults and a bare model string becomes a model config", async () => {
    const agent = await makeAgent(bus);
    expect(agent).toMatchObject({
      type: "agent",
      version: 1,
      model: { id: "claude-test" },
      tools: [],
      archived_at: null,
    });
    expect(agent.id).toMatch(/^agent_/);
    await expect(request(bus, STORE_RPC.agentsGet, { agent_id: agent.id })).resolves.toEqual(agent);
  });

  test("update makes a new immutable version and the old one stays readable", async () => {
    const agent = await makeAgent(bus);
    const v2 = await request(bus, STORE_RPC.agentsUpdate, {
      agent_id: agent.id,
      params: { system: "be thorough" },
    });
    expect(v2).toMatchObject({ version: 2, system: "be thorough" });
    await expect(
      request(bus, STORE_RPC.agentsGet, { agent_id: agent.id, version: 1 }),
    ).resolves.toMatchObject({ version: 1, system: "be brief" });
    const versions = await request(bus, STORE_RPC.agentsVersions, { agent_id: agent.id });
    expect(versions.data.map((a) => a.version)).toEqual([2, 1]);
  });

  test("an update that changes nothing keeps the version", async () => {
    const agent = await makeAgent(bus);
    const same = await request(bus, STORE_RPC.agentsUpdate, {
      agent_id: agent.id,
      params: { system: "be brief" },
    });
    expect(same.version).toBe(1);
  });

  test("an update with a stale version is a CONFLICT and changes nothing", async () => {
    const agent = await makeAgent(bus);
    await request(bus, STORE_RPC.agentsUpdate, { agent_id: agent.id, params: { name: "second" } });
    await expect(
      request(bus, STORE_RPC.agentsUpdate, { agent_id: agent.id, params: { name: "third", version: 1 } }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(request(bus, STORE_RPC.agentsGet, { agent_id: agent.id })).resolves.toMatchObject({
      name: "second",
      version: 2,
    });
  });

  test("an mcp_toolset naming an undeclared server is refused and nothing is stored", async () => {
    const before = await request(bus, STORE_RPC.agentsList, { limit: 1000 });
    await expect(
      request(bus, STORE_RPC.agentsCreate, {
        name: "x",
        model: "m",
        tools: [{ type: "mcp_toolset", mcp_server_name: "nope" }],
      }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining("nope") });
    const after = await request(bus, STORE_RPC.agentsList, { limit: 1000 });
    expect(after.data.length).toBe(before.data.length);
  });

  test("unknown agents and versions are NOT_FOUND; malformed ids are INVALID_REQUEST", async () => {
    await expect(
      request(bus, STORE_RPC.agentsGet, { agent_id: "agent_00000000000000000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const agent = await makeAgent(bus);
    await expect(request(bus, STORE_RPC.agentsGet, { agent_id: agent.id, version: 9 })).rejects.toMatchObject(
      { code: "NOT_FOUND" },
    );
    await expect(request(bus, STORE_RPC.agentsGet, { agent_id: "sesn_wrongkind" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    await expect(request(bus, STORE_RPC.agentsGet, { agent_id: "agent_a.b>" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });

  test("archive makes the agent read-only and hides it from the default list", async () => {
    const agent = await makeAgent(bus);
    const archived = await request(bus, STORE_RPC.agentsArchive, { agent_id: agent.id });
    expect(archived.archived_at).not.toBeNull();
    await expect(
      request(bus, STORE_RPC.agentsUpdate, { agent_id: agent.id, params: { name: "z" } }),
    ).rejects.toMatchObject({ code: "ARCHIVED" });
    const visible = await request(bus, STORE_RPC.agentsList, { limit: 1000 });
    expect(visible.data.some((a) => a.id === agent.id)).toBe(false);
    const all = await request(bus, STORE_RPC.agentsList, { limit: 1000, include_archived: true });
    expect(all.data.some((a) => a.id === agent.id)).toBe(true);
  });

  test("list pages with a cursor, newest first, without repeats", async () => {
    for (let i = 0; i < 5; i++) await makeAgent(bus, `paged-${i}`);
    const seen: string[] = [];
    let page: string | undefined;
    do {
      const result = await request(bus, STORE_RPC.agentsList, { limit: 2, ...(page && { page }) });
      seen.push(...result.data.map((a) => a.id));
      page = result.next_page ?? undefined;
    } while (page);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
    await expect(request(bus, STORE_RPC.agentsList, { limit: 2, page: "garbage" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });
});
