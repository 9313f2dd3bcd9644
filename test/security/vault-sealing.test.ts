import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import {
  generateSealingKey,
  sealCredentialCreate,
  VAULT_RPC,
  type CredentialCreateParams,
  type VaultRecord,
} from "@corral/protocol";
import { captureRaw, connectBus, flush, request, requestRaw, type Bus } from "@corral/bus";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { startCredentialProxy } from "@corral/credential-proxy/testing";
import { startGateway, type GatewayUnderTest } from "@corral/gateway/testing";

/**
 * Secrets never travel in clear on the bus: a credential created or rotated through the gateway reaches the
 * credential-proxy with its auth sealed to the proxy's key, so anyone who reads the bus (here an admin
 * client subscribed to the vault subjects) sees no secret. The proxy refuses an unsealed auth.
 */
let nats: NatsServer;
let bus: Bus;
let proxy: Awaited<ReturnType<typeof startCredentialProxy>>;
let gw: GatewayUnderTest;

beforeAll(async () => {
  // With the deployment's users and permissions: the gateway and the proxy each connect as their own user.
  nats = await startNatsServer({ auth: true });
  bus = await connectBus(busConfigFor(nats.url, "admin", "sniffer"));
  proxy = await startCredentialProxy(nats.url);
  gw = await startGateway(nats.url);
});

afterAll(async () => {
  await gw?.close();
  await proxy?.close();
  await bus?.close();
  await nats?.stop();
});

const canary = () => `sk-canary-${randomBytes(16).toString("hex")}`;
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { "x-api-key": gw.key, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const envVar = (name: string, value: string): CredentialCreateParams => ({
  auth: {
    type: "environment_variable",
    secret_name: name,
    secret_value: value,
    networking: { type: "limited", allowed_hosts: ["api.example.com"] },
  },
});

test("a credential created and rotated through the gateway crosses the bus sealed", async () => {
  const sniff = captureRaw(bus, "corral.api.vault.credentials.>");
  await flush(bus);
  const [first, second, oauth] = [canary(), canary(), canary()];
  const vault = (await api("POST", "/v1/vaults", { display_name: "sealed" })).body as VaultRecord;
  const created = await api("POST", `/v1/vaults/${vault.id}/credentials`, envVar("API_KEY", first));
  expect(created.status).toBe(200);
  const mcp = await api("POST", `/v1/vaults/${vault.id}/credentials`, {
    auth: { type: "static_bearer", mcp_server_url: "https://mcp.example.com/", token: oauth },
  });
  expect(mcp.status).toBe(200);
  const rotated = await api("POST", `/v1/vaults/${vault.id}/credentials/${String(created.body.id)}`, {
    auth: { type: "environment_variable", secret_value: second },
  });
  expect(rotated.status).toBe(200);
  await flush(bus);
  const seen = sniff.texts();
  sniff.stop();
  expect(seen.filter((t) => t.includes('"auth"')).length).toBe(3);
  for (const secret of [first, second, oauth]) {
    for (const form of [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex")])
      for (const text of seen) expect(text).not.toContain(form);
  }
  // The proxy opened them: the secrets it holds are the ones the client sent.
  const resolved = await proxy.proxy.vaults.resolve([vault.id]);
  expect(resolved.map((r) => r.secrets)).toEqual(
    expect.arrayContaining([{ secret_value: second }, { token: oauth }]),
  );
});

test("an unsealed auth on the bus is refused with a typed error and nothing is stored", async () => {
  const vault = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "plain" });
  const reply = await requestRaw(
    bus,
    VAULT_RPC.credentialsCreate.subject,
    JSON.stringify({ vault_id: vault.id, params: envVar("PLAIN", canary()) }),
  );
  expect(reply).toMatchObject({
    ok: false,
    error: { code: "INVALID_REQUEST", message: expect.stringContaining("sealed") },
  });
  expect((await request(bus, VAULT_RPC.credentialsList, { vault_id: vault.id })).data).toEqual([]);
});

test("a box opens only for its vault, only under the proxy's key, and not after tampering", async () => {
  const key = await request(bus, VAULT_RPC.publicKey, {});
  expect(key).toMatchObject({ alg: "x25519-hkdf-sha256-aes-256-gcm" });
  const [a, b] = [
    await request(bus, VAULT_RPC.vaultsCreate, { display_name: "a" }),
    await request(bus, VAULT_RPC.vaultsCreate, { display_name: "b" }),
  ];
  const forA = sealCredentialCreate(key, a.id, envVar("REPLAYED", canary()));
  // Replayed into another vault: it does not open there.
  await expect(
    request(bus, VAULT_RPC.credentialsCreate, { vault_id: b.id, params: forA }),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  const tail = forA.auth.slice(-8);
  const tampered = {
    ...forA,
    auth: forA.auth.slice(0, -8) + (tail === "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"),
  };
  await expect(
    request(bus, VAULT_RPC.credentialsCreate, { vault_id: a.id, params: tampered }),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  const stranger = sealCredentialCreate(generateSealingKey().publicKey, a.id, envVar("OTHER", canary()));
  await expect(
    request(bus, VAULT_RPC.credentialsCreate, { vault_id: a.id, params: stranger }),
  ).rejects.toMatchObject({ code: "CONFLICT" });
  for (const vault of [a, b])
    expect((await request(bus, VAULT_RPC.credentialsList, { vault_id: vault.id })).data).toEqual([]);
  // The one sealed for it opens.
  await request(bus, VAULT_RPC.credentialsCreate, { vault_id: a.id, params: forA });
});

test("the key survives a restart of the credential-proxy: the gateway's cached key still works", async () => {
  const before = await request(bus, VAULT_RPC.publicKey, {});
  await proxy.close();
  proxy = await startCredentialProxy(nats.url, { masterKey: proxy.config.masterKey });
  expect(await request(bus, VAULT_RPC.publicKey, {})).toEqual(before);
  const vault = (await api("POST", "/v1/vaults", { display_name: "after restart" })).body as VaultRecord;
  expect((await api("POST", `/v1/vaults/${vault.id}/credentials`, envVar("K", canary()))).status).toBe(200);
});
