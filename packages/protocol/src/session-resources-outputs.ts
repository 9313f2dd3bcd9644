import { createHash } from "node:crypto";
import { z } from "zod";
import { FileId, SessionId } from "./ids.js";
import { FileRecord } from "./files.js";
import { defineRpc } from "./rpc-def.js";
import { WorkspaceId } from "./workspaces.js";

/** At most this many output files are collected from one scan of a sandbox's outputs folder. */
export const SESSION_OUTPUTS_PER_SCAN_MAX = 50;
/** The longest output file kept; a larger one is left out (and logged). */
export const SESSION_OUTPUT_MAX_BYTES = 100 * 1024 * 1024;
/** The most output files one session can have (later ones are left out). */
export const SESSION_OUTPUTS_PER_SESSION_MAX = 1000;

/**
 * An output the sandbox-manager staged (object `file_id` in corral_session_outputs): the gateway, which owns
 * files, makes it a file scoped to the session under that id. The id is derived from the session, the path,
 * the size and the modification time, so a collection repeated after a crash adopts each file once.
 */
export const OutputAdoptRequest = z.object({
  file_id: FileId,
  session_id: SessionId,
  workspace_id: WorkspaceId,
  /** The path under the outputs folder (the file's name as the client sees it). */
  path: z.string().min(1).max(4096),
  size_bytes: z.number().int().min(0).max(SESSION_OUTPUT_MAX_BYTES),
});
export type OutputAdoptRequest = z.infer<typeof OutputAdoptRequest>;

export const OUTPUT_RPC = {
  /** Served by the gateway (queue group `gateway`); sent by the sandbox-manager. */
  adopt: defineRpc("corral.api.files.adopt_output", OutputAdoptRequest, FileRecord),
} as const;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * The id an output gets: like every file id (time first, so lists stay newest first), but its time is the
 * file's modification time and its rest a hash of what identifies this version of it, so that it is the
 * same however many times it is collected.
 */
export function outputFileId(sessionId: string, path: string, sizeBytes: number, mtimeMs: number): FileId {
  let time = "";
  for (let i = 0, ms = Math.max(0, Math.floor(mtimeMs)); i < 10; i++, ms = Math.floor(ms / 32))
    time = ALPHABET[ms % 32] + time;
  const digest = createHash("sha256").update(`${sessionId}\0${path}\0${sizeBytes}\0${mtimeMs}`).digest();
  const rest = [...digest.slice(0, 16)].map((b) => ALPHABET[b % 32]).join("");
  return `file_${time}${rest}`;
}
