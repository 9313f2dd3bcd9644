import { z } from "zod";
import { hostToken, type LogId } from "@corral/protocol";

/**
 * The key spaces of `corral_sandboxes`, which only the sandbox-manager writes: `<sandbox_id>` (a sandbox
 * record; `list` reads the one-token keys), `ws.<owner>` (a workspace volume), `vol.<volume>` (the one
 * owner a volume is reserved for), `egress.proxy`, `host.<host>` and `place.<owner>`.
 */
export const VolumeName = z.string().min(1);
export type VolumeName = z.infer<typeof VolumeName>;
export const workspaceKey = (owner: LogId) => `ws.${owner}`;
export const volumeKey = (volume: string) => `vol.${volume}`;

/** Written once a credential-proxy has answered in this deployment. */
export const ProxySeen = z.object({ seen_at: z.string() });
export type ProxySeen = z.infer<typeof ProxySeen>;
export const PROXY_SEEN_KEY = "egress.proxy";

/** `host.<host>`: each manager's heartbeat and room, read by the managers that place provisions. */
export const HostPresence = z.object({
  host: z.string(),
  seen_at: z.string(),
  max: z.number().int(),
  used: z.number().int(),
  /** `SANDBOX_WORKSPACE_ROOT`: hosts with the same shared root can take over each other's workspaces. */
  workspace_root: z.string().nullable().default(null),
});
export type HostPresence = z.infer<typeof HostPresence>;
export const presenceKey = (hostId: string) => `host.${hostToken(hostId)}`;
export const PRESENCE_KEYS = "host.*";

/** `place.<owner>`: the host an owner's sandboxes go to (its workspace volume is there). */
export const Placement = z.object({ host: z.string(), placed_at: z.string() });
export type Placement = z.infer<typeof Placement>;
export const placementKey = (owner: LogId) => `place.${owner}`;
