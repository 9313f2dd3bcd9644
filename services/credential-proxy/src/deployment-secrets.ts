import { randomBytes } from "node:crypto";
import type { SecretStore } from "./secret-store.js";
import { createCertificateAuthority, type CertificateAuthority } from "./ca.js";

const DEPLOYMENT_REF = "_corral/egress";

/** The deployment's egress secret (proxy tokens, placeholders) and the CA its sandboxes trust. */
export interface DeploymentSecrets {
  key: Buffer;
  ca: CertificateAuthority;
}

/**
 * Made by the first replica and shared by all through the secret store. Stored only if absent, then read
 * back: two replicas racing at first start both use the one that was stored first.
 */
export async function deploymentSecrets(secrets: SecretStore): Promise<DeploymentSecrets> {
  let stored = await secrets.get(DEPLOYMENT_REF);
  if (!stored?.key || !stored.ca_cert || !stored.ca_key) {
    const ca = await createCertificateAuthority();
    await secrets.create(DEPLOYMENT_REF, {
      key: randomBytes(32).toString("base64"),
      ca_cert: ca.certPem,
      ca_key: ca.keyPem,
    });
    stored = await secrets.get(DEPLOYMENT_REF);
  }
  return {
    key: Buffer.from(stored!.key!, "base64"),
    ca: { certPem: stored!.ca_cert!, keyPem: stored!.ca_key! },
  };
}
