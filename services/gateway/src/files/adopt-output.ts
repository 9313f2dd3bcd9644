import { openObjectStore, serve, type Bus, type ObjectStore } from "@corral/bus";
import {
  CorralError,
  OBJECT_STORES,
  OUTPUT_RPC,
  type FileRecord,
  type OutputAdoptRequest,
} from "@corral/protocol";
import type { FileStore } from "./file-store.js";
import { keptFilename } from "./file-part.js";

const TYPES: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  html: "text/html",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

const mimeTypeOf = (name: string) =>
  TYPES[name.includes(".") ? name.split(".").pop()!.toLowerCase() : ""] ?? "application/octet-stream";

/**
 * Makes a staged output a file scoped to its session, under the id the sandbox-manager derived: once. A
 * second ask for the same id (a collection repeated after a crash) answers with the file already made; the
 * bytes are copied first and the record written last, so a file is visible only once whole.
 */
export async function adoptOutput(
  files: FileStore,
  staged: ObjectStore,
  req: OutputAdoptRequest,
): Promise<FileRecord> {
  const existing = await files.records.get(req.file_id);
  if (existing) return existing.value;
  if (req.size_bytes > files.options.maxBytes)
    throw new CorralError(
      "PAYLOAD_TOO_LARGE",
      `output ${req.path} is larger than ${files.options.maxBytes} bytes`,
    );
  const bytes = await staged.get(req.file_id);
  if (!bytes) throw new CorralError("NOT_FOUND", `no staged output ${req.file_id}`);
  const stored = await files.objects.put(req.file_id, bytes);
  const filename = keptFilename(req.path);
  const record: FileRecord = {
    id: req.file_id,
    type: "file",
    filename,
    mime_type: mimeTypeOf(filename),
    size_bytes: stored.size,
    created_at: new Date(files.now()).toISOString(),
    downloadable: true,
    expires_at: null,
    scope: { id: req.session_id, type: "session" },
    workspace_id: req.workspace_id,
  };
  if ((await files.records.create(req.file_id, record)) === null)
    return (await files.records.get(req.file_id))?.value ?? record;
  return record;
}

/** Serves OUTPUT_RPC.adopt for the sandbox-managers (every gateway replica, one queue group). */
export async function serveOutputAdoption(bus: Bus, files: FileStore): Promise<{ unsubscribe(): void }> {
  const staged = await openObjectStore(bus, OBJECT_STORES.sessionOutputs);
  return serve(bus, OUTPUT_RPC.adopt, (req) => adoptOutput(files, staged, req), { queue: "gateway" });
}
