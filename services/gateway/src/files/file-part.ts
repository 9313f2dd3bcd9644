import type { Readable } from "node:stream";
import { CorralError, FILENAME_MAX_LENGTH } from "@corral/protocol";

/** The part's bytes as a web stream the object store reads at its own pace (the request waits meanwhile). */
export function partBytes(file: Readable, maxBytes: number): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          controller.error(error);
          file.resume(); // the rest of the request is read and dropped, so the client gets its answer
        };
        file.on("data", (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) file.pause();
        });
        // busboy stops at the limit and says so; what it kept is not the file, so it is not stored.
        file.once("limit", () => fail(tooLarge(maxBytes)));
        file.once("error", (error: Error) => fail(error));
        file.once("close", () => fail(new CorralError("INVALID_REQUEST", "the upload ended early")));
        file.once("end", () => {
          if (settled) return;
          settled = true;
          controller.close();
        });
      },
      pull() {
        file.resume();
      },
      cancel() {
        settled = true;
        file.resume();
      },
    },
    { highWaterMark: 8 },
  );
}

export const tooLarge = (maxBytes: number) =>
  new CorralError("PAYLOAD_TOO_LARGE", `file: larger than the limit of ${maxBytes} bytes`);

/** Extensions of the common types, for a file uploaded without a name (`unnamed.pdf`). */
const EXTENSIONS: Record<string, string> = {
  "text/plain": ".txt",
  "text/csv": ".csv",
  "text/markdown": ".md",
  "text/html": ".html",
  "application/json": ".json",
  "application/pdf": ".pdf",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
};

/**
 * The name a file is kept under: the final path component of the part's filename, or `unnamed` plus the
 * extension of its type (when known) when there is none. Control characters are refused rather than kept.
 */
export function keptFilename(filename: string | undefined, mimeType = ""): string {
  const name = (filename ?? "").split(/[/\\]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new CorralError("INVALID_REQUEST", "file: the filename has control characters");
  if (name.length > FILENAME_MAX_LENGTH)
    throw new CorralError("INVALID_REQUEST", `file: the filename is longer than ${FILENAME_MAX_LENGTH}`);
  return name === "" || name === "." || name === ".." ? `unnamed${EXTENSIONS[mimeType] ?? ""}` : name;
}

/** The part's content type without parameters, or `application/octet-stream` when it has none that fits. */
export function keptMimeType(mimetype: string | undefined): string {
  const type = (mimetype ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/.test(type)
    ? type
    : "application/octet-stream";
}
