import { z } from "zod";
import { McpCallResult, type LogId, type SessionId, type ThreadId } from "@corral/protocol";
import type { Bucket, Bus, RetryOptions } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { VaultStore } from "./vault-store.js";
import type { ResolvedCredential } from "./credential-resolution.js";
import type { AddressAllowList } from "./egress-address.js";

/** Who calls: a session, or one of its sub-agent threads (whose log records the credential's use). */
export interface McpCaller {
  sessionId: SessionId;
  threadId?: ThreadId | undefined;
}

/** One MCP call in progress: the server it goes to and the credential it carries (refreshed in place). */
export interface McpCall {
  serverName: string;
  url: string;
  /** Where the credential's use is recorded: the thread's log for a thread, else the session's. */
  logId: LogId;
  credential: ResolvedCredential | null;
}

/** A `call_tool` ledger entry (`mcp.<tool_use_id>`): made before the call, its result after. */
export const McpLedgerEntry = z.discriminatedUnion("state", [
  z.object({ state: z.literal("started") }),
  z.object({ state: z.literal("done"), result: McpCallResult }),
]);
export type McpLedgerEntry = z.infer<typeof McpLedgerEntry>;

export interface McpDeps {
  bus: Bus;
  logger: Logger;
  store: VaultStore;
  retry: RetryOptions;
  ledger: Bucket<McpLedgerEntry>;
  /** Non-public addresses MCP servers may have (the operator's `EGRESS_ALLOW_ADDRESSES`). */
  allow: AddressAllowList;
}
