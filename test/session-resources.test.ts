import { afterAll, beforeAll, expect, test } from "vitest";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { lastUserText, systemText, type ScriptedModel } from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { removeTestContainers, startManager, type SandboxRuntime } from "@corral/sandbox-manager/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";
import { request } from "@corral/bus";
import { SANDBOX_RPC, sandboxSubject } from "@corral/protocol";

// Session resources through the official SDK, unchanged but for baseURL and apiKey, against the real stack
// (nats-server with users and permissions, session-store, harness, sandbox-manager with Docker, gateway).
// Only the model is scripted: its tool calls read the mounted file, try to change it, and write an output.
let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;
let client: Anthropic;
let environmentId: string;
let agentId: string;
let natsUrl: string;
/** The sandbox-manager, restarted by a test; while `failReads` is set its reads of outputs fail. */
let manager: Awaited<ReturnType<typeof startManager>>;
const failReads = { value: false };
const failingReads = (runtime: SandboxRuntime): SandboxRuntime => ({
  ...runtime,
  rootExec: (id, cmd, io) =>
    failReads.value && cmd[0] === "cat"
      ? Promise.reject(new Error("killed"))
      : runtime.rootExec!(id, cmd, io),
});

beforeAll(async () => {
  stack = await startBrainStack({}, async (url) => {
    natsUrl = url;
    manager = await startManager(url, { warmPool: 0 }, failingReads);
    return { close: () => manager.close() };
  });
  model = stack.model;
  gw = await startGateway(stack.nats.url);
  client = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
  const environment = await client.beta.environments.create({
    name: `resources-${Date.now()}`,
    config: { type: "cloud", networking: { type: "unrestricted" }, packages: { type: "packages" } },
  });
  environmentId = environment.id;
  const agent = await client.beta.agents.create({
    name: "resources-agent",
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  agentId = agent.id;
});

afterAll(async () => {
  await gw?.close();
  await stack?.close();
  await removeTestContainers();
});

const upload = async (text: string, name: string) =>
  client.beta.files.upload({ file: await toFile(Buffer.from(text), name, { type: "text/plain" }) });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => {
      if (!(error instanceof Anthropic.APIError)) throw error;
      return {
        status: error.status,
        message: String((error.error as { error?: { message?: string } })?.error?.message),
      };
    },
  );

const sessionCount = async () => {
  let n = 0;
  for await (const _ of client.beta.sessions.list({ agent_id: agentId })) n++;
  return n;
};

async function idleCount(sessionId: string): Promise<number> {
  let n = 0;
  for await (const e of client.beta.sessions.events.list(sessionId))
    if (e.type === "session.status_idle") n++;
  return n;
}

/** Sends a message and waits for the turn it starts to end (one more `session.status_idle` in the log). */
async function sendAndWait(sessionId: string, text: string) {
  const before = await idleCount(sessionId);
  await client.beta.sessions.events.send(sessionId, {
    events: [{ type: "user.message", content: [{ type: "text", text }] }],
  });
  while ((await idleCount(sessionId)) <= before) await new Promise((r) => setTimeout(r, 100));
}

/** The session's tool results in order: their content as JSON, and whether each was an error. */
async function toolOutcomes(sessionId: string): Promise<Array<{ content: string; is_error: boolean }>> {
  const out: Array<{ content: string; is_error: boolean }> = [];
  for await (const e of client.beta.sessions.events.list(sessionId))
    if (e.type === "agent.tool_result")
      out.push({ content: JSON.stringify(e.content), is_error: Boolean(e.is_error) });
  return out;
}

async function toolResults(sessionId: string): Promise<string[]> {
  return (await toolOutcomes(sessionId)).map((r) => r.content);
}

test("a file resource is mounted read-only at its mount path; what the agent writes under /mnt/session/outputs becomes files of the session, once", async () => {
  const file = await upload("the canary is 4417\n", "data.txt");
  const session = await client.beta.sessions.create({
    agent: agentId,
    environment_id: environmentId,
    resources: [
      { type: "file", file_id: file.id },
      { type: "file", file_id: file.id, mount_path: "/mnt/data/copy.txt" },
    ],
  });
  expect(session.resources).toEqual([
    expect.objectContaining({
      type: "file",
      file_id: file.id,
      mount_path: `/mnt/session/uploads/${file.id}`,
    }),
    expect.objectContaining({ type: "file", file_id: file.id, mount_path: "/mnt/data/copy.txt" }),
  ]);
  const listed = [];
  for await (const r of client.beta.sessions.resources.list(session.id)) listed.push(r);
  const ids = (rs: unknown[]) => rs.map((r) => (r as { id: string }).id);
  expect(ids(listed)).toEqual(ids(session.resources));
  expect(ids(listed)[0]).toMatch(/^sesrsc_/);

  const bash = (command: string) => ({
    type: "message" as const,
    content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
  });
  model.script(
    bash(`cat /mnt/session/uploads/${file.id} /mnt/data/copy.txt`),
    bash(
      "echo changed > /mnt/data/copy.txt; rm -f /mnt/data/copy.txt; chmod 666 /mnt/data/copy.txt; cat /mnt/data/copy.txt",
    ),
    {
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "write",
          input: { file_path: `/mnt/session/uploads/${file.id}`, content: "overwritten" },
        },
      ],
    },
    {
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "write",
          input: { file_path: "/mnt/session/outputs/report.md", content: "# report\n" },
        },
      ],
    },
    bash("mkdir -p /mnt/session/outputs/sub && printf 'a,b\\n1,2\\n' > /mnt/session/outputs/sub/data.csv"),
    bash("ls -R /mnt/session/outputs"),
    (req) => ({
      type: "message",
      content: [{ type: "text", text: `done: ${lastUserText(req).slice(0, 40)}` }],
    }),
  );
  await sendAndWait(session.id, "read the file");
  const results = await toolResults(session.id);
  expect(results[0]).toContain("the canary is 4417\\nthe canary is 4417");
  expect(results[1]).toContain("Permission denied");
  expect(results[1]).toContain("the canary is 4417"); // still there, unchanged
  expect(results[2]).toMatch(/Permission denied|Errno 13|outside the workspace/);
  // Lazily: the first model request starts before the sandbox (and its mounts) is provisioned.
  const types: string[] = [];
  for await (const e of client.beta.sessions.events.list(session.id)) types.push(e.type);
  expect(types.indexOf("span.model_request_start")).toBeLessThan(
    types.indexOf("span.sandbox_provision_start"),
  );

  // Collected after each tool run: listed by scope as soon as the session is idle, each once.
  const outputs = [];
  for await (const f of client.beta.files.list({ scope_id: session.id })) outputs.push(f);
  expect(outputs.map((f) => f.filename).sort()).toEqual(["data.csv", "report.md"]);
  for (const f of outputs)
    expect(f).toMatchObject({ scope: { id: session.id, type: "session" }, downloadable: true });
  const report = outputs.find((f) => f.filename === "report.md")!;
  expect(await (await client.beta.files.download(report.id)).text()).toBe("# report\n");
  const csv = outputs.find((f) => f.filename === "data.csv")!;
  expect(await (await client.beta.files.download(csv.id)).text()).toBe("a,b\n1,2\n");
  expect(report.mime_type).toBe("text/markdown");
});

