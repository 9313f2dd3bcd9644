import { z } from "zod";

/** The API's limits on one memory: its content and its path. */
export const MEMORY_CONTENT_MAX_BYTES = 102_400;
export const MEMORY_PATH_MAX_BYTES = 1024;
export const MEMORY_PATH_MAX_SEGMENTS = 20;

const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Text that has a UTF-8 form: no lone surrogate (JSON can carry one, UTF-8 cannot). */
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

// Control (Cc), format (Cf) and the line/paragraph separators, as the API refuses them in a path.
const FORBIDDEN_IN_PATH = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** Why `path` is not a memory path, or null when it is one. */
export function memoryPathProblem(path: string): string | null {
  if (!isWellFormed(path)) return "is not valid Unicode";
  if (!path.startsWith("/")) return "must start with /";
  if (utf8Bytes(path) > MEMORY_PATH_MAX_BYTES) return `is longer than ${MEMORY_PATH_MAX_BYTES} bytes`;
  if (FORBIDDEN_IN_PATH.test(path)) return "holds a control or format character";
  if (path.normalize("NFC") !== path) return "is not in Unicode Normalization Form C";
  const segments = path.slice(1).split("/");
  if (segments.length > MEMORY_PATH_MAX_SEGMENTS) return `has more than ${MEMORY_PATH_MAX_SEGMENTS} segments`;
  if (segments.some((s) => s === "")) return "has an empty segment";
  if (segments.some((s) => s === "." || s === "..")) return "has a . or .. segment";
  return null;
}

/** A memory's path: `/a/b.md`, 1 to 20 non-empty segments, none `.` or `..`, NFC, at most 1,024 bytes. */
export const MemoryPath = z.string().superRefine((path, ctx) => {
  const problem = memoryPathProblem(path);
  if (problem) ctx.addIssue({ code: "custom", message: `memory path ${problem}` });
});

/** A `path_prefix` of a list: a path ending with `/` (or `/` alone), matched by whole segments. */
export const MemoryPathPrefix = z.string().superRefine((prefix, ctx) => {
  if (!prefix.endsWith("/")) ctx.addIssue({ code: "custom", message: "path_prefix must end with /" });
  else if (prefix !== "/") {
    const problem = memoryPathProblem(prefix.slice(0, -1));
    if (problem) ctx.addIssue({ code: "custom", message: `path_prefix ${problem}` });
  }
});

/** A memory's UTF-8 text: at most 102,400 bytes, well-formed (no lone surrogates). */
export const MemoryContent = z.string().superRefine((content, ctx) => {
  if (!isWellFormed(content)) ctx.addIssue({ code: "custom", message: "content is not valid UTF-8 text" });
  else if (utf8Bytes(content) > MEMORY_CONTENT_MAX_BYTES)
    ctx.addIssue({
      code: "too_big",
      origin: "string",
      maximum: MEMORY_CONTENT_MAX_BYTES,
      message: `content is larger than ${MEMORY_CONTENT_MAX_BYTES} bytes`,
    });
});

/** 64 lowercase hex characters: a SHA-256 as the API writes it. */
export const ContentSha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hexadecimal characters");

/** True when one of two paths is the other or lies below it (`/notes` and `/notes/todo.md`). */
export function memoryPathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
