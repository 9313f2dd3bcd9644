import { afterAll, beforeAll, expect, test } from "vitest";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { lastUserText, type ScriptedModel } from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";

// Session resources through the official SDK, unchanged but for baseURL and apiKey, against the real stack
// (nats-server with users and permissions, session-store, harness, sandbox-manager with Docker, gateway).
// Only the model is scripted: its tool calls read the mounted file, try to change it, and write an output.
let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;
let client: Anthropic;
let environmentId: string;
let agentId: string;

beforeAll(async () => {
  stack = await startBrainStack({}, (natsUrl) => startManager(natsUrl, { warmPool: 0 }));
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

async function untilIdle(sessionId: string) {
  for (;;) {
    const s = await client.beta.sessions.retrieve(sessionId);
    if (s.status === "idle" && s.stop_reason) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function toolResults(sessionId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of client.beta.sessions.events.list(sessionId))
    if (e.type === "agent.tool_result") out.push(JSON.stringify(e.content));
  return out;
}

test("a file resource is mounted read-only in the sandbox at its mount path, lazily, and listed as a resource", async () => {
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
  expect(listed.map((r) => r.id)).toEqual(session.resources.map((r) => r.id));
  expect(listed[0]!.id).toMatch(/^sesrsc_/);

  model.script(
    {
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "bash",
          input: { command: `cat /mnt/session/uploads/${file.id} /mnt/data/copy.txt` },
        },
      ],
    },
    {
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "bash",
          input: {
            command: `echo changed > /mnt/data/copy.txt; rm -f /mnt/data/copy.txt; chmod 666 /mnt/data/copy.txt; cat /mnt/data/copy.txt`,
          },
        },
      ],
    },
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
    (req) => ({
      type: "message",
      content: [{ type: "text", text: `done: ${lastUserText(req).slice(0, 40)}` }],
    }),
  );
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "read the file" }] }],
  });
  await untilIdle(session.id);
  const results = await toolResults(session.id);
  expect(results[0]).toContain("the canary is 4417\\nthe canary is 4417");
  expect(results[1]).toContain("Permission denied");
  expect(results[1]).toContain("the canary is 4417"); // still there, unchanged
  expect(results[2]).toMatch(/Permission denied|Errno 13|outside the workspace/);
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
