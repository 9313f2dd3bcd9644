import { z } from "zod";
import { FileId, SessionId } from "./ids.js";
import { Timestamp } from "./primitives.js";
import { workspaceField } from "./workspaces.js";

/** `expires_in_seconds` on an upload: one hour to ninety days, as the API documents it. */
export const FILE_EXPIRY_MIN_SECONDS = 3600;
export const FILE_EXPIRY_MAX_SECONDS = 90 * 24 * 3600;
/** The longest filename kept (its final path component, in UTF-16 units). */
export const FILENAME_MAX_LENGTH = 255;

/** What a file belongs to besides its workspace: the session that wrote it, when one did. */
export const FileScope = z.object({ id: SessionId, type: z.literal("session") });
export type FileScope = z.infer<typeof FileScope>;

/** A file's record (`BetaFileMetadata`); its bytes are the object named by its id. */
export const FileRecord = z.object({
  id: FileId,
  type: z.literal("file"),
  filename: z.string().min(1).max(FILENAME_MAX_LENGTH),
  mime_type: z.string().min(1).max(255),
  size_bytes: z.number().int().nonnegative(),
  created_at: Timestamp,
  downloadable: z.boolean(),
  expires_at: Timestamp.nullable(),
  scope: FileScope.optional(),
  ...workspaceField,
});
export type FileRecord = z.infer<typeof FileRecord>;

export const FileDeleted = z.object({ id: FileId, type: z.literal("file_deleted") });
export type FileDeleted = z.infer<typeof FileDeleted>;

/**
 * The upload's form fields besides the file part (multipart text, so the number is coerced); the gateway
 * refuses any other field by name, as it does in every body.
 */
export const FileUploadFields = z.object({
  expires_in_seconds: z.coerce
    .number()
    .int()
    .min(FILE_EXPIRY_MIN_SECONDS)
    .max(FILE_EXPIRY_MAX_SECONDS)
    .optional(),
});
export type FileUploadFields = z.infer<typeof FileUploadFields>;

/** Whether a file has expired at `nowMs`; a file without `expires_at` never does. */
export const isFileExpired = (file: Pick<FileRecord, "expires_at">, nowMs: number): boolean =>
  file.expires_at !== null && Date.parse(file.expires_at) <= nowMs;
