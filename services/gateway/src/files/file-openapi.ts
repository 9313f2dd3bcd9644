import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { FileDeleted, FileRecord } from "@corral/protocol";
import { FileListQuery } from "./list-files.js";
import { FilePath } from "./serve-files.js";

const ok = (schema: z.ZodType, type = "application/json") => ({
  "200": { description: "OK", content: { [type]: { schema } } },
});
const tags = ["files"];

/** The Files API's paths for the OpenAPI document (its upload and download are not JSON routes). */
export const FILE_PATHS: ZodOpenApiPathsObject = {
  "/v1/files": {
    post: {
      operationId: "files.upload",
      summary: "Upload a file (multipart: `file`, optional `expires_in_seconds` 3600-7776000)",
      tags,
      requestBody: {
        content: {
          "multipart/form-data": {
            schema: z.object({ file: z.string(), expires_in_seconds: z.number().int().optional() }),
          },
        },
      },
      responses: {
        ...ok(FileRecord),
        "413": { description: "request_too_large: the file is over the gateway's limit" },
      },
    },
    get: {
      operationId: "files.list",
      summary: "List files (newest first; `scope_id`, `ids[]`)",
      tags,
      requestParams: { query: FileListQuery },
      responses: ok(z.object({ data: z.array(FileRecord), next_page: z.string().nullable() })),
    },
  },
  "/v1/files/{file_id}": {
    get: {
      operationId: "files.retrieveMetadata",
      summary: "Get a file's metadata",
      tags,
      requestParams: { path: FilePath },
      responses: ok(FileRecord),
    },
    delete: {
      operationId: "files.delete",
      summary: "Delete a file and its bytes",
      tags,
      requestParams: { path: FilePath },
      responses: ok(FileDeleted),
    },
  },
  "/v1/files/{file_id}/content": {
    get: {
      operationId: "files.download",
      summary: "Download a file's bytes",
      tags,
      requestParams: { path: FilePath },
      responses: ok(z.string(), "application/octet-stream"),
    },
  },
};
