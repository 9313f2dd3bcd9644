import { CorralError } from "@corral/protocol";
import { tooLarge } from "./file-part.js";

/** @fastify/multipart's errors, by code, as the API's. */
const MESSAGES: Record<string, string> = {
  FST_FILES_LIMIT: "body: one file part at most",
  FST_FIELDS_LIMIT: "body: too many fields",
  FST_PARTS_LIMIT: "body: too many parts",
  FST_INVALID_MULTIPART_CONTENT_TYPE: "an upload must be multipart/form-data",
  FST_PROTO_VIOLATION: "body: a field name that is not allowed",
  FST_INVALID_JSON_FIELD_ERROR: "body: a JSON field that is not JSON",
  FST_MP_PREMATURE_CLOSE: "the upload ended early",
};

/** What a failed form read becomes: our own errors as they are, the parser's as the API's. */
export function multipartError(error: unknown, maxBytes: number): unknown {
  if (error instanceof CorralError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "FST_REQ_FILE_TOO_LARGE") return tooLarge(maxBytes);
  if (typeof code === "string" && MESSAGES[code]) return new CorralError("INVALID_REQUEST", MESSAGES[code]);
  if (error instanceof Error && /multipart|part terminated|unexpected end/i.test(error.message))
    return new CorralError("INVALID_REQUEST", `body: ${error.message}`);
  return error;
}
