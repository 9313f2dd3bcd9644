import { EnvironmentId, LogId, SandboxId, SessionId } from "./ids.js";
import { z } from "zod";
import { defineRpc } from "./rpc-def.js";

export const ToolUseId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only");

export const SandboxResources = z.object({
  memory_mb: z.number().int().min(32).max(65_536).optional(),
  cpus: z.number().min(0.05).max(64).optional(),
  pids: z.number().int().min(16).max(65_536).optional(),
  tmpfs_mb: z.number().int().min(1).max(16_384).optional(),
  /** The workspace's size (a volume of its own); the host's default when absent. */
  disk_mb: z.number().int().min(256).max(4_194_304).optional(),
});
export type SandboxResources = z.infer<typeof SandboxResources>;

/** What a sandbox is made from: the parts of an environment the sandbox-manager needs. */
export const SandboxSpec = z.object({
  image: z.string().min(1).max(256).optional(),
  resources: SandboxResources.optional(),
  networking: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("unrestricted") }),
      z.object({
        type: z.literal("limited"),
        allowed_hosts: z.array(z.string().max(253)).max(64).default([]),
      }),
    ])
    .optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4096)).optional(),
});
export type SandboxSpec = z.infer<typeof SandboxSpec>;

export const SandboxStatus = z.enum(["ready", "lost", "destroyed"]);
export type SandboxStatus = z.infer<typeof SandboxStatus>;

export const SandboxRecord = z.object({
  id: SandboxId,
  type: z.literal("sandbox"),
  session_id: z.string(),
  status: SandboxStatus,
  image: z.string(),
  /** The sandbox-manager (one per Docker host) that owns the container and serves its exec subject. */
  host: z.string(),
  container_id: z.string(),
  /** The session's workspace volume; it outlives containers, so files survive a lost sandbox. */
  workspace_volume: z.string(),
  lost_reason: z.string().nullable(),
  /**
   * Who may use the sandbox: the session and/or its threads. A coordinator can share it with a
   * sub-agent, transfer it, and have it handed back; it is reaped only when at most one holder is left.
   */
  holders: z.array(z.string()).default([]),
  created_at: z.string(),
  last_used_at: z.string(),
});
export type SandboxRecord = z.infer<typeof SandboxRecord>;

export const ProvisionRequest = z.object({
  session_id: SessionId,
  /** The thread that will hold the sandbox (default: the session); its workspace volume is its own. */
  owner: LogId.optional(),
  environment_id: EnvironmentId.optional(),
  spec: SandboxSpec.default({}),
});
export type ProvisionRequest = z.infer<typeof ProvisionRequest>;

export const BUILTIN_TOOLS = ["bash", "read", "write", "edit", "glob", "grep"] as const;
export const BuiltinToolName = z.enum(BUILTIN_TOOLS);
export type BuiltinToolName = z.infer<typeof BuiltinToolName>;

export const BashInput = z.object({
  command: z.string().max(100_000).optional(),
  restart: z.boolean().optional(),
  timeout_ms: z.number().int().min(1).max(3_600_000).optional(),
});
export const ReadInput = z.object({
  file_path: z.string().min(1).max(4096),
  view_range: z.tuple([z.number().int(), z.number().int()]).optional(),
});
export const WriteInput = z.object({
  file_path: z.string().min(1).max(4096),
  content: z.string().max(10_000_000),
});
export const EditInput = z.object({
  file_path: z.string().min(1).max(4096),
  old_string: z.string().max(1_000_000),
  new_string: z.string().max(1_000_000),
  replace_all: z.boolean().optional(),
});
export const GlobInput = z.object({
  pattern: z.string().min(1).max(4096),
  path: z.string().max(4096).optional(),
});
export const GrepInput = z.object({
  pattern: z.string().min(1).max(4096),
  path: z.string().max(4096).optional(),
});

export const TOOL_INPUTS = {
  bash: BashInput,
  read: ReadInput,
  write: WriteInput,
  edit: EditInput,
  glob: GlobInput,
  grep: GrepInput,
} as const;

export const ExecuteRequest = z.object({
  sandbox_id: SandboxId,
  /** The model's tool_use id: the exactly-once ledger key. */
  tool_use_id: ToolUseId,
  name: z.string().min(1).max(128),
  input: z.record(z.string(), z.unknown()),
  /** The session or thread asking; refused with FORBIDDEN unless it holds the sandbox. */
  holder: LogId.optional(),
});
export type ExecuteRequest = z.infer<typeof ExecuteRequest>;

export const ToolResult = z.object({ content: z.string(), is_error: z.boolean() });
export type ToolResult = z.infer<typeof ToolResult>;

export const SandboxRef = z.object({ sandbox_id: SandboxId });
export const DestroyRequest = z.object({
  sandbox_id: SandboxId,
  remove_workspace: z.boolean().default(false),
});
export const SandboxListRequest = z.object({ session_id: SessionId.optional() });

export const HandoffRequest = z.object({
  sandbox_id: SandboxId,
  /** The holder giving (`share`, `transfer`) or letting go (`release`). */
  from: LogId,
  /** The new holder; not used by `release`. */
  to: LogId.optional(),
  mode: z.enum(["share", "transfer", "release"]),
});
export type HandoffRequest = z.infer<typeof HandoffRequest>;

const api = (verb: string) => `corral.api.sandbox.${verb}`;

/**
 * `provision`, `get` and `list` go to any manager (queue group `sandbox-manager`); `execute` and `destroy`
 * for one sandbox are served on `corral.sandbox.<sandbox_id>.<verb>` by the manager that owns it, so
 * NATS routes to the right Docker host and "no responders" means that owner is gone.
 */
export const SANDBOX_RPC = {
  provision: defineRpc(api("provision"), ProvisionRequest, SandboxRecord),
  get: defineRpc(api("get"), SandboxRef, SandboxRecord),
  list: defineRpc(api("list"), SandboxListRequest, z.object({ data: z.array(SandboxRecord) })),
  execute: defineRpc("corral.sandbox.*.exec", ExecuteRequest, ToolResult),
  destroy: defineRpc("corral.sandbox.*.destroy", DestroyRequest, SandboxRecord),
  handoff: defineRpc("corral.sandbox.*.handoff", HandoffRequest, SandboxRecord),
} as const;

export const SANDBOX_QUEUE = "sandbox-manager";
export const sandboxSubject = (sandboxId: string, verb: "exec" | "destroy" | "handoff") =>
  `corral.sandbox.${sandboxId}.${verb}`;
