import { CorralError, type CredentialId, type VaultId } from "@corral/protocol";
import { credentialIds, credentialKey, type VaultStore } from "./vault-store.js";
import type { Versioned } from "@corral/bus";
import { slotsKey, type CredentialSlots } from "./credential-slot-record.js";
import { isAbandoned } from "./abandoned-create.js";

export const MAX_CREDENTIALS_PER_VAULT = 20;
/** Rounds of a lost compare-and-set before giving up: each round someone wins, and the list is short. */
const MAX_ROUNDS = 200;

const full = () =>
  new CorralError("INVALID_REQUEST", `a vault holds at most ${MAX_CREDENTIALS_PER_VAULT} credentials`);

/** A vault's live credentials, for a vault whose slots were never recorded (made before they were). */
async function liveIds(store: VaultStore, vaultId: VaultId): Promise<CredentialId[]> {
  const live: CredentialId[] = [];
  for (const id of await credentialIds(store, vaultId)) {
    const entry = await store.credentials.get(credentialKey(vaultId, id));
    if (entry && !entry.value.archived_at) live.push(id);
  }
  return live;
}

/** The ids whose slot is still held by a live credential or a create under way. */
async function withoutAbandoned(store: VaultStore, vaultId: VaultId, ids: CredentialId[]) {
  const kept: CredentialId[] = [];
  for (const id of ids) if (!(await isAbandoned(store, vaultId, id))) kept.push(id);
  return kept;
}

type Change = (current: Versioned<CredentialSlots> | null) => Promise<CredentialSlots | undefined>;

/** Writes `change`'s answer by compare-and-set, asking again after a lost race; undefined: nothing to do. */
async function changeSlots(store: VaultStore, vaultId: VaultId, change: Change): Promise<number | undefined> {
  const key = slotsKey(vaultId);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const current = await store.slots.get(key);
    const next = await change(current);
    if (!next) return undefined;
    const written = current
      ? await store.slots.replace(key, next, current.revision)
      : await store.slots.create(key, next);
    if (written !== null) return written;
  }
  throw new CorralError("CONFLICT", `too many concurrent changes to vault ${vaultId}'s credentials`);
}

/** Takes one of the vault's slots for `credentialId`, or refuses when all are taken. Idempotent per id. */
export async function reserveSlot(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
): Promise<void> {
  await changeSlots(store, vaultId, async (current) => {
    let ids = current ? current.value.ids : await liveIds(store, vaultId);
    if (ids.includes(credentialId)) return undefined;
    if (ids.length >= MAX_CREDENTIALS_PER_VAULT) ids = await withoutAbandoned(store, vaultId, ids);
    if (ids.length >= MAX_CREDENTIALS_PER_VAULT) throw full();
    return { ids: [...ids, credentialId] };
  });
}

/** Frees the credential's slot; the record goes once the vault has no credential left. */
export async function releaseSlot(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
): Promise<void> {
  let left = -1;
  const revision = await changeSlots(store, vaultId, async (current) => {
    if (!current?.value.ids.includes(credentialId)) return undefined;
    const ids = current.value.ids.filter((id) => id !== credentialId);
    left = ids.length;
    return { ids };
  });
  if (revision !== undefined && left === 0) await store.slots.delete(slotsKey(vaultId), revision);
}
