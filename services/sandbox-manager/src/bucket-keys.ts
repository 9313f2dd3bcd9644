import { z } from "zod";
import type { LogId } from "@corral/protocol";

/**
 * The key spaces of `corral_sandboxes`, which only the sandbox-manager writes: `<sandbox_id>` (a sandbox
 * record; `list` reads the one-token keys), `ws.<owner>` (a workspace volume), `vol.<volume>` (the one
 * owner a volume is reserved for) and `egress.proxy`.
 */
export const VolumeName = z.string().min(1);
export type VolumeName = z.infer<typeof VolumeName>;
export const workspaceKey = (owner: LogId) => `ws.${owner}`;
export const volumeKey = (volume: string) => `vol.${volume}`;

/** Written once a credential-proxy has answered in this deployment. */
export const ProxySeen = z.object({ seen_at: z.string() });
export type ProxySeen = z.infer<typeof ProxySeen>;
export const PROXY_SEEN_KEY = "egress.proxy";
