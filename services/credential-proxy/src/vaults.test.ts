import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { BUCKETS, VAULT_RPC, type CredentialCreateParams, type VaultId } from "@corral/protocol";
import { connectBus, openTypedBucket, request, type Bus } from "@corral/bus";
import {
  startFakeVault,
  startNatsServer,
  type FakeVault,
  type NatsServer,
  busConfigFor,
} from "@corral/testing";
import { createCredentialOnBus, startCredentialProxy, updateCredentialOnBus } from "./testing.js";
import { embeddedSecretStore, SealedSecret } from "./embedded-secret-store.js";

let nats: NatsServer;
let fakeVault: FakeVault;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  fakeVault = await startFakeVault();
  bus = await connectBus(busConfigFor(nats.url, "admin", "client"));
});

afterAll(async () => {
  await bus.close();
  await fakeVault.close();
  await nats.stop();
});

const canary = () => `canary-${randomBytes(12).toString("hex")}`;
const bearer = (url: string, token: string): CredentialCreateParams => ({
  display_name: "docs server",
  auth: { type: "static_bearer", mcp_server_url: url, token },
});
const envVar = (name: string, value: string): CredentialCreateParams => ({
  auth: {
    type: "environment_variable",
    secret_name: name,
    secret_value: value,
    networking: { type: "limited", allowed_hosts: ["api.example.com"] },
  },
});

