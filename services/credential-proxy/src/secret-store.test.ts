import { afterEach, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { retryingSecretStore } from "./secret-store.js";
import { vaultSecretStore } from "./vault-secret-store.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A Vault that answers `status` to the first `failures` requests, then with the stored value. */
async function flakyVault(failures: number, status: number) {
  let requests = 0;
  server = createServer((req, res) => {
    requests++;
    res.writeHead(requests <= failures ? status : 200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(requests <= failures ? { errors: ["not now"] } : { data: { data: { token: "t" } } }),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = vaultSecretStore({ endpoint, token: "x", mount: "secret", prefix: "corral" });
  const retry = { deadlineMs: 5_000, initialDelayMs: 10, maxDelayMs: 20 };
  return { store: retryingSecretStore(store, retry), requests: () => requests };
}

test("a sealed or overloaded Vault is waited out", async () => {
  const vault = await flakyVault(2, 503);
  expect(await vault.store.get("vlt_a/vcrd_b")).toEqual({ token: "t" });
  expect(vault.requests()).toBe(3);
});

test("a refusal from Vault is not retried", async () => {
  const vault = await flakyVault(1, 403);
  await expect(vault.store.get("vlt_a/vcrd_b")).rejects.toMatchObject({
    code: "UNAVAILABLE",
    retryable: false,
  });
  expect(vault.requests()).toBe(1);
});
