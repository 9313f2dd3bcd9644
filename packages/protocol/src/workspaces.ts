import { z } from "zod";

/** A tenant: API keys belong to one, and every record carries the one it was made in. */
export const WorkspaceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, _ or -");
export type WorkspaceId = z.infer<typeof WorkspaceId>;

/** Records made before workspaces existed, and keys made without one, belong here. */
export const DEFAULT_WORKSPACE = "default";

/** The record field; a record without it (made before workspaces) belongs to the default workspace. */
export const workspaceField = { workspace_id: WorkspaceId.optional() };

/** The workspace a record belongs to. */
export const workspaceOf = (record: { workspace_id?: string }) => record.workspace_id ?? DEFAULT_WORKSPACE;

/** The RPC header a caller acting for a client names its workspace in; internal callers send none. */
export const WORKSPACE_HEADER = "Corral-Workspace";

/** How deep a JSON value may nest (a client's body, an RPC request). */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of a JSON text, counted without recursion; stops counting past `cap`. */
export function jsonDepthExceeds(text: string, cap = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > cap) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}
