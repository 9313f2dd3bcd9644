import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { BUCKETS, VAULT_RPC, type CredentialCreateParams } from "@corral/protocol";
import { connectBus, openTypedBucket, request, type Bus } from "@corral/bus";
import {
  busConfigFor,
  startFakeVault,
  startNatsServer,
  type FakeVault,
  type NatsServer,
} from "@corral/testing";
import { createCredentialOnBus, startCredentialProxy } from "@corral/credential-proxy/testing";

/**
 * Vault writes: a secret-store write that fails gives the credential's name (and its slot) back, so a retry
 * succeeds; the per-vault limit of 20 holds when 40 creates race.
 */
let nats: NatsServer;
let bus: Bus;
/** Every replica in this file shares the deployment's master key, as replicas must. */
const masterKey = randomBytes(32).toString("base64");

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await connectBus(busConfigFor(nats.url, "admin", "client"));
});

afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

const envVar = (name: string): CredentialCreateParams => ({
  auth: {
    type: "environment_variable",
    secret_name: name,
    secret_value: `value-of-${name}`,
    networking: { type: "unrestricted" },
  },
});

/** A Vault in front of the fake one that refuses (403) the next `failures` writes of a credential's secret. */
async function refusingVault(
  target: FakeVault,
): Promise<{ url: string; fail(n: number): void; server: Server }> {
  let failures = 0;
  const server = createServer((req, res) => {
    if (
      req.method !== "GET" &&
      req.method !== "DELETE" &&
      /\/data\/.*vlt_/.test(req.url ?? "") &&
      failures > 0
    ) {
      failures--;
      req.resume();
      res.writeHead(403, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: ["permission denied"] }));
      return;
    }
    const upstream = httpRequest(
      `${target.url}${req.url}`,
      { method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, fail: (n) => void (failures = n), server };
}

describe("a failed secret-store write", () => {
  let fake: FakeVault;
  let vault: Awaited<ReturnType<typeof refusingVault>>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    fake = await startFakeVault();
    vault = await refusingVault(fake);
    const started = await startCredentialProxy(nats.url, {
      vault: { endpoint: vault.url, token: fake.token, mount: "secret", prefix: "corral" },
      masterKey,
    });
    close = started.close;
  });
  afterAll(async () => {
    await close?.();
    await new Promise<void>((resolve) => vault.server.close(() => resolve()));
    await fake.close();
  });

  test("gives the name back: a retry succeeds, and nothing of the failed attempt is left", async () => {
    const v = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "flaky vault" });
    vault.fail(1);
    await expect(createCredentialOnBus(bus, v.id, envVar("API_KEY"))).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect((await request(bus, VAULT_RPC.credentialsList, { vault_id: v.id })).data).toEqual([]);
    const retried = await createCredentialOnBus(bus, v.id, envVar("API_KEY"));
    expect(retried.auth).toMatchObject({ secret_name: "API_KEY" });
    expect([...fake.paths.keys()].filter((k) => k.includes(v.id))).toEqual([
      `secret/corral/${v.id}/${retried.id}`,
    ]);
    // The name is taken now, by the credential that exists.
    await expect(createCredentialOnBus(bus, v.id, envVar("API_KEY"))).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
    });
  });

  test("gives the slot back: 20 failed creates do not fill the vault", async () => {
    const v = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "flaky slots" });
    vault.fail(20);
    for (let i = 0; i < 20; i++)
      await expect(createCredentialOnBus(bus, v.id, envVar(`F${i}`))).rejects.toMatchObject({
        code: "UNAVAILABLE",
      });
    for (let i = 0; i < 20; i++) await createCredentialOnBus(bus, v.id, envVar(`F${i}`));
    expect((await request(bus, VAULT_RPC.credentialsList, { vault_id: v.id })).data).toHaveLength(20);
  });
});

describe("the per-vault limit", () => {
  let close: () => Promise<void>;
  beforeAll(async () => {
    // Two replicas in the queue group: the race is between processes too, not only inside one.
    const a = await startCredentialProxy(nats.url, { masterKey });
    const b = await startCredentialProxy(nats.url, { masterKey });
    close = async () => {
      await a.close();
      await b.close();
    };
  });
  afterAll(() => close?.());

  test("holds under 40 concurrent creates: exactly 20 stored, 20 refused with the limit", async () => {
    const v = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "race" });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => createCredentialOnBus(bus, v.id, envVar(`RACE_${i}`))),
    );
    const refused = results
      .filter((r) => r.status === "rejected")
      .map((r) => r.reason as { code: string; message: string });
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    expect(refused).toHaveLength(20);
    for (const error of refused)
      expect(error).toMatchObject({
        code: "INVALID_REQUEST",
        message: expect.stringContaining("at most 20"),
      });
    const stored = await request(bus, VAULT_RPC.credentialsList, { vault_id: v.id });
    expect(stored.data).toHaveLength(20);
    // Archiving one frees one slot, and only one.
    await request(bus, VAULT_RPC.credentialsArchive, { vault_id: v.id, credential_id: stored.data[0]!.id });
    const again = await Promise.allSettled([
      createCredentialOnBus(bus, v.id, envVar("LATE_A")),
      createCredentialOnBus(bus, v.id, envVar("LATE_B")),
    ]);
    expect(again.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});

describe("what a create that died half-way left behind", () => {
  let close: () => Promise<void>;
  beforeAll(async () => {
    close = (await startCredentialProxy(nats.url, { masterKey })).close;
  });
  afterAll(() => close?.());

  const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  /** A credential id made an hour ago, as a replica that died then would have made it. */
  const hourOldId = () => {
    let ms = Date.now() - 3_600_000;
    let time = "";
    for (let i = 0; i < 10; i++, ms = Math.floor(ms / 32)) time = CROCKFORD[ms % 32] + time;
    return `vcrd_${time}${randomBytes(8)
      .toString("hex")
      .toUpperCase()
      .replace(/[ILOU]/g, "0")}`;
  };

  test("is taken over: slots and a name held by credentials that never appeared", async () => {
    const v = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "abandoned" });
    const slots = await openTypedBucket(bus, BUCKETS.vault, z.object({ ids: z.array(z.string()) }));
    const claims = await openTypedBucket(bus, BUCKETS.vault, z.string());
    const dead = Array.from({ length: 20 }, hourOldId);
    await slots.put(`n.${v.id}`, { ids: dead });
    const name = createHash("sha256").update("env:API_KEY").digest("hex").slice(0, 32);
    await claims.put(`u.${v.id}.${name}`, dead[0]!);
    const created = await createCredentialOnBus(bus, v.id, envVar("API_KEY"));
    expect((await slots.get(`n.${v.id}`))!.value.ids).toEqual([created.id]);
    expect((await claims.get(`u.${v.id}.${name}`))!.value).toBe(created.id);
    // A fresh claim (a create under way elsewhere) is not taken over.
    const fresh = `u.${v.id}.${createHash("sha256").update("env:OTHER").digest("hex").slice(0, 32)}`;
    await claims.put(fresh, `${created.id.slice(0, 15)}${"0".repeat(16)}`);
    await expect(createCredentialOnBus(bus, v.id, envVar("OTHER"))).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
    });
  });
});
