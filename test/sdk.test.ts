import { afterAll, beforeAll, expect, test } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { lastUserText, type ScriptedModel } from "@corral/testing";
import { startBrainStack, type BrainStack } from "@corral/harness/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";
import { startCredentialProxy } from "@corral/credential-proxy/testing";

// The official SDK, unchanged but for baseURL and apiKey, against the real stack: nats-server, the
// session-store, a harness, a sandbox-manager with Docker, and the gateway. Only the model is scripted.
let stack: BrainStack;
let model: ScriptedModel;
let gw: GatewayUnderTest;
let client: Anthropic;
let credentials: Awaited<ReturnType<typeof startCredentialProxy>>;

beforeAll(async () => {
  stack = await startBrainStack({}, (natsUrl) => startManager(natsUrl, { warmPool: 0 }));
  model = stack.model;
  gw = await startGateway(stack.nats.url);
  credentials = await startCredentialProxy(stack.nats.url);
  client = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
});

afterAll(async () => {
  await credentials.close();
  await gw.close();
  await stack.close();
  await removeTestContainers();
});

type StreamEvent = Anthropic.Beta.Sessions.BetaManagedAgentsStreamSessionEvents;

test("the SDK's beta client runs a session end to end: custom tool, confirmation, interrupt, history, archive", async () => {
  const environment = await client.beta.environments.create({
    name: `sdk-${Date.now()}`,
    config: { type: "cloud", networking: { type: "unrestricted" }, packages: { type: "packages" } },
  });
  const agent = await client.beta.agents.create({
    name: "sdk-agent",
    model: "claude-test",
    system: "You are tested through the SDK.",
    tools: [
      {
        type: "agent_toolset_20260401",
        configs: [{ name: "bash", permission_policy: { type: "always_ask" } }],
      },
      {
        type: "custom",
        name: "lookup_weather",
        description: "Looks up the weather",
        input_schema: { type: "object", properties: { city: { type: "string" } } },
      },
    ],
  });
  expect(agent).toMatchObject({ type: "agent", version: 1 });
  const session = await client.beta.sessions.create({
    agent: agent.id,
    environment_id: environment.id,
    title: "sdk run",
  });
  expect(session).toMatchObject({ type: "session", status: "idle", agent: { id: agent.id } });

  model.script(
    { type: "message", content: [{ type: "tool_use", name: "lookup_weather", input: { city: "Oslo" } }] },
    (req) => ({
      type: "message",
      content: [
        { type: "tool_use", name: "bash", input: { command: `echo "forecast: ${lastUserText(req)}"` } },
      ],
    }),
    (req) => ({ type: "message", content: [{ type: "text", text: `Done. ${lastUserText(req).trim()}` }] }),
  );

  // Stream first, then send: nothing is missed.
  const stream = await client.beta.sessions.events.stream(session.id, { event_deltas: ["agent.message"] });
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "What's the weather in Oslo?" }] }],
  });

  const seen: StreamEvent[] = [];
  for await (const event of stream) {
    seen.push(event);
    if (event.type === "agent.custom_tool_use") {
      expect(event.input).toEqual({ city: "Oslo" });
      await client.beta.sessions.events.send(session.id, {
        events: [
          {
            type: "user.custom_tool_result",
            custom_tool_use_id: event.id,
            content: [{ type: "text", text: "sunny" }],
          },
        ],
      });
    }
    if (event.type === "agent.tool_use" && event.evaluated_permission === "ask") {
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: "user.tool_confirmation", tool_use_id: event.id, result: "allow" }],
      });
    }
    if (event.type === "session.status_idle" && event.stop_reason.type === "end_turn") break;
  }
  const types = seen.map((e) => e.type);
  expect(types).toEqual(
    expect.arrayContaining([
      "agent.custom_tool_use",
      "agent.tool_use",
      "agent.tool_result",
      "agent.message",
      "event_start",
      "event_delta",
    ]),
  );
  const idles = seen.filter((e) => e.type === "session.status_idle");
  expect(idles.map((e) => e.stop_reason.type)).toEqual(["requires_action", "requires_action", "end_turn"]);
  const final = seen.filter((e) => e.type === "agent.message").at(-1);
  expect(JSON.stringify(final)).toContain("forecast: sunny");

  // Interrupt a run that is waiting on the model.
  model.script({ type: "hang" });
  const before = model.requests.length;
  const second = await client.beta.sessions.events.stream(session.id);
  await client.beta.sessions.events.send(session.id, {
    events: [{ type: "user.message", content: [{ type: "text", text: "think for a long time" }] }],
  });
  await model.waitForRequests(before + 1);
  await client.beta.sessions.events.send(session.id, { events: [{ type: "user.interrupt" }] });
  let stopped: StreamEvent | undefined;
  for await (const event of second) {
    if (event.type === "session.status_idle") {
      stopped = event;
      break;
    }
  }
  expect(stopped).toMatchObject({ type: "session.status_idle", stop_reason: { type: "end_turn" } });

  // The whole history, page by page, in order and without repeats.
  const history: string[] = [];
  for await (const event of client.beta.sessions.events.list(session.id, { limit: 5 }))
    history.push(event.id);
  expect(history.length).toBeGreaterThan(20);
  expect(new Set(history).size).toBe(history.length);
  const firstPage = await client.beta.sessions.events.list(session.id, { limit: 5 });
  expect(firstPage.data).toHaveLength(5);
  expect(firstPage.hasNextPage()).toBe(true);
  const messages = await client.beta.sessions.events.list(session.id, { types: ["user.message"] });
  expect(messages.data.map((e) => e.type)).toEqual(["user.message", "user.message"]);

  const retrieved = await client.beta.sessions.retrieve(session.id);
  expect(retrieved.status).toBe("idle");
  expect(retrieved.usage.input_tokens).toBeGreaterThan(0);

  const archived = await client.beta.sessions.archive(session.id);
  expect(archived.archived_at).toEqual(expect.any(String));
  await expect(
    client.beta.sessions.events.send(session.id, {
      events: [{ type: "user.message", content: [{ type: "text", text: "too late" }] }],
    }),
  ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  await client.beta.agents.archive(agent.id);
});

