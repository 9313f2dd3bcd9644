/** An API key as listed: never the key itself, only its first characters. */
export interface ApiKeyRow {
  id: string;
  name: string;
  hint: string;
  created_at: string;
  revoked_at?: string | null | undefined;
  workspace_id?: string | undefined;
  scope?: string | undefined;
}

/** The gateway's API keys, as the CLI manages them on a Corral host. */
export interface KeyStore {
  /** `workspace`: the tenant the key acts for (default: the default workspace); `scope`: full or read_only. */
  create(
    name: string,
    options?: { workspace?: string; scope?: string },
  ): Promise<{ key: string; record: ApiKeyRow }>;
  list(): Promise<ApiKeyRow[]>;
  revoke(idOrHint: string): Promise<ApiKeyRow>;
  /** Whether the key would be accepted now (exists and is not revoked). */
  isValid(key: string): Promise<boolean>;
}
