import type { RepositoryClone, SandboxRecord, ToolResult } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import type { OwnedSandbox } from "./sandboxes.js";

/** One repository's clone may take this long; the first tool call waits for it (see README). */
export const REPO_CLONE_TIMEOUT_MS = 100_000;
const MAX_ERROR_CHARS = 2000;

// Runs inside the sandbox as its user, through its egress proxy (HTTPS_PROXY is in the container's
// environment); the token is added by the proxy, so nothing here or in the sandbox ever holds it. Every
// value is an argument, never spliced into the script. A repository already there (a sandbox re-provisioned
// on the same workspace) is left as the agent left it.
const SCRIPT = `set -eu
export GIT_TERMINAL_PROMPT=0
url="$1"; dest="$2"; kind="$3"; ref="$4"
command -v git >/dev/null 2>&1 || { echo "git is not installed in the sandbox image" >&2; exit 127; }
if [ -e "$dest/.git" ]; then exit 0; fi
if [ -e "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
  echo "$dest exists and is not an empty directory" >&2; exit 3
fi
mkdir -p "$(dirname "$dest")"
# Cloned beside its place and moved in whole: a clone cut short never looks like a repository there.
tmp="$dest.corral-clone"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
case "$kind" in
  branch) git clone --quiet --branch "$ref" -- "$url" "$tmp" ;;
  commit)
    git clone --quiet --no-checkout -- "$url" "$tmp"
    git -C "$tmp" cat-file -e "$ref^{commit}" 2>/dev/null || git -C "$tmp" fetch --quiet origin "$ref"
    git -C "$tmp" checkout --quiet --detach "$ref" ;;
  *) git clone --quiet -- "$url" "$tmp" ;;
esac
if [ -d "$dest" ]; then rmdir "$dest"; fi
mv "$tmp" "$dest"
`;

function argsOf(repo: RepositoryClone): string[] {
  const kind = repo.checkout?.type ?? "default";
  const ref = repo.checkout?.type === "branch" ? repo.checkout.name : (repo.checkout?.sha ?? "");
  return ["sh", "-c", SCRIPT, "corral-clone", repo.url, repo.mount_path, kind, ref];
}

/** Null when the repository is in place; otherwise what went wrong, for the model to read. */
async function cloneOne(
  ctx: ManagerContext,
  containerId: string,
  repo: RepositoryClone,
): Promise<string | null> {
  try {
    const result = await ctx.runtime.exec(containerId, argsOf(repo), null, REPO_CLONE_TIMEOUT_MS);
    if (result.code === 0) return null;
    const detail = (result.stderr || result.stdout).trim().slice(-MAX_ERROR_CHARS);
    return `${repo.url} could not be cloned into ${repo.mount_path} (exit ${result.code}): ${detail}`;
  } catch (err) {
    const reason = err instanceof Error ? err.message : "unknown";
    return `${repo.url} could not be cloned into ${repo.mount_path}: ${reason}`;
  }
}

/** Clones the session's repositories into the sandbox; resolves with the failures (never rejects). */
async function cloneAll(ctx: ManagerContext, record: SandboxRecord, repos: readonly RepositoryClone[]) {
  const failures = (await Promise.all(repos.map((r) => cloneOne(ctx, record.container_id, r)))).filter(
    (f): f is string => f !== null,
  );
  const log = { sandbox_id: record.id, session_id: record.session_id, repositories: repos.length };
  if (failures.length) ctx.logger.warn({ ...log, failed: failures.length }, "repository clone failed");
  else ctx.logger.info(log, "repositories cloned");
  return failures;
}

/**
 * Starts the clones of a sandbox just provisioned, without waiting for them: provisioning (and so the
 * session's first model request) is never delayed by a clone. The sandbox's first tool run waits for them.
 */
export function startRepositoryClones(
  ctx: ManagerContext,
  record: SandboxRecord,
  repos: readonly RepositoryClone[] | undefined,
): void {
  const entry = ctx.sandboxes.byId.get(record.id);
  if (!entry || !repos?.length) return;
  entry.repositories = cloneAll(ctx, record, repos);
}

/**
 * Runs a tool once the sandbox's clones are done. A clone that failed is told to the model with the first
 * result after it (an error result, the tool's own output below), once; the session goes on.
 */
export async function afterRepositories(
  entry: OwnedSandbox,
  run: () => Promise<ToolResult>,
): Promise<ToolResult> {
  const pending = entry.repositories;
  if (!pending) return run();
  const failures = await pending;
  if (entry.repositories === pending) entry.repositories = undefined;
  const result = await run();
  if (failures.length === 0) return result;
  const told = failures.map((f) => `Repository not available: ${f}`).join("\n");
  return { content: `${told}\n\n${result.content}`, is_error: true };
}
