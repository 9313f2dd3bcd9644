import { TIMEOUTS, type CredentialId, type VaultId } from "@corral/protocol";
import { credentialKey, type VaultStore } from "./vault-store.js";

/** Far longer than any create takes (each of its few store calls gives up within half an RPC's wait). */
export const ABANDONED_AFTER_MS = 10 * TIMEOUTS.rpcMs;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** When an id was made: its first ten characters after the prefix are a ULID time. */
export function idTimeMs(id: string): number {
  const time = id.slice(id.indexOf("_") + 1, id.indexOf("_") + 11);
  let ms = 0;
  for (const c of time) ms = ms * 32 + Math.max(0, CROCKFORD.indexOf(c));
  return ms;
}

/**
 * Whether a slot or name held for `credentialId` belongs to nothing: the credential was archived (its
 * release did not finish), or it never appeared and the create that took it is long over (its replica died).
 */
export async function isAbandoned(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
): Promise<boolean> {
  const entry = await store.credentials.get(credentialKey(vaultId, credentialId));
  if (entry) return entry.value.archived_at !== null;
  return Date.now() - idTimeMs(credentialId) > ABANDONED_AFTER_MS;
}