test("the SDK sees the API's errors as its own typed errors", async () => {
  await expect(client.beta.sessions.retrieve("sesn_01JZZZZZZZZZZZZZZZZZZZZZZZ")).rejects.toBeInstanceOf(
    Anthropic.NotFoundError,
  );
  await expect(client.beta.agents.create({ name: "", model: "m" })).rejects.toBeInstanceOf(
    Anthropic.BadRequestError,
  );
  const stranger = new Anthropic({ apiKey: "sk-corral-not-a-key", baseURL: gw.url, maxRetries: 0 });
  await expect(stranger.beta.agents.list()).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  const page = await client.beta.agents.list({ limit: 1 });
  expect(page.data.length).toBeLessThanOrEqual(1);
});

test("vaults through the SDK: secrets go in and never come out", async () => {
  const secret = `sk-live-${Date.now()}-canary`;
  const vault = await client.beta.vaults.create({ display_name: "sdk vault", metadata: { team: "sdk" } });
  expect(vault).toMatchObject({ type: "vault", display_name: "sdk vault" });
  const credential = await client.beta.vaults.credentials.create(vault.id, {
    display_name: "stripe",
    auth: {
      type: "environment_variable",
      secret_name: "STRIPE_KEY",
      secret_value: secret,
      networking: { type: "limited", allowed_hosts: ["api.stripe.com"] },
    },
  });
  expect(credential.auth).toMatchObject({ type: "environment_variable", secret_name: "STRIPE_KEY" });
  const seen = JSON.stringify([
    credential,
    await client.beta.vaults.credentials.retrieve(credential.id, { vault_id: vault.id }),
    (await client.beta.vaults.credentials.list(vault.id)).data,
    await client.beta.vaults.credentials.update(credential.id, {
      vault_id: vault.id,
      auth: { type: "environment_variable", secret_value: `${secret}-2` },
    }),
  ]);
  expect(seen).not.toContain(secret);
  await expect(
    client.beta.vaults.credentials.create(vault.id, {
      auth: {
        type: "environment_variable",
        secret_name: "STRIPE_KEY",
        secret_value: "x",
        networking: { type: "unrestricted" },
      },
    }),
  ).rejects.toBeInstanceOf(Anthropic.ConflictError);
  expect(
    (await client.beta.vaults.credentials.archive(credential.id, { vault_id: vault.id })).archived_at,
  ).toEqual(expect.any(String));
  expect(await client.beta.vaults.delete(vault.id)).toEqual({ id: vault.id, type: "vault_deleted" });
  await expect(client.beta.vaults.retrieve(vault.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
});
