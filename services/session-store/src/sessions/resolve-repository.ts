import {
  CorralError,
  defaultRepositoryMountPath,
  type SealedBox,
  type SessionResourceParams,
  type SessionResourceRecord,
} from "@corral/protocol";

type RepositoryParams = Extract<SessionResourceParams, { type: "github_repository" }>;
type Base = { id: `sesrsc_${string}`; created_at: string; updated_at: string };

/** A repository as the record keeps it; its token, sealed by the gateway, goes to `tokens`, never in clear. */
export function resolveRepository(
  base: Base,
  params: RepositoryParams,
  tokens: Record<string, SealedBox>,
): SessionResourceRecord {
  if (params.authorization_token !== undefined)
    throw new CorralError("INVALID_REQUEST", "resources: authorization_token must reach the store sealed");
  if (params.authorization_token_sealed) tokens[base.id] = params.authorization_token_sealed;
  return {
    ...base,
    type: "github_repository",
    url: params.url,
    mount_path: params.mount_path ?? defaultRepositoryMountPath(params.url),
    checkout: params.checkout ?? null,
  };
}
