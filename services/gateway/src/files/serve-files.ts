import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import multipart from "@fastify/multipart";
import { z } from "zod";
import { CorralError, FileId, type FileDeleted } from "@corral/protocol";
import { requestKey } from "../auth.js";
import { parse } from "../serve-routes.js";
import { findFile, removeFile, type FileStore } from "./file-store.js";
import { FileListQuery, listFiles } from "./list-files.js";
import { uploadFile } from "./upload-file.js";

export const FilePath = z.strictObject({ file_id: FileId });
/** Routes without query parameters refuse any, like every route of the API. */
const NoQuery = z.object({});

const workspaceOf = (req: FastifyRequest) => requestKey(req)?.workspace_id;
const json = (reply: FastifyReply, value: unknown) =>
  reply.type("application/json").send(JSON.stringify(value));
const fileId = (req: FastifyRequest) => parse(FilePath, req.params, "path").file_id;

/** The file's bytes, with its type, size and name (a download is an attachment). */
async function sendContent(store: FileStore, req: FastifyRequest, reply: FastifyReply) {
  const file = await findFile(store, fileId(req), workspaceOf(req));
  if (!file.downloadable) throw new CorralError("INVALID_REQUEST", `file ${file.id} is not downloadable`);
  const bytes = await store.objects.get(file.id);
  if (!bytes) throw new CorralError("NOT_FOUND", `no file ${file.id}`);
  return reply
    .type(file.mime_type)
    .header("content-length", String(file.size_bytes))
    .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .send(Readable.fromWeb(bytes as never));
}

/**
 * The Files API: `POST /v1/files` (multipart upload), list, metadata, content and delete, under the same
 * keys, limits and error envelope as every route. Multipart is parsed only here, in its own scope.
 */
export function serveFiles(app: FastifyInstance, maxBytes: number, store: () => FileStore): void {
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: maxBytes } });
    scope.addHook("preHandler", async (req) => {
      if (req.routeOptions.url !== "/v1/files" || req.method !== "GET") parse(NoQuery, req.query, "query");
    });
    scope.post("/v1/files", async (req, reply) =>
      json(reply, await uploadFile(store(), req, workspaceOf(req))),
    );
    scope.get("/v1/files", async (req, reply) =>
      json(reply, await listFiles(store(), parse(FileListQuery, req.query, "query"), workspaceOf(req))),
    );
    scope.get("/v1/files/:file_id", async (req, reply) =>
      json(reply, await findFile(store(), fileId(req), workspaceOf(req))),
    );
    scope.get("/v1/files/:file_id/content", async (req, reply) => sendContent(store(), req, reply));
    scope.delete("/v1/files/:file_id", async (req, reply) => {
      const file = await findFile(store(), fileId(req), workspaceOf(req));
      await removeFile(store(), file.id);
      return json(reply, { id: file.id, type: "file_deleted" } satisfies FileDeleted);
    });
  });
}
