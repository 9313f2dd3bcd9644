import { afterAll, beforeAll, expect, test } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { startProcessStack, type ProcessStack } from "./support/process-stack.js";

// Every service a process; the sandbox-manager is SIGKILLed while it collects a session's outputs, or while
// it writes back what the agent changed in a memory store. Wherever the kill lands (before, during or after),
// once a new manager runs and the agent runs a tool again, each output is a file of the session exactly once
// and each change one memory version of the session.
let stack: ProcessStack;
let client: Anthropic;

beforeAll(async () => {
  stack = await startProcessStack("outputs-kill");
  client = new Anthropic({ apiKey: stack.key, baseURL: stack.api, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const FILES = 20;

async function outputs(sessionId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const f of client.beta.files.list({ scope_id: sessionId })) names.push(f.filename);
  return names.sort();
}

async function idleCount(sessionId: string): Promise<number> {
  let n = 0;
  for await (const e of client.beta.sessions.events.list(sessionId))
    if (e.type === "session.status_idle") n++;
  return n;
}

async function untilIdleAgain(sessionId: string, before: number) {
  while ((await idleCount(sessionId)) <= before) await new Promise((r) => setTimeout(r, 200));
}

test("a SIGKILLed sandbox-manager mid-collection leaves each output collected once", async () => {
  const environment = await client.beta.environments.create({
    name: `outputs-kill-${Date.now()}`,
    config: { type: "cloud", networking: { type: "unrestricted" }, packages: { type: "packages" } },
  });
  const agent = await client.beta.agents.create({
    name: "writer",
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
  const write = `for i in $(seq 1 ${FILES}); do head -c 2000000 /dev/urandom > /mnt/session/outputs/f$i.bin; done`;
  const bash = (command: string) => ({
    type: "message" as const,
    content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
  });
  const done = { type: "message" as const, content: [{ type: "text" as const, text: "ok" }] };
  stack.model.script(bash(write), done);
  let before = await idleCount(session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "write" }] }],
  });
  // The collection has begun once the first output is a file: the manager dies there.
  while ((await outputs(session.id)).length === 0) await new Promise((r) => setTimeout(r, 20));
  await stack.manager.kill("SIGKILL");
  await stack.spawnManager();
  await untilIdleAgain(session.id, before);

  stack.model.script(bash("true"), done);
  before = await idleCount(session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "again" }] }],
  });
  await untilIdleAgain(session.id, before);
  const expected = Array.from({ length: FILES }, (_, i) => `f${i + 1}.bin`).sort();
  expect(await outputs(session.id)).toEqual(expected);
});

test("a SIGKILLed sandbox-manager mid-write-back of a memory store leaves each change one version of the session", async () => {
  const memoryStores = client.beta.memoryStores;
  const store = await memoryStores.create({ name: `crash-notes-${Date.now()}` });
  const environment = await client.beta.environments.create({ name: `memory-kill-${Date.now()}` });
  const agent = await client.beta.agents.create({
    name: "memory-writer",
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  const session = await client.beta.sessions.create({
    agent: agent.id,
    environment_id: environment.id,
    resources: [{ type: "memory_store", memory_store_id: store.id }],
  });
  const mount = (session.resources[0] as { mount_path: string }).mount_path;
  const write = `for i in $(seq 1 ${FILES}); do echo "note $i" > ${mount}/n$i.md; done`;
  const bash = (command: string) => ({
    type: "message" as const,
    content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
  });
  const done = { type: "message" as const, content: [{ type: "text" as const, text: "ok" }] };
  const versionsBySession = async () => {
    const out: { operation: string; memory_id: string }[] = [];
    for await (const v of memoryStores.memoryVersions.list(store.id))
      if (JSON.stringify(v.created_by).includes(session.id)) out.push(v);
    return out;
  };
  stack.model.script(bash(write), done);
  let before = await idleCount(session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "write" }] }],
  });
  // The write-back has begun once the first version of the session exists: the manager dies there.
  while ((await versionsBySession()).length === 0) await new Promise((r) => setTimeout(r, 20));
  await stack.manager.kill("SIGKILL");
  await stack.spawnManager();
  await untilIdleAgain(session.id, before);

  stack.model.script(bash(`cat ${mount}/n${FILES}.md`), done);
  before = await idleCount(session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "again" }] }],
  });
  await untilIdleAgain(session.id, before);
  const contents: Record<string, string> = {};
  for await (const m of memoryStores.memories.list(store.id)) {
    const { id, path } = m as { id: string; path: string };
    contents[path] = (await memoryStores.memories.retrieve(id, { memory_store_id: store.id })).content ?? "";
  }
  const expected = Object.fromEntries(
    Array.from({ length: FILES }, (_, i) => [`/n${i + 1}.md`, `note ${i + 1}\n`]),
  );
  expect(contents).toEqual(expected);
  // Each change once: one version (a create) per memory, all the session's.
  const versions = await versionsBySession();
  expect(versions).toHaveLength(FILES);
  expect(new Set(versions.map((v) => v.memory_id)).size).toBe(FILES);
  expect(versions.every((v) => v.operation === "created")).toBe(true);
  // And the session goes on: its next tool call read the last note.
  const results: string[] = [];
  for await (const e of client.beta.sessions.events.list(session.id))
    if (e.type === "agent.tool_result") results.push(JSON.stringify(e.content));
  expect(results.at(-1)).toContain(`note ${FILES}`);
});
