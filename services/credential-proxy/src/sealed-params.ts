import type { z } from "zod";
import {
  CorralError,
  CredentialAuthParams,
  CredentialAuthUpdate,
  credentialSealContext,
  describeZodError,
  openSealed,
  type CredentialCreateParams,
  type CredentialId,
  type CredentialUpdateParams,
  type SealedBox,
  type VaultId,
} from "@corral/protocol";
import type { SealingKey } from "./sealing-key.js";

function openAuth<S extends z.ZodType>(
  key: SealingKey,
  context: string,
  box: SealedBox,
  schema: S,
): z.output<S> {
  const text = openSealed(key.privateKeyPem, context, box);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CorralError("INVALID_REQUEST", "params.auth: the sealed value is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new CorralError("INVALID_REQUEST", `params.auth: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** A create's params with their auth opened (it was sealed to this proxy's key for this vault). */
export function openCreateParams(
  key: SealingKey,
  vaultId: VaultId,
  params: Omit<CredentialCreateParams, "auth"> & { auth: SealedBox },
): CredentialCreateParams {
  const auth = openAuth(key, credentialSealContext.create(vaultId), params.auth, CredentialAuthParams);
  return { ...params, auth };
}

/** An update's params with their auth patch, if any, opened (sealed for this credential). */
export function openUpdateParams(
  key: SealingKey,
  vaultId: VaultId,
  credentialId: CredentialId,
  params: Omit<CredentialUpdateParams, "auth"> & { auth?: SealedBox | undefined },
): CredentialUpdateParams {
  if (params.auth === undefined) return { ...params, auth: undefined };
  const context = credentialSealContext.update(vaultId, credentialId);
  return { ...params, auth: openAuth(key, context, params.auth, CredentialAuthUpdate) };
}
