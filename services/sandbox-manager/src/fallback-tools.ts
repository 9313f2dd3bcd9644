import { posix } from "node:path";
import type { ToolResult } from "@corral/protocol";
import type { SandboxRuntime } from "./docker-runtime.js";

const LIMIT = 100 * 1024;
const truncate = (text: string) =>
  text.length > LIMIT
    ? `${text.slice(0, LIMIT)}\n[output truncated: ${LIMIT} of ${text.length} characters shown]`
    : text;
const resolve = (p: string) => posix.resolve("/workspace", p);
const inWritableRoot = (p: string) =>
  ["/workspace", "/tmp"].some((root) => p === root || p.startsWith(`${root}/`));

/**
 * The six tools through `docker exec`, for images without python3 (no persistent executor). Slower
 * (one exec per call) and the shell does not persist between calls.
 */
export async function runWithExec(
  runtime: SandboxRuntime,
  containerId: string,
  name: string,
  input: Record<string, unknown>,
): Promise<ToolResult> {
  const timeoutMs = typeof input.timeout_ms === "number" ? input.timeout_ms : 120_000;
  const run = (cmd: string[], stdin: string | null = null) =>
    runtime.exec(containerId, cmd, stdin, timeoutMs);
  switch (name) {
    case "bash": {
      const r = await run(["sh", "-c", String(input.command ?? "")]);
      const killed = r.code === 137 ? `Command timed out after ${timeoutMs} ms and was killed.\n` : "";
      return {
        content: truncate(`${killed}exit code: ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`),
        is_error: r.code !== 0,
      };
    }
    case "read": {
      const r = await run(["cat", resolve(String(input.file_path))]);
      if (r.code !== 0)
        return { content: r.stderr || `cannot read ${String(input.file_path)}`, is_error: true };
      if (r.stdout.includes("\0"))
        return {
          content: `${String(input.file_path)} is a binary file; only text files can be read`,
          is_error: true,
        };
      return {
        content: truncate(
          r.stdout
            .split("\n")
            .map((l, i) => `${String(i + 1).padStart(6)}\t${l}`)
            .join("\n"),
        ),
        is_error: false,
      };
    }
    case "write": {
      const path = resolve(String(input.file_path));
      if (!inWritableRoot(path))
        return { content: `${String(input.file_path)} is outside the workspace`, is_error: true };
      const r = await run(
        ["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path],
        String(input.content ?? ""),
      );
      return r.code === 0
        ? { content: `Wrote ${String(input.file_path)}`, is_error: false }
        : { content: r.stderr, is_error: true };
    }
    case "edit": {
      const path = resolve(String(input.file_path));
      if (!inWritableRoot(path))
        return { content: `${String(input.file_path)} is outside the workspace`, is_error: true };
      const current = await run(["cat", path]);
      if (current.code !== 0) return { content: `${String(input.file_path)} does not exist`, is_error: true };
      const old = String(input.old_string ?? "");
      const count = old ? current.stdout.split(old).length - 1 : 0;
      if (count === 0)
        return { content: `old_string was not found in ${String(input.file_path)}`, is_error: true };
      if (count > 1 && !input.replace_all)
        return {
          content: `old_string matches ${count} times; add context or set replace_all`,
          is_error: true,
        };
      const next = input.replace_all
        ? current.stdout.split(old).join(String(input.new_string))
        : current.stdout.replace(old, String(input.new_string));
      await run(["sh", "-c", 'cat > "$1"', "sh", path], next);
      return {
        content: `Replaced ${input.replace_all ? count : 1} occurrence(s) in ${String(input.file_path)}`,
        is_error: false,
      };
    }
    case "glob": {
      const r = await run([
        "sh",
        "-c",
        'cd "$1" && ls -1dt -- $2 2>/dev/null | head -200',
        "sh",
        resolve(String(input.path ?? ".")),
        String(input.pattern),
      ]);
      return { content: r.stdout.trim() || "No files match.", is_error: false };
    }
    case "grep": {
      const r = await run(["grep", "-rnE", "--", String(input.pattern), resolve(String(input.path ?? "."))]);
      if (r.code === 1) return { content: "No matches found.", is_error: false };
      return { content: truncate(r.stdout || r.stderr), is_error: r.code !== 0 };
    }
    default:
      return { content: `unknown tool ${name}`, is_error: true };
  }
}
