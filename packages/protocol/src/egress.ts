import { z } from "zod";
import {} from "./primitives.js";
import { SandboxId, SessionId } from "./ids.js";
import { RepositoryClone } from "./repository-resource.js";

export const EgressConfigRequest = z.object({
  sandbox_id: SandboxId,
  /** Omitted for a warm-pool container, which has no session yet (and so no placeholders). */
  session_id: SessionId.optional(),
});
export type EgressConfigRequest = z.infer<typeof EgressConfigRequest>;

export const EgressConfig = z.object({
  /** The sandbox's proxy credential: `http://<sandbox_id>:<token>@<host>:<port>`. Useless to any other sandbox. */
  token: z.string(),
  /** The proxy's port on the sandbox network's gateway. */
  port: z.number().int().min(1).max(65535),
  /** PEM of the deployment's egress CA certificate (its key never leaves the proxy). */
  ca_pem: z.string(),
  /** `environment_variable` credentials as placeholders: name → `corral_ph_…`, never the secret. */
  env: z.record(z.string(), z.string()),
  /** The session's repositories to clone into the sandbox through the proxy (their tokens stay with it). */
  repositories: z.array(RepositoryClone).max(64).optional(),
});
export type EgressConfig = z.infer<typeof EgressConfig>;

export const PLACEHOLDER_PREFIX = "corral_ph_";
