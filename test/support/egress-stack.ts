import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { SANDBOX_RPC, VAULT_RPC } from "@corral/protocol";
import { request } from "@corral/bus";
import { freePort, untilAnswers, type TestSystem } from "@corral/testing";
import { RUN_LABEL } from "@corral/sandbox-manager/testing";

/**
 * The services a sandbox's egress needs, as processes: the session-store, the credential-proxy (trusting
 * the upstream CA in `dir/upstream-ca.pem`, with `proxyEnv` on top, e.g. the operator's
 * EGRESS_ALLOW_ADDRESSES) and a sandbox-manager on the test network. Resolves once all answer.
 */
export async function startEgressStack(
  system: TestSystem,
  dir: string,
  proxyEnv: Record<string, string>,
  common: Record<string, string> = {},
): Promise<void> {
  // The manager and the proxy of one host share its id: the egress config is asked of that host's proxy.
  const host = `host-${randomBytes(3).toString("hex")}`;
  system.spawn("session-store", { ...common, CORRAL_TASK_INTAKE: "0" });
  system.spawn("credential-proxy", {
    ...common,
    CORRAL_HOST_ID: host,
    EGRESS_PORT: String(await freePort()),
    EGRESS_UPSTREAM_CA_FILE: join(dir, "upstream-ca.pem"),
    CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
    ...proxyEnv,
  });
  system.spawn("sandbox-manager", {
    ...common,
    CORRAL_HOST_ID: host,
    SANDBOX_NETWORK: "corral-sandboxes-test",
    SANDBOX_WARM_POOL: "0",
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
    SANDBOX_STATE_DIR: join(dir, "manager"),
  });
  const bus = system.bus;
  await untilAnswers(() => request(bus, VAULT_RPC.vaultsList, {}, { timeoutMs: 1000 }));
  await untilAnswers(() => request(bus, SANDBOX_RPC.list, { session_id: "sesn_x" }, { timeoutMs: 1000 }));
}
