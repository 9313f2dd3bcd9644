import { posix } from "node:path";
import { BuiltinToolName, toolTimeoutMs, type ToolResult } from "@corral/protocol";
import type { ExecResult, SandboxRuntime } from "./sandbox-runtime.js";

const LIMIT = 100 * 1024;
const truncate = (text: string) =>
  text.length > LIMIT
    ? `${text.slice(0, LIMIT)}\n[output truncated: ${LIMIT} of ${text.length} characters shown]`
    : text;
const resolve = (p: string) => posix.resolve("/workspace", p);
const inWritableRoot = (p: string) =>
  ["/workspace", "/tmp", "/mnt/session/outputs"].some((root) => p === root || p.startsWith(`${root}/`));

/** One tool call's inputs: the command runner for its container, its input and its timeout. */
interface Call {
  run(cmd: string[], stdin?: string | null): Promise<ExecResult>;
  input: Record<string, unknown>;
  timeoutMs: number;
}

const filePath = (call: Call) => String(call.input.file_path);
const outsideWorkspace = (call: Call): ToolResult => ({
  content: `${filePath(call)} is outside the workspace`,
  is_error: true,
});

async function bash(call: Call): Promise<ToolResult> {
  const r = await call.run(["sh", "-c", String(call.input.command ?? "")]);
  const killed = r.code === 137 ? `Command timed out after ${call.timeoutMs} ms and was killed.\n` : "";
  return {
    content: truncate(`${killed}exit code: ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`),
    is_error: r.code !== 0,
  };
}

async function read(call: Call): Promise<ToolResult> {
  const r = await call.run(["cat", resolve(filePath(call))]);
  if (r.code !== 0) return { content: r.stderr || `cannot read ${filePath(call)}`, is_error: true };
  if (r.stdout.includes("\0"))
    return { content: `${filePath(call)} is a binary file; only text files can be read`, is_error: true };
  const numbered = r.stdout
    .split("\n")
    .map((line, i) => `${String(i + 1).padStart(6)}\t${line}`)
    .join("\n");
  return { content: truncate(numbered), is_error: false };
}

async function write(call: Call): Promise<ToolResult> {
  const path = resolve(filePath(call));
  if (!inWritableRoot(path)) return outsideWorkspace(call);
  const r = await call.run(
    ["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path],
    String(call.input.content ?? ""),
  );
  return r.code === 0
    ? { content: `Wrote ${filePath(call)}`, is_error: false }
    : { content: r.stderr, is_error: true };
}

async function edit(call: Call): Promise<ToolResult> {
  const { input } = call;
  const path = resolve(filePath(call));
  if (!inWritableRoot(path)) return outsideWorkspace(call);
  const current = await call.run(["cat", path]);
  if (current.code !== 0) return { content: `${filePath(call)} does not exist`, is_error: true };
  const old = String(input.old_string ?? "");
  const count = old ? current.stdout.split(old).length - 1 : 0;
  if (count === 0) return { content: `old_string was not found in ${filePath(call)}`, is_error: true };
  if (count > 1 && !input.replace_all)
    return { content: `old_string matches ${count} times; add context or set replace_all`, is_error: true };
  const next = input.replace_all
    ? current.stdout.split(old).join(String(input.new_string))
    : current.stdout.replace(old, String(input.new_string));
  await call.run(["sh", "-c", 'cat > "$1"', "sh", path], next);
  return {
    content: `Replaced ${input.replace_all ? count : 1} occurrence(s) in ${filePath(call)}`,
    is_error: false,
  };
}

async function glob(call: Call): Promise<ToolResult> {
  const r = await call.run([
    "sh",
    "-c",
    'cd "$1" && ls -1dt -- $2 2>/dev/null | head -200',
    "sh",
    resolve(String(call.input.path ?? ".")),
    String(call.input.pattern),
  ]);
  return { content: r.stdout.trim() || "No files match.", is_error: false };
}

async function grep(call: Call): Promise<ToolResult> {
  const r = await call.run([
    "grep",
    "-rnE",
    "--",
    String(call.input.pattern),
    resolve(String(call.input.path ?? ".")),
  ]);
  if (r.code === 1) return { content: "No matches found.", is_error: false };
  return { content: truncate(r.stdout || r.stderr), is_error: r.code !== 0 };
}

const TOOLS: Record<BuiltinToolName, (call: Call) => Promise<ToolResult>> = {
  bash,
  read,
  write,
  edit,
  glob,
  grep,
};

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
  const timeoutMs = toolTimeoutMs(input);
  const run = (cmd: string[], stdin: string | null = null) =>
    runtime.exec(containerId, cmd, stdin, timeoutMs);
  const tool = BuiltinToolName.safeParse(name);
  if (!tool.success) return { content: `unknown tool ${name}`, is_error: true };
  return TOOLS[tool.data]({ run, input, timeoutMs });
}
