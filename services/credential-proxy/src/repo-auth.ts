import {
  openSealed,
  repositoryAuthPrefix,
  repositoryTokenSealContext,
  SESSION_RESOURCE_RPC,
  type SessionRecord,
  type SessionResourceTokens,
} from "@corral/protocol";
import type { Bus, RetryOptions } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { requestRetrying } from "./retry-policy.js";
import type { SealingKey } from "./sealing-key.js";
import type { Target } from "./egress-target.js";
import { canonicalHost } from "./host-header.js";

/** A session's repository: where it is (https, host, port, path prefix) and the token added there, if any. */
export interface RepositoryAuth {
  host: string;
  port: number;
  /** `/owner/repo.git/`: requests at or under it carry the token, none elsewhere. */
  pathPrefix: string;
  /** The header's value (null: a public repository); never logged, never answered, never in the sandbox. */
  authorization: string | null;
}

/** Git over HTTPS takes a token as Basic with any user name; `x-access-token` is what GitHub documents. */
const basic = (token: string) => `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;

type SealedToken = SessionResourceTokens["tokens"][number];

function placeOf(url: string): Omit<RepositoryAuth, "authorization"> {
  const prefix = new URL(repositoryAuthPrefix(url));
  return {
    host: canonicalHost(prefix.hostname.replace(/^\[|\]$/g, "")),
    port: prefix.port ? Number(prefix.port) : 443,
    pathPrefix: prefix.pathname,
  };
}

const opened = (key: SealingKey, repo: SealedToken) =>
  basic(openSealed(key.privateKeyPem, repositoryTokenSealContext(repo.url), repo.sealed_token));

/** What opening a session's tokens needs: the session-store to ask and this proxy's key. */
export interface RepositoryAuthDeps {
  bus: Bus;
  retry: RetryOptions;
  logger: Logger;
  sealing: () => Promise<SealingKey>;
}

async function sealedTokens(deps: RepositoryAuthDeps, session: SessionRecord): Promise<SealedToken[]> {
  const ref = { session_id: session.id };
  // Without them the sandbox's other egress still works; its clone fails as unauthorized (a tool error).
  return requestRetrying(deps.bus, SESSION_RESOURCE_RPC.tokens, ref, deps.retry).then(
    (answer) => answer.tokens,
    (err: unknown) => {
      deps.logger.warn({ session_id: session.id, err }, "repository tokens unavailable");
      return [];
    },
  );
}

/**
 * The session's repositories, each with its token (asked of the session-store only when the session has a
 * repository) opened with this proxy's key. A box that does not open (sealed to a key since replaced) is
 * left out with a warning naming the resource only: the clone then fails as unauthorized, a tool error.
 */
export async function repositoryAuths(
  deps: RepositoryAuthDeps,
  session: SessionRecord,
): Promise<RepositoryAuth[]> {
  const urls = session.resources.flatMap((r) => (r.type === "github_repository" ? [r.url] : []));
  if (urls.length === 0) return [];
  const authorization = new Map<string, string>();
  for (const repo of await sealedTokens(deps, session)) {
    try {
      authorization.set(repo.url, opened(await deps.sealing(), repo));
    } catch (err) {
      const reason = err instanceof Error ? err.message : "unknown";
      const log = { session_id: session.id, resource_id: repo.resource_id, reason };
      deps.logger.warn(log, "repository token does not open");
    }
  }
  return urls.map((url) => ({ ...placeOf(url), authorization: authorization.get(url) ?? null }));
}

// A path that could mean another place once normalised (dot segments, encoded dots or slashes, backslashes)
// never carries a token.
const AMBIGUOUS = /%2e|%2f|%5c|\\/i;

/** The session's repository that a request for `path` at `target` is under, or null. */
export function repositoryOf(
  repositories: readonly RepositoryAuth[],
  target: Pick<Target, "protocol" | "host" | "port">,
  path: string,
): RepositoryAuth | null {
  if (target.protocol !== "https:" || repositories.length === 0) return null;
  const pathname = path.split("?")[0] ?? "";
  if (AMBIGUOUS.test(pathname) || pathname.split("/").some((s) => s === "." || s === "..")) return null;
  const host = canonicalHost(target.host);
  const match = repositories.find(
    (r) => r.host === host && r.port === target.port && pathname.startsWith(r.pathPrefix),
  );
  return match ?? null;
}

/** The `Authorization` to add to a request for `path` at `target`, or null when it is no repository's. */
export const repositoryAuthorization = (
  repositories: readonly RepositoryAuth[],
  target: Pick<Target, "protocol" | "host" | "port">,
  path: string,
) => repositoryOf(repositories, target, path)?.authorization ?? null;

/** Whether a tunnel to `target` is opened (some repository of the session lives there: a token or a policy to apply). */
export const repositoryHostIntercepted = (
  repositories: readonly RepositoryAuth[],
  target: Pick<Target, "host" | "port">,
) => repositories.some((r) => r.host === canonicalHost(target.host) && r.port === target.port);