test("bad mount paths, missing files and bad resources are typed errors and store nothing", async () => {
  const file = await upload("x", "x.txt");
  const before = await sessionCount();
  const create = (resources: unknown[]) =>
    failure(
      client.beta.sessions.create({
        agent: agentId,
        environment_id: environmentId,
        resources: resources as Anthropic.Beta.Sessions.SessionCreateParams["resources"],
      }),
    );
  const cases: Array<[unknown[], RegExp]> = [
    [[{ type: "file", file_id: file.id, mount_path: "/mnt/a/../../etc/passwd" }], /\.\./],
    [[{ type: "file", file_id: file.id, mount_path: "relative/path" }], /absolute/],
    [[{ type: "file", file_id: file.id, mount_path: "/mnt/a\u0000b" }], /NUL/],
    [[{ type: "file", file_id: file.id, mount_path: "/etc/passwd" }], /under \/mnt/],
    [[{ type: "file", file_id: file.id, mount_path: `/mnt/${"a".repeat(600)}` }], /mount_path/],
    [[{ type: "file", file_id: file.id, mount_path: "/mnt/session/outputs/x" }], /kept for Corral/],
    [[{ type: "file", file_id: "file_doesnotexist0000" }], /no file/],
    [
      [
        { type: "file", file_id: file.id, mount_path: "/mnt/a/b" },
        { type: "file", file_id: file.id, mount_path: "/mnt/a" },
      ],
      /overlap/,
    ],
    [[{ type: "file", file_id: file.id, extra: 1 }], /extra/],
    [[{ type: "directory", path: "/x" }], /type/],
  ];
  for (const [resources, message] of cases) {
    const error = await create(resources);
    expect(error?.status, JSON.stringify(resources)).toBe(error?.message.includes("no file") ? 404 : 400);
    expect(error?.message).toMatch(message);
  }
  expect(await sessionCount()).toBe(before);
});

