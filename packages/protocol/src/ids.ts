import { randomBytes } from "node:crypto";
import { z } from "zod";

export const ID_PREFIXES = {
  agent: "agent",
  environment: "env",
  session: "sesn",
  event: "sevt",
  thread: "sthr",
  vault: "vlt",
  credential: "vcrd",
  sandbox: "sbx",
  task: "task",
  apiKey: "ckey",
  outcome: "outc",
  file: "file",
  memoryStore: "memstore",
  memory: "mem",
  memoryVersion: "memver",
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

/** An id of one kind: its prefix, an underscore and an alphanumeric body (`sesn_01J…`). */
export type Id<K extends IdKind> = `${(typeof ID_PREFIXES)[K]}_${string}`;

export type AgentId = Id<"agent">;
export type EnvironmentId = Id<"environment">;
export type SessionId = Id<"session">;
export type EventId = Id<"event">;
/** A sub-agent thread of a session; it has a log of its own. */
export type ThreadId = Id<"thread">;
export type VaultId = Id<"vault">;
export type CredentialId = Id<"credential">;
export type SandboxId = Id<"sandbox">;
export type TaskId = Id<"task">;
export type ApiKeyId = Id<"apiKey">;
export type OutcomeId = Id<"outcome">;
/** An uploaded file (its bytes in the `corral_files` object store). */
export type FileId = Id<"file">;
export type MemoryStoreId = Id<"memoryStore">;
export type MemoryId = Id<"memory">;
export type MemoryVersionId = Id<"memoryVersion">;
/** A log: a session's (its primary thread) or a sub-agent thread's. Runs, leases and wakes are per log. */
export type LogId = SessionId | ThreadId;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

/** A time-ordered id (ULID layout, Crockford base32) with the API's prefix, e.g. `sesn_01J…`. */
export function newId<K extends IdKind>(kind: K): Id<K> {
  return `${ID_PREFIXES[kind]}_${encodeTime(Date.now())}${encodeRandom(16)}`;
}

/**
 * Ids become NATS subject tokens and KV keys, so only [A-Za-z0-9_-] is ever accepted. This is the one
 * shape every id of ours has; `isId` and the schemas below add the kind's prefix.
 */
export const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{1,64}$/;

export function isId<K extends IdKind>(kind: K, value: string): value is Id<K> {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}

export function isLogId(value: string): value is LogId {
  return isId("session", value) || isId("thread", value);
}

/** The one validation of an id of `kind`; its type is the kind's id type. */
function idSchema<K extends IdKind>(kind: K): z.ZodType<Id<K>, string> {
  const prefix = ID_PREFIXES[kind];
  return z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,64}$`), `must be an id starting with ${prefix}_`) as never;
}

export const AgentId = idSchema("agent");
export const EnvironmentId = idSchema("environment");
export const SessionId = idSchema("session");
export const EventId = idSchema("event");
export const ThreadId = idSchema("thread");
export const VaultId = idSchema("vault");
export const CredentialId = idSchema("credential");
export const SandboxId = idSchema("sandbox");
export const TaskId = idSchema("task");
export const ApiKeyId = idSchema("apiKey");
export const OutcomeId = idSchema("outcome");
export const FileId = idSchema("file");
export const MemoryStoreId = idSchema("memoryStore");
export const MemoryId = idSchema("memory");
export const MemoryVersionId = idSchema("memoryVersion");
export const LogId: z.ZodType<LogId, string> = z
  .string()
  .regex(/^(sesn|sthr)_[0-9A-Za-z]{1,64}$/, "must be a session or thread id") as never;
