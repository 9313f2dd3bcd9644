import type { NetworkingConfig, SandboxId, SandboxRecord, SessionId } from "@corral/protocol";
import type { Bucket, Bus, RetryOptions } from "@corral/bus";
import type { Context } from "@corral/tracing";
import type { Logger } from "@corral/logger";
import type { VaultStore } from "./vault-store.js";
import type { EgressKeys } from "./proxy-keys.js";
import type { LeafCertificate } from "./ca.js";
import type { ResolvedCredential } from "./credential-resolution.js";
import type { AddressAllowList } from "./egress-address.js";
import type { Scrubber } from "./response-scrub.js";
import type { RepositoryAuth } from "./repo-auth.js";
import type { SealingKey } from "./sealing-key.js";

/** What the proxy knows about the sandbox behind a request: its session's rules and credentials. */
export interface SandboxContext {
  sandboxId: SandboxId;
  sessionId: SessionId;
  networking: NetworkingConfig | undefined;
  /** Placeholder → the credential it stands for (environment_variable credentials only). */
  placeholders: Map<string, ResolvedCredential>;
  /** Replaces the session's secrets (in every common encoding) with their placeholders in answers. */
  scrubber: Scrubber | null;
  /** The session's repositories with a token: added as `Authorization` under their URL alone. */
  repositories: RepositoryAuth[];
}

/** What every egress verb may use; one object, made once when the proxy starts. */
export interface EgressDeps {
  bus: Bus;
  logger: Logger;
  store: VaultStore;
  /** How long NATS and the session-store are waited for while a sandbox's request waits. */
  retry: RetryOptions;
  keys: EgressKeys;
  /** The sandbox-manager's records, read only: which session a sandbox serves. */
  sandboxes: Pick<Bucket<SandboxRecord>, "get">;
  /** Sandbox contexts briefly cached, so a burst of requests reads the session once. */
  contexts: Map<SandboxId, { at: number; value: Promise<SandboxContext> }>;
  /** How long an upstream may stay silent before the request fails (`EGRESS_UPSTREAM_IDLE_MS`). */
  upstreamIdleMs: number;
  /** Non-public addresses the operator lets sandboxes reach (`EGRESS_ALLOW_ADDRESSES`). */
  allow: AddressAllowList;
  /** A certificate for a host under the deployment's CA, for intercepted tunnels. */
  issue: (host: string) => Promise<LeafCertificate>;
  /** Trusted roots for upstream TLS: Node's bundled ones and any configured extra. */
  upstreamCa: string[];
  /** The trace of the tool each sandbox runs now, as its host's sandbox-manager announced it. */
  traces: Map<string, Context>;
  /** The key repository tokens are sealed to. */
  sealing: () => Promise<SealingKey>;
}
