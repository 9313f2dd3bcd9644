import { randomBytes } from "node:crypto";
import { connectBus } from "@corral/bus";
import { stopThenClose, testLogger } from "@corral/testing";
import { createCredentialProxy, type CredentialProxy } from "./credential-proxy.js";
import { DEFAULT_RETRY_MS, type ProxyConfig } from "./config.js";

export const testProxyConfig = (over: Partial<ProxyConfig> = {}): ProxyConfig => ({
  vault: null,
  masterKey: randomBytes(32).toString("base64"),
  masterKeyFile: "/nonexistent",
  egressHost: "0.0.0.0",
  egressPort: 0,
  upstreamCaFile: undefined,
  retryMs: DEFAULT_RETRY_MS,
  ...over,
});

/** A credential-proxy in this process on its own NATS connection. */
export async function startCredentialProxy(
  natsUrl: string,
  over: Partial<ProxyConfig> = {},
): Promise<{ proxy: CredentialProxy; config: ProxyConfig; close(): Promise<void> }> {
  const bus = await connectBus({ servers: natsUrl, name: "credential-proxy" });
  const config = testProxyConfig(over);
  const proxy = createCredentialProxy({
    bus,
    logger: testLogger("credential-proxy"),
    config,
  });
  await proxy.start();
  return { proxy, config, close: stopThenClose(proxy, bus) };
}
