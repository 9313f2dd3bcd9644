/** Every NATS name Corral uses, in one place: general → specific, the id last. */
export const STREAMS = {
  sessions: "CORRAL_SESSIONS",
  wake: "CORRAL_WAKE",
  tasks: "CORRAL_TASKS",
} as const;

export const BUCKETS = {
  sessions: "corral_sessions",
  agents: "corral_agents",
  environments: "corral_environments",
  logIndex: "corral_log_index",
  tasks: "corral_tasks",
  leases: "corral_leases",
  sandboxes: "corral_sandboxes",
  toolLedger: "corral_tool_ledger",
  /** The credential-proxy's once-only record of MCP calls (its own: each bucket has one writer). */
  mcpLedger: "corral_mcp_ledger",
  vault: "corral_vault",
  apiKeys: "corral_api_keys",
  secrets: "corral_secrets",
  threads: "corral_threads",
  /** Uploaded files' records (`FileRecord`); the gateway owns it, beside the object store of their bytes. */
  files: "corral_files_meta",
  /** Memory store records (`MemoryStoreRecord`), the session-store's. */
  memoryStores: "corral_memory_stores",
  /** Per store: `<memstore_id>.idx` (its memories) and `<memstore_id>.v.<seq>` (its versions), the session-store's. */
  memories: "corral_memories",
} as const;

/** JetStream object stores (streams `OBJ_<name>`); each has one writer, like a bucket. */
export const OBJECT_STORES = {
  /** Uploaded files' bytes, one object per file id: written by the gateway, readable by a grant. */
  files: "corral_files",
  /** Agents' outputs (/mnt/session/outputs), staged by the sandbox-manager until the gateway adopts them. */
  sessionOutputs: "corral_session_outputs",
} as const;

export const SUBJECTS = {
  log: (sessionId: string) => `corral.log.${sessionId}`,
  logAll: "corral.log.*",
  /** Headers of every stored log message, republished by the stream after storing it (never a rejected append). */
  logged: (sessionId: string) => `corral.logged.${sessionId}`,
  loggedAll: "corral.logged.*",
  wake: (sessionId: string) => `corral.wake.${sessionId}`,
  wakeAll: "corral.wake.*",
  delta: (sessionId: string) => `corral.delta.${sessionId}`,
  tasksSubmit: "corral.tasks.submit",
  rpc: (service: string, verb: string) => `corral.api.${service}.${verb}`,
  sandboxExec: (sandboxId: string) => `corral.sandbox.${sandboxId}.exec`,
  /**
   * A host's sandbox-manager tells the credential-proxy beside it the trace a sandbox's tool run is part of
   * (core NATS, only while tracing is on), so the egress that run causes joins the trace.
   */
  execTrace: (hostId: string) => `corral.trace.exec.${hostId}`,
  /**
   * Every service process answers (no queue group) with its name and a few figures of its own (sessions it
   * runs, wakes pending, its sandbox pool): the gateway's `GET /v1/corral/health` gathers the answers.
   */
  statusPing: "corral.status.ping",
} as const;

export const WAKE_CONSUMER = "harness";
export const TASKS_CONSUMER = "session-store";
/** The session-store's durable consumer of every log (its projector), shared by its replicas. */
export const PROJECTOR_CONSUMER = "session-store-projector";

/** JetStream's default max payload; appends above it are refused before they reach the server. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