test("resources.add / retrieve / update / delete: typed errors, a deleted file is refused, nothing half-stored", async () => {
  const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
  const file = await upload("added", "added.txt");
  const added = await client.beta.sessions.resources.add(session.id, { type: "file", file_id: file.id });
  expect(added).toMatchObject({
    type: "file",
    file_id: file.id,
    mount_path: `/mnt/session/uploads/${file.id}`,
  });
  expect(await client.beta.sessions.resources.retrieve(added.id, { session_id: session.id })).toEqual(added);
  const rotate = await failure(
    client.beta.sessions.resources.update(added.id, { session_id: session.id, authorization_token: "t" }),
  );
  expect(rotate).toMatchObject({ status: 400 });
  expect(rotate?.message).toMatch(/only github_repository/);
  const again = await failure(
    client.beta.sessions.resources.add(session.id, {
      type: "file",
      file_id: file.id,
      mount_path: `/mnt/session/uploads/${file.id}/x`,
    }),
  );
  expect(again).toMatchObject({ status: 400 });
  await client.beta.files.delete(file.id);
  const gone = await failure(
    client.beta.sessions.resources.add(session.id, {
      type: "file",
      file_id: file.id,
      mount_path: "/mnt/other",
    }),
  );
  expect(gone).toMatchObject({ status: 404 });
  expect((await client.beta.sessions.retrieve(session.id)).resources).toHaveLength(1);
  expect(await client.beta.sessions.resources.delete(added.id, { session_id: session.id })).toEqual({
    id: added.id,
    type: "session_resource_deleted",
  });
  expect(
    await failure(client.beta.sessions.resources.retrieve(added.id, { session_id: session.id })),
  ).toMatchObject({ status: 404 });
  expect((await client.beta.sessions.retrieve(session.id)).resources).toEqual([]);
});

/** A new session whose turns each run one bash command, and the names of its output files. */
async function bashSession() {
  const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
  return {
    async outputs() {
      const names: string[] = [];
      for await (const f of client.beta.files.list({ scope_id: session.id })) names.push(f.filename);
      return names.sort();
    },
    async turn(command: string) {
      model.script(
        { type: "message", content: [{ type: "tool_use", name: "bash", input: { command } }] },
        { type: "message", content: [{ type: "text", text: "ok" }] },
      );
      await sendAndWait(session.id, command);
    },
  };
}

