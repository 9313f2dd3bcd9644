import { z } from "zod";
import nodeVault from "node-vault";
import { CorralError } from "@corral/protocol";
import type { SecretStore } from "./secret-store.js";

export interface VaultBackendConfig {
  endpoint: string;
  token: string;
  /** The KV v2 mount, `secret` by default. */
  mount: string;
  /** A path prefix under the mount, `corral` by default. */
  prefix: string;
  namespace?: string | undefined;
}

const Values = z.record(z.string(), z.string());
const status = (error: unknown) => (error as { response?: { statusCode?: number } }).response?.statusCode;
/** Vault did not answer, or answered that it cannot now (sealed, overloaded): worth trying again. */
const transient = (code: number | undefined) => code === undefined || code === 429 || code >= 500;
/** Vault's answer to a write with `cas: 0` when the path exists already. */
const casMismatch = (error: unknown) =>
  status(error) === 400 && /check-and-set/.test(String((error as Error).message));
const unavailable = (error: unknown) =>
  new CorralError("UNAVAILABLE", `vault: ${status(error) ?? (error as Error).message}`, {
    cause: error,
    retryable: transient(status(error)),
  });

/** HashiCorp Vault's KV v2 engine through node-vault. */
export function vaultSecretStore(config: VaultBackendConfig): SecretStore {
  const client = nodeVault({
    apiVersion: "v1",
    endpoint: config.endpoint,
    token: config.token,
    ...(config.namespace && { namespace: config.namespace }),
  });
  const path = (kind: "data" | "metadata", ref: string) => `${config.mount}/${kind}/${config.prefix}/${ref}`;
  return {
    kind: "vault",
    async put(ref, values) {
      await client.write(path("data", ref), { data: values }).catch((error: unknown) => {
        throw unavailable(error);
      });
    },
    async create(ref, values) {
      try {
        await client.write(path("data", ref), { data: values, options: { cas: 0 } });
        return true;
      } catch (error) {
        if (casMismatch(error)) return false;
        throw unavailable(error);
      }
    },
    async get(ref) {
      try {
        const result = (await client.read(path("data", ref))) as { data?: { data?: unknown } };
        return Values.parse(result.data?.data ?? {});
      } catch (error) {
        if (status(error) === 404) return null;
        throw unavailable(error);
      }
    },
    async delete(ref) {
      await client.delete(path("metadata", ref)).catch((error: unknown) => {
        if (status(error) !== 404) throw unavailable(error);
      });
    },
  };
}
