import type { FastifyRequest } from "fastify";
import type { MultipartFile, MultipartValue } from "@fastify/multipart";
import {
  CorralError,
  DEFAULT_WORKSPACE,
  FileUploadFields,
  newId,
  type FileId,
  type FileRecord,
} from "@corral/protocol";
import { parse } from "../serve-routes.js";
import type { FileStore } from "./file-store.js";
import { keptFilename, keptMimeType, partBytes } from "./file-part.js";
import { multipartError } from "./multipart-error.js";

/** What the form held: the stored bytes (if a file part came) and the text fields. */
interface Form {
  stored: { filename: string; mime_type: string; size_bytes: number } | null;
  fields: Record<string, string>;
  /** The first thing that went wrong; the rest of the form is still read so the client gets an answer. */
  error: unknown;
}

async function storePart(store: FileStore, id: FileId, part: MultipartFile, form: Form): Promise<void> {
  if (part.fieldname !== "file" || form.stored) {
    part.file.resume();
    throw new CorralError("INVALID_REQUEST", `body: unexpected file part "${part.fieldname}"`);
  }
  const mimeType = keptMimeType(part.mimetype);
  let filename: string;
  try {
    filename = keptFilename(part.filename, mimeType);
  } catch (error) {
    part.file.resume();
    throw error;
  }
  const object = await store.objects.put(id, partBytes(part.file, store.options.maxBytes));
  form.stored = { filename, mime_type: mimeType, size_bytes: object.size };
}

/** Reads every part: the file's bytes go to the object store as they arrive, never whole into memory. */
async function readForm(store: FileStore, id: FileId, req: FastifyRequest): Promise<Form> {
  const form: Form = { stored: null, fields: {}, error: null };
  const parts = req.parts({
    limits: { fileSize: store.options.maxBytes, files: 1, fields: 8, fieldSize: 1024, parts: 10 },
  });
  try {
    for await (const part of parts) {
      if (form.error) {
        if (part.type === "file") part.file.resume();
        continue;
      }
      if (part.type === "file")
        await storePart(store, id, part, form).catch((e: unknown) => (form.error = e));
      else form.fields[part.fieldname] = String((part as MultipartValue).value);
    }
  } catch (error) {
    form.error ??= error;
  }
  return form;
}

function recordOf(id: FileId, form: Form, workspace: string | undefined, nowMs: number): FileRecord {
  const fields = parse(FileUploadFields, form.fields, "body");
  if (!form.stored) throw new CorralError("INVALID_REQUEST", "body: file is required");
  const expires = fields.expires_in_seconds;
  return {
    id,
    type: "file",
    ...form.stored,
    created_at: new Date(nowMs).toISOString(),
    downloadable: true,
    expires_at: expires === undefined ? null : new Date(nowMs + expires * 1000).toISOString(),
    workspace_id: workspace ?? DEFAULT_WORKSPACE,
  };
}

/**
 * An upload: bytes first, the record last, so a file is visible only once its bytes are whole. Anything
 * refused or broken on the way (too large, bad fields, the client gone) removes the bytes again.
 */
export async function uploadFile(
  store: FileStore,
  req: FastifyRequest,
  workspace: string | undefined,
): Promise<FileRecord> {
  const id = newId("file");
  const form = await readForm(store, id, req);
  try {
    if (form.error) throw multipartError(form.error, store.options.maxBytes);
    const record = recordOf(id, form, workspace, store.now());
    if ((await store.records.create(id, record)) === null)
      throw new CorralError("INTERNAL", `file id ${id} already taken`);
    return record;
  } catch (error) {
    if (form.stored) await store.objects.delete(id);
    throw error;
  }
}