describe.each([
  { backend: "embedded (AES-256-GCM in NATS KV)" },
  { backend: "HashiCorp Vault KV v2 (node-vault against the fake server)" },
])("vaults with $backend", ({ backend }) => {
  let close: () => Promise<void>;
  let resolve: (ids: VaultId[]) => Promise<{ secrets: Record<string, string> }[]>;
  const usesVault = backend.startsWith("HashiCorp");

  beforeAll(async () => {
    // Each backend gets its own proxy replica; they share the queue group, so only one runs at a time.
    const started = await startCredentialProxy(
      nats.url,
      usesVault
        ? { vault: { endpoint: fakeVault.url, token: fakeVault.token, mount: "secret", prefix: "corral" } }
        : {},
    );
    close = started.close;
    resolve = (ids) => started.proxy.vaults.resolve(ids);
  });
  afterAll(() => close());

  test("secrets are write-only: no create, get, list or update answer carries them", async () => {
    const vault = await request(bus, VAULT_RPC.vaultsCreate, {
      display_name: "team",
      metadata: { owner: "infra" },
    });
    expect(vault).toMatchObject({ type: "vault", display_name: "team", id: expect.stringMatching(/^vlt_/) });
    const secrets = [canary(), canary(), canary(), canary()];
    const created = [
      await createCredentialOnBus(bus, vault.id, bearer("https://docs.example.com/mcp", secrets[0]!)),
      await createCredentialOnBus(bus, vault.id, {
        auth: {
          type: "mcp_oauth",
          mcp_server_url: "https://mcp.example.com/",
          access_token: secrets[1]!,
          expires_at: new Date(Date.now() + 60_000).toISOString(),
          refresh: {
            refresh_token: secrets[2]!,
            client_id: "corral",
            token_endpoint: "https://auth.example.com/token",
            token_endpoint_auth: { type: "client_secret_post", client_secret: secrets[3]! },
          },
        },
      }),
      await createCredentialOnBus(bus, vault.id, envVar("GITHUB_TOKEN", canary())),
    ];
    expect(created.map((c) => c.auth.type)).toEqual(["static_bearer", "mcp_oauth", "environment_variable"]);
    expect(created[2]!.auth).toEqual({
      type: "environment_variable",
      secret_name: "GITHUB_TOKEN",
      networking: { type: "limited", allowed_hosts: ["api.example.com"] },
      injection_location: { header: true, body: false },
    });
    const answers = JSON.stringify([
      created,
      await request(bus, VAULT_RPC.credentialsGet, { vault_id: vault.id, credential_id: created[1]!.id }),
      await request(bus, VAULT_RPC.credentialsList, { vault_id: vault.id }),
      await updateCredentialOnBus(bus, vault.id, created[0]!.id, { display_name: "renamed" }),
    ]);
    for (const secret of secrets) expect(answers).not.toContain(secret);
    expect(answers).not.toMatch(/"(token|access_token|refresh_token|client_secret|secret_value)"/);

    // The proxy (and only the proxy) gets them back.
    const resolved = await resolve([vault.id]);
    expect(resolved.map((r) => r.secrets)).toEqual(
      expect.arrayContaining([
        { token: secrets[0] },
        { access_token: secrets[1], refresh_token: secrets[2], client_secret: secrets[3] },
      ]),
    );
    if (usesVault)
      expect([...fakeVault.paths.keys()]).toContain(`secret/corral/${vault.id}/${created[0]!.id}`);
  });

  test("rotation, uniqueness, archive destroys the secret, delete removes everything", async () => {
    const vault = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "rotation" });
    const first = canary();
    const credential = await createCredentialOnBus(bus, vault.id, envVar("API_KEY", first));
    await expect(createCredentialOnBus(bus, vault.id, envVar("API_KEY", canary()))).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
    });
    const second = canary();
    await updateCredentialOnBus(bus, vault.id, credential.id, {
      auth: { type: "environment_variable", secret_value: second },
    });
    expect((await resolve([vault.id]))[0]!.secrets).toEqual({ secret_value: second });
    await expect(
      updateCredentialOnBus(bus, vault.id, credential.id, { auth: { type: "static_bearer", token: "x" } }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });

    const archived = await request(bus, VAULT_RPC.credentialsArchive, {
      vault_id: vault.id,
      credential_id: credential.id,
    });
    expect(archived.archived_at).toEqual(expect.any(String));
    expect(await resolve([vault.id])).toEqual([]);
    // The name is free again once the old credential is archived.
    const again = await createCredentialOnBus(bus, vault.id, envVar("API_KEY", canary()));
    await request(bus, VAULT_RPC.vaultsDelete, { vault_id: vault.id });
    await expect(
      request(bus, VAULT_RPC.credentialsGet, { vault_id: vault.id, credential_id: again.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(request(bus, VAULT_RPC.vaultsGet, { vault_id: vault.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    if (usesVault) expect([...fakeVault.paths.keys()].some((k) => k.includes(vault.id))).toBe(false);
  });

  test("bad input is refused with a clear error and stores nothing", async () => {
    const vault = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "strict" });
    const bad: unknown[] = [
      {
        auth: {
          type: "environment_variable",
          secret_name: "1BAD",
          secret_value: "x",
          networking: { type: "unrestricted" },
        },
      },
      {
        auth: {
          type: "environment_variable",
          secret_name: "OK",
          secret_value: "",
          networking: { type: "unrestricted" },
        },
      },
      {
        auth: {
          type: "environment_variable",
          secret_name: "OK",
          secret_value: "x",
          networking: { type: "limited", allowed_hosts: ["not a host"] },
        },
      },
      { auth: { type: "static_bearer", mcp_server_url: "ftp://x", token: "t" } },
      { auth: { type: "password", value: "x" } },
    ];
    for (const params of bad) {
      await expect(createCredentialOnBus(bus, vault.id, params as never)).rejects.toMatchObject({
        code: "INVALID_REQUEST",
      });
    }
    await expect(
      createCredentialOnBus(bus, "vlt_01JZZZZZZZZZZZZZZZZZZZZZZZ", envVar("X", "y")),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await request(bus, VAULT_RPC.credentialsList, { vault_id: vault.id })).data).toEqual([]);
    for (let i = 0; i < 20; i++) await createCredentialOnBus(bus, vault.id, envVar(`K${i}`, "v"));
    await expect(createCredentialOnBus(bus, vault.id, envVar("K20", "v"))).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    await request(bus, VAULT_RPC.vaultsArchive, { vault_id: vault.id });
    await expect(createCredentialOnBus(bus, vault.id, envVar("LATE", "v"))).rejects.toMatchObject({
      code: "ARCHIVED",
    });
  });
});

test("sealed secrets: the bucket holds no plaintext, and a value does not open under another key or name", async () => {
  const bucket = await openTypedBucket(bus, BUCKETS.secrets, SealedSecret);
  const store = embeddedSecretStore(bucket, randomBytes(32));
  const secret = canary();
  await store.put("vlt_a/vcrd_b", { token: secret });
  const sealed = (await bucket.get("vlt_a.vcrd_b"))!.value;
  expect(JSON.stringify(sealed)).not.toContain(secret);
  expect(await store.get("vlt_a/vcrd_b")).toEqual({ token: secret });
  await expect(embeddedSecretStore(bucket, randomBytes(32)).get("vlt_a/vcrd_b")).rejects.toMatchObject({
    code: "INTERNAL",
  });
  await bucket.put("vlt_a.vcrd_c", sealed);
  await expect(store.get("vlt_a/vcrd_c")).rejects.toMatchObject({ code: "INTERNAL" });
});
