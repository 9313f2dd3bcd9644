import type { Bucket, Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { SandboxRecord } from "@corral/protocol";
import type { ManagerConfig } from "./config.js";
import type { Ledger } from "./ledger.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";
import type { Sandboxes } from "./sandboxes.js";
import type { WarmPool } from "./warm-pool.js";
import type { HostPresence, Placement, ProxySeen, VolumeName } from "./bucket-keys.js";

export interface ManagerDeps {
  bus: Bus;
  runtime: SandboxRuntime;
  logger: Logger;
  config: ManagerConfig;
}

/** Whether this deployment has a credential-proxy: once one answered, one not answering is restarting. */
export interface EgressState {
  proxyKnown: boolean;
  /** Where that is remembered, so a restarted manager waits for a restarting proxy too. */
  marker: Bucket<ProxySeen>;
}

/** What the egress lookup and the warm pool need: the deps, the egress state, the manager's lifetime. */
export interface ManagerBase extends ManagerDeps {
  egress: EgressState;
  /** Aborted when the manager stops: waits and retries end with it. */
  signal: AbortSignal;
}

/** Everything one running manager holds; every verb takes it. */
export interface ManagerContext extends ManagerBase {
  sandboxes: Sandboxes;
  /** `corral_sandboxes`, the `<sandbox_id>` keys: one record per sandbox. */
  records: Bucket<SandboxRecord>;
  /** `corral_sandboxes`, the `ws.<owner>` keys: the workspace volume each session or thread owns. */
  workspaces: Bucket<VolumeName>;
  ledger: Ledger;
  pool: WarmPool;
  /** `corral_sandboxes`, the `host.<host>` keys: every manager's heartbeat and room. */
  presence: Bucket<HostPresence>;
  /** `corral_sandboxes`, the `place.<owner>` keys: the host each owner's sandboxes go to. */
  placements: Bucket<Placement>;
}
