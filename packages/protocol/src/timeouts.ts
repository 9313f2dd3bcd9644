/**
 * Every timeout that two services must agree on, with its margins, in one place. A caller always waits
 * longer than the callee it waits for, so an answer is never cut off by the caller's own timer.
 */
export const TIMEOUTS = {
  /** An RPC's default wait for an answer. */
  rpcMs: 10_000,
  /**
   * One JetStream call on a path that retries it (log appends, the leases, the session-store's records):
   * a call to a stream with no leader is not answered at all, so a short attempt tried again lands on the
   * new leader soon after an election instead of after a long timeout.
   */
  jsAttemptMs: 2_000,
  /** A built-in tool runs this long unless its input's `timeout_ms` says otherwise. */
  toolDefaultMs: 120_000,
  /** The sandbox-manager's wait beyond a tool's own timeout before it calls the sandbox unresponsive. */
  toolManagerMarginMs: 15_000,
  /** The harness's wait beyond the sandbox-manager's: the manager's own reply must get back first. */
  toolCallerMarginMs: 30_000,
  /** One ask for a tool's result; asked again (the ledger runs the tool once) until the tool's own wait is up. */
  execAttemptMs: 3_000,
  /** Starting a sandbox may build a container and wait for the egress proxy. */
  provisionMs: 120_000,
  /** One ask for a sandbox; asked again (provisioning is idempotent per owner) until `provisionMs` is up. */
  provisionAttemptMs: 5_000,
  /** MCP tools may run long; the harness waits this long for the credential-proxy's answer. */
  mcpCallMs: 10 * 60_000,
  /** Requests between the session-store and the sandbox-manager about sandboxes (list, handoff). */
  sandboxAdminMs: 5_000,
  /** How long the gateway collects the services' answers to a status ping (`GET /v1/corral/health`). */
  statusGatherMs: 300,
} as const;

/** How long a built-in tool with this input may run inside the sandbox. */
export function toolTimeoutMs(input: Record<string, unknown>): number {
  return typeof input.timeout_ms === "number" ? input.timeout_ms : TIMEOUTS.toolDefaultMs;
}

/** How long the sandbox-manager waits for a tool to answer. */
export const managerToolWaitMs = (input: Record<string, unknown>) =>
  toolTimeoutMs(input) + TIMEOUTS.toolManagerMarginMs;

/** How long the harness waits for the sandbox-manager's answer to a tool call. */
export const callerToolWaitMs = (input: Record<string, unknown>) =>
  toolTimeoutMs(input) + TIMEOUTS.toolCallerMarginMs;
