import { z } from "zod";
import { CredentialId, type VaultId } from "@corral/protocol";

/**
 * The ids of a vault's live credentials and of those being created (`n.<vault_id>` in the vault bucket):
 * the one record the per-vault limit is checked against, changed only by compare-and-set on its revision.
 */
export const CredentialSlots = z.object({ ids: z.array(CredentialId).max(1000) });
export type CredentialSlots = z.infer<typeof CredentialSlots>;
export const slotsKey = (vaultId: VaultId) => `n.${vaultId}`;
