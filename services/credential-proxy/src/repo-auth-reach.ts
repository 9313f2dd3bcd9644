import type { NetworkingConfig } from "@corral/protocol";
import type { SandboxContext } from "./egress-context.js";
import { egressAllowed } from "./egress-policy.js";
import type { Target } from "./egress-target.js";
import { Refusal } from "./refusal.js";
import { repositoryHostIntercepted, repositoryOf } from "./repo-auth.js";

// A session's repositories are reachable whatever the environment's networking, as the API mounts them
// whatever it allows; but only they: on a host the environment does not allow, the tunnel is opened (the
// address rules still apply) and every request in it must be under one of the repositories' URLs.
const UNRESTRICTED: NetworkingConfig = { type: "unrestricted" };

/** The networking a CONNECT to `host:port` is judged by: the environment's, unless a repository lives there. */
export const connectNetworking = (sandbox: SandboxContext, host: string, port: number) =>
  repositoryHostIntercepted(sandbox.repositories, { host, port }) ? UNRESTRICTED : sandbox.networking;

/** Throws a 403 `Refusal` for a request the environment refuses by name and no repository's URL covers. */
export function refuseOutsideRepositories(sandbox: SandboxContext, target: Target, path: string): void {
  const byName = egressAllowed(sandbox.networking, target.host, target.port);
  if (byName.ok || repositoryOf(sandbox.repositories, target, path)) return;
  throw new Refusal(403, `${byName.reason}; only the session's repositories are reachable there`);
}
