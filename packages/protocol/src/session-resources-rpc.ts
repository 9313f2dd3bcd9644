import { z } from "zod";
import { SessionId } from "./ids.js";
import { defineRpc } from "./rpc-def.js";
import { SealedBox } from "./sealed-box.js";
import { SessionResourceId } from "./session-resources-ids.js";
import {
  FileResourceParams,
  FileResourceRecord,
  SessionResourceDeleted,
  SessionResourceRecord,
} from "./session-resources.js";

export const SessionResourceRef = z.object({ session_id: SessionId, resource_id: SessionResourceId });
export type SessionResourceRef = z.infer<typeof SessionResourceRef>;

export const SessionResourceListRequest = z.object({
  session_id: SessionId,
  limit: z.number().int().min(1).max(1000).default(20),
  /** The id of the last resource of the previous page. */
  page: SessionResourceId.optional(),
});
export type SessionResourceListRequest = z.infer<typeof SessionResourceListRequest>;

export const SessionResourceAddRequest = z.object({ session_id: SessionId, params: FileResourceParams });
export type SessionResourceAddRequest = z.infer<typeof SessionResourceAddRequest>;

/** A token rotation: the gateway seals the new token to the credential-proxy before it goes on the bus. */
export const SessionResourceUpdateRequest = SessionResourceRef.extend({ sealed_token: SealedBox });
export type SessionResourceUpdateRequest = z.infer<typeof SessionResourceUpdateRequest>;

/** The sealed tokens of a session's repositories: only the credential-proxy may ask (it alone can open them). */
export const SessionResourceTokens = z.object({
  tokens: z.array(z.object({ resource_id: SessionResourceId, url: z.string(), sealed_token: SealedBox })),
});
export type SessionResourceTokens = z.infer<typeof SessionResourceTokens>;

const api = (verb: string) => `corral.api.store.sessions.resources.${verb}`;

/** `sessions.resources.*`, served by the session-store (resources live in the session's record). */
export const SESSION_RESOURCE_RPC = {
  list: defineRpc(
    api("list"),
    SessionResourceListRequest,
    z.object({ data: z.array(SessionResourceRecord), next_page: z.string().nullable() }),
  ),
  get: defineRpc(api("get"), SessionResourceRef, SessionResourceRecord),
  add: defineRpc(api("add"), SessionResourceAddRequest, FileResourceRecord),
  update: defineRpc(api("update"), SessionResourceUpdateRequest, SessionResourceRecord),
  delete: defineRpc(api("delete"), SessionResourceRef, SessionResourceDeleted),
  tokens: defineRpc(api("tokens"), z.object({ session_id: SessionId }), SessionResourceTokens),
} as const;
