import { afterAll, beforeAll, expect, test } from "vitest";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import type { ScriptedModel } from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";

// The agent attacks what Corral places in its sandbox: the read-only files, the memory manifests only root
// reads, and the collection of outputs and memory write-backs that Corral runs with more rights than it.
let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;
let client: Anthropic;

beforeAll(async () => {
  stack = await startBrainStack({}, (natsUrl) => startManager(natsUrl, { warmPool: 0 }));
  model = stack.model;
  gw = await startGateway(stack.nats.url);
  client = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.close();
  await stack?.close();
  await removeTestContainers();
});

const bash = (command: string) => ({
  type: "message" as const,
  content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
});

async function idleCount(sessionId: string): Promise<number> {
  let n = 0;
  for await (const e of client.beta.sessions.events.list(sessionId))
    if (e.type === "session.status_idle") n++;
  return n;
}

async function runTurn(sessionId: string, ...commands: string[]) {
  model.script(...commands.map(bash), { type: "message", content: [{ type: "text", text: "ok" }] });
  const before = await idleCount(sessionId);
  await client.beta.sessions.events.send(sessionId, {
    events: [{ type: "user.message", content: [{ type: "text", text: "go" }] }],
  });
  while ((await idleCount(sessionId)) <= before) await new Promise((r) => setTimeout(r, 100));
  const results: string[] = [];
  for await (const e of client.beta.sessions.events.list(sessionId))
    if (e.type === "agent.tool_result") results.push(JSON.stringify(e.content));
  return results;
}

test("links the agent plants in its outputs or its memory mount never carry root-only files out", async () => {
  const environment = await client.beta.environments.create({
    name: `mount-attacks-${Date.now()}`,
    config: { type: "cloud", networking: { type: "unrestricted" }, packages: { type: "packages" } },
  });
  const agent = await client.beta.agents.create({
    name: "attacker",
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  const store = await client.beta.memoryStores.create({ name: "notes" });
  await client.beta.memoryStores.memories.create(store.id, { path: "/a.md", content: "a\n" });
  const file = await client.beta.files.upload({
    file: await toFile(Buffer.from("mounted\n"), "m.txt", { type: "text/plain" }),
  });
  const session = await client.beta.sessions.create({
    agent: agent.id,
    environment_id: environment.id,
    resources: [
      { type: "file", file_id: file.id, mount_path: "/mnt/in/m.txt" },
      { type: "memory_store", memory_store_id: store.id },
    ],
  });
  const results = await runTurn(
    session.id,
    "cat /mnt/memory/.corral/notes.json; ls /mnt/memory/.corral",
    "ln -s /mnt/memory/.corral/notes.json /mnt/session/outputs/manifest.json; ln -s /mnt/memory/.corral /mnt/session/outputs/dir; ln /mnt/memory/.corral/notes.json /mnt/session/outputs/hard.json; ln -s /mnt/memory/.corral/notes.json /mnt/memory/notes/leak.md; ln -s /etc/shadow /mnt/memory/notes/shadow.md; true",
    "ln -sf /mnt/memory/.corral/notes.json /mnt/in/m.txt; mv /mnt/in/m.txt /mnt/in/x; cat /mnt/in/m.txt",
  );
  expect(results[0]).toContain("Permission denied");
  expect(results[0]).not.toContain("memory_store_id");
  expect(results[2]).toContain("mounted");

  const outputs = [];
  for await (const f of client.beta.files.list({ scope_id: session.id })) outputs.push(f.filename);
  expect(outputs).toEqual([]);
  const paths = [];
  for await (const m of client.beta.memoryStores.memories.list(store.id))
    paths.push((m as { path: string }).path);
  expect(paths).toEqual(["/a.md"]);
});
