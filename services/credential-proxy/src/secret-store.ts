import { retrying, type RetryOptions } from "@corral/bus";

/** The secret half of a credential: named string values, never returned through any API. */
export type SecretValues = Record<string, string>;

/** Where secret values live. `ref` is `<vault_id>/<credential_id>` (or an internal name such as `ca`). */
export interface SecretStore {
  readonly kind: "embedded" | "vault";
  put(ref: string, values: SecretValues): Promise<void>;
  /** Stores only if nothing is stored under `ref` yet; false when something is. */
  create(ref: string, values: SecretValues): Promise<boolean>;
  get(ref: string): Promise<SecretValues | null>;
  delete(ref: string): Promise<void>;
}

/**
 * Every call retried while the backend is away; each is safe to repeat (a put writes the same values; a
 * create that was applied before its answer was lost answers false, and its caller reads what is stored).
 */
export function retryingSecretStore(store: SecretStore, retry: RetryOptions): SecretStore {
  return {
    kind: store.kind,
    put: (ref, values) => retrying(() => store.put(ref, values), retry),
    create: (ref, values) => retrying(() => store.create(ref, values), retry),
    get: (ref) => retrying(() => store.get(ref), retry),
    delete: (ref) => retrying(() => store.delete(ref), retry),
  };
}
