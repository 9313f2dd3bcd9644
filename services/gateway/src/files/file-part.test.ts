import { PassThrough } from "node:stream";
import { expect, test } from "vitest";
import { CorralError } from "@corral/protocol";
import { keptFilename, keptMimeType, partBytes } from "./file-part.js";

test("only the final path component of a filename is kept; none is `unnamed` with its type's extension", () => {
  expect(keptFilename("a/b/report.pdf")).toBe("report.pdf");
  expect(keptFilename("C:\\Users\\x\\notes.txt")).toBe("notes.txt");
  expect(keptFilename(undefined)).toBe("unnamed");
  expect(keptFilename("dir/")).toBe("unnamed");
  expect(keptFilename("..")).toBe("unnamed");
  expect(keptFilename("", "application/pdf")).toBe("unnamed.pdf");
  expect(keptFilename(undefined, "application/x-unknown")).toBe("unnamed");
});

test("a filename with control characters or over 255 characters is refused", () => {
  expect(() => keptFilename("a\u0000b")).toThrow(CorralError);
  expect(() => keptFilename("x".repeat(256))).toThrow(/longer than 255/);
  expect(keptFilename("x".repeat(255))).toHaveLength(255);
});

test("a content type is kept without its parameters, and anything odd becomes octet-stream", () => {
  expect(keptMimeType("text/plain; charset=utf-8")).toBe("text/plain");
  expect(keptMimeType("Image/PNG")).toBe("image/png");
  expect(keptMimeType("not a type")).toBe("application/octet-stream");
  expect(keptMimeType(undefined)).toBe("application/octet-stream");
});

test("a part's bytes stream through whole; a part cut at the limit errors as 413", async () => {
  const whole = new PassThrough();
  const read = new Response(partBytes(whole, 10)).text();
  whole.end("hello");
  expect(await read).toBe("hello");

  const cut = new PassThrough();
  const failing = new Response(partBytes(cut, 3)).text();
  cut.write("abc");
  cut.emit("limit");
  await expect(failing).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
});
