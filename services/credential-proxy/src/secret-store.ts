/** The secret half of a credential: named string values, never returned through any API. */
export type SecretValues = Record<string, string>;

/** Where secret values live. `ref` is `<vault_id>/<credential_id>` (or an internal name such as `ca`). */
export interface SecretStore {
  readonly kind: "embedded" | "vault";
  put(ref: string, values: SecretValues): Promise<void>;
  get(ref: string): Promise<SecretValues | null>;
  delete(ref: string): Promise<void>;
}