test("outputs whose collection failed are collected by the next tool run, after a restart of the manager, and nothing twice", async () => {
  const { outputs, turn } = await bashSession();
  await turn("echo one > /mnt/session/outputs/a.txt");
  expect(await outputs()).toEqual(["a.txt"]);
  failReads.value = true; // the manager dies, as far as the outputs go, after the tool ran
  await turn("echo two > /mnt/session/outputs/b.txt");
  expect(await outputs()).toEqual(["a.txt"]);
  failReads.value = false;
  const config = manager.config;
  await manager.close();
  manager = await startManager(natsUrl, config, failingReads); // remembers nothing it collected
  await turn("echo three > /mnt/session/outputs/c.txt");
  expect(await outputs()).toEqual(["a.txt", "b.txt", "c.txt"]);
  await turn("true");
  expect(await outputs()).toEqual(["a.txt", "b.txt", "c.txt"]);
});

test("60 outputs written at once are all collected (at most 50 by one collection, the rest by the next)", async () => {
  const { outputs, turn } = await bashSession();
  const names = Array.from({ length: 60 }, (_, i) => `f${String(i + 1).padStart(2, "0")}.txt`);
  await turn("cd /mnt/session/outputs && for i in $(seq -w 1 60); do echo $i > f$i.txt; done");
  // A collection takes the 50 oldest new ones; the next (an ask repeated meanwhile, or the next tool run) the rest.
  expect((await outputs()).length).toBeGreaterThanOrEqual(50);
  await turn("true");
  expect(await outputs()).toEqual(names);
});

test("memory stores: mounted at /mnt/memory/<name> as attached, in the system prompt; changes become versions of the session; a conflict is an error the model sees", async () => {
  const memoryStores = client.beta.memoryStores;
  const prefs = await memoryStores.create({ name: "User Prefs", description: "What the user likes" });
  await memoryStores.memories.create(prefs.id, { path: "/prefs.md", content: "likes tea\n" });
  const kb = await memoryStores.create({ name: "kb" });
  await memoryStores.memories.create(kb.id, { path: "/facts/a.md", content: "water is wet\n" });
  const session = await client.beta.sessions.create({
    agent: agentId,
    environment_id: environmentId,
    resources: [
      { type: "memory_store", memory_store_id: prefs.id, instructions: "Keep it short." },
      { type: "memory_store", memory_store_id: kb.id, access: "read_only" },
    ],
  });
  expect(session.resources).toEqual([
    expect.objectContaining({
      type: "memory_store",
      memory_store_id: prefs.id,
      access: "read_write",
      name: "User Prefs",
      description: "What the user likes",
      instructions: "Keep it short.",
      mount_path: "/mnt/memory/user-prefs",
    }),
    expect.objectContaining({ memory_store_id: kb.id, access: "read_only", mount_path: "/mnt/memory/kb" }),
  ]);
  const listed = [];
  for await (const s of client.beta.sessions.list({ memory_store_id: prefs.id })) listed.push(s.id);
  expect(listed).toEqual([session.id]);
  let system = "";
  const bash = (command: string) => ({
    type: "message" as const,
    content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
  });
  model.script(
    (req) => {
      system = systemText(req);
      return bash("cat /mnt/memory/user-prefs/prefs.md /mnt/memory/kb/facts/a.md");
    },
    bash(
      "printf 'likes coffee\\n' > /mnt/memory/user-prefs/prefs.md && mkdir /mnt/memory/user-prefs/notes && echo hi > /mnt/memory/user-prefs/notes/new.md",
    ),
    bash("echo x > /mnt/memory/kb/facts/a.md; touch /mnt/memory/kb/b.md; cat /mnt/memory/kb/facts/a.md"),
    { type: "message", content: [{ type: "text", text: "ok" }] },
  );
  await sendAndWait(session.id, "remember");
  expect(system).toContain("/mnt/memory/user-prefs");
  expect(system).toContain("What the user likes");
  expect(system).toContain("Keep it short.");
  const results = await toolResults(session.id);
  expect(results[0]).toContain("likes tea\\nwater is wet");
  expect(results[2]).toContain("Permission denied");
  expect(results[2]).toContain("water is wet");

  const contents = async (storeId: string) => {
    const out: Record<string, string> = {};
    for await (const m of memoryStores.memories.list(storeId)) {
      const { id, path } = m as { id: string; path: string };
      out[path] = (await memoryStores.memories.retrieve(id, { memory_store_id: storeId })).content ?? "";
    }
    return out;
  };
  expect(await contents(prefs.id)).toEqual({ "/prefs.md": "likes coffee\n", "/notes/new.md": "hi\n" });
  expect(await contents(kb.id)).toEqual({ "/facts/a.md": "water is wet\n" });
  const versions = [];
  for await (const v of memoryStores.memoryVersions.list(prefs.id)) versions.push(v);
  const bySession = versions.filter((v) => JSON.stringify(v.created_by).includes(session.id));
  expect(bySession).toHaveLength(2);
  expect(bySession[0]!.created_by).toMatchObject({ type: "session_actor", session_id: session.id });

  // Another writer changes the memory first: the agent's change is refused, and it is told.
  const prefsMemory = Object.entries(await contents(prefs.id)).length;
  expect(prefsMemory).toBe(2);
  for await (const m of memoryStores.memories.list(prefs.id)) {
    const { id, path } = m as { id: string; path: string };
    if (path === "/prefs.md")
      await memoryStores.memories.update(id, { memory_store_id: prefs.id, content: "likes juice\n" });
  }
  model.script(
    bash("echo 'likes milk' > /mnt/memory/user-prefs/prefs.md"),
    bash("cat /mnt/memory/user-prefs/prefs.md"),
    { type: "message", content: [{ type: "text", text: "ok" }] },
  );
  await sendAndWait(session.id, "change it");
  const later = await toolOutcomes(session.id);
  expect(later[3]).toMatchObject({ is_error: true });
  expect(later[3]!.content).toContain("not saved");
  expect(later[4]!.content).toContain("likes juice");
  expect((await contents(prefs.id))["/prefs.md"]).toBe("likes juice\n");

  // A change that cannot be saved (too large) is said once, not again after every later tool run.
  model.script(bash("head -c 150000 /dev/zero | tr '\\0' a > /mnt/memory/user-prefs/big.md"), bash("true"), {
    type: "message",
    content: [{ type: "text", text: "ok" }],
  });
  await sendAndWait(session.id, "a big one");
  const last = await toolOutcomes(session.id);
  expect(last[5]).toMatchObject({ is_error: true });
  expect(last[5]!.content).toMatch(/big\.md not saved/);
  expect(last[6]).toMatchObject({ is_error: false });
  expect(Object.keys(await contents(prefs.id))).not.toContain("/big.md");

  await memoryStores.archive(kb.id);
  const refused = await failure(
    client.beta.sessions.create({
      agent: agentId,
      environment_id: environmentId,
      resources: [{ type: "memory_store", memory_store_id: kb.id }],
    }),
  );
  expect(refused?.message).toMatch(/archived/);
});

