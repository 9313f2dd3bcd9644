import { z } from "zod";
import { CorralError } from "@corral/protocol";

const Cursor = z.object({ after: z.string() });

/** An opaque page cursor: the last path a page held. */
export const encodeCursor = (after: string) => Buffer.from(JSON.stringify({ after })).toString("base64url");

export function decodeCursor(page: string | undefined): string | null {
  if (!page) return null;
  try {
    return Cursor.parse(JSON.parse(Buffer.from(page, "base64url").toString("utf8"))).after;
  } catch {
    throw new CorralError("INVALID_REQUEST", "page is not a cursor this API returned");
  }
}