test("a re-provisioned sandbox has the session's files mounted again", async () => {
  const file = await upload("mounted again\n", "again.txt");
  const session = await client.beta.sessions.create({
    agent: agentId,
    environment_id: environmentId,
    resources: [{ type: "file", file_id: file.id, mount_path: "/mnt/again.txt" }],
  });
  const cat = {
    type: "message" as const,
    content: [{ type: "tool_use" as const, name: "bash", input: { command: "cat /mnt/again.txt" } }],
  };
  const done = { type: "message" as const, content: [{ type: "text" as const, text: "ok" }] };
  model.script(cat, done);
  await sendAndWait(session.id, "first");
  const [first] = (await request(stack.bus, SANDBOX_RPC.list, { session_id: session.id as never })).data;
  await request(
    stack.bus,
    SANDBOX_RPC.destroy,
    { sandbox_id: first!.id },
    { subject: sandboxSubject(first!.id, "destroy") },
  );
  model.script(cat, cat, done);
  await sendAndWait(session.id, "again");
  const results = await toolResults(session.id);
  expect(results.at(-1)).toContain("mounted again");
  const sandboxes = (await request(stack.bus, SANDBOX_RPC.list, { session_id: session.id as never })).data;
  expect(sandboxes.some((s) => s.id !== first!.id && s.status === "ready")).toBe(true);
});
