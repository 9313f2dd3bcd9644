import { z } from "zod";
import { SealedBox, sealTo, type SealingPublicKey } from "./sealed-box.js";
import { Timestamp } from "./primitives.js";

// A `github_repository` session resource: any git repository over HTTPS, cloned inside the session's
// sandbox through its egress proxy. Its `authorization_token` never rests in clear: the gateway seals it
// to the credential-proxy's key (bound to the repository URL), the session-store keeps only the box, and
// the proxy alone opens it to add `Authorization` on requests under that URL.

const MAX_URL_CHARS = 2048;
const MAX_TOKEN_CHARS = 4096;
const MAX_MOUNT_PATH_CHARS = 1024;
/** The sandbox's root is read-only; the workspace volume is where a clone can live and persist. */
export const REPOSITORY_MOUNT_ROOT = "/workspace";

const hasControl = (s: string, spaceToo: boolean) =>
  [...s].some((c) => c.charCodeAt(0) < (spaceToo ? 0x21 : 0x20) || c.charCodeAt(0) === 0x7f);

function repositoryUrlProblem(raw: string): string | null {
  if (hasControl(raw, true)) return "must not contain spaces or control characters";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "https:") return "must be an https:// URL";
  if (url.username || url.password) return "must not carry credentials (send authorization_token instead)";
  if (url.search || url.hash || raw.includes("?") || raw.includes("#"))
    return "must not have a query or a fragment";
  if (repositoryName(url.pathname) === "") return "must name a repository (a path such as /owner/repo.git)";
  return null;
}

/** A git repository's URL: https, no user info, no query; what the proxy's `Authorization` is scoped to. */
export const RepositoryUrl = z
  .string()
  .max(MAX_URL_CHARS)
  .superRefine((raw, ctx) => {
    const problem = repositoryUrlProblem(raw);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A token for the repository's host; header-safe printable ASCII, bounded. */
export const RepositoryToken = z
  .string()
  .min(1)
  .max(MAX_TOKEN_CHARS)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** A branch name as git accepts it, and never one git could read as an option. */
export const BranchName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._/+-]+$/, "letters, digits and . _ / + - only")
  .refine(
    (name) =>
      !name.startsWith("-") &&
      !name.startsWith("/") &&
      !name.endsWith("/") &&
      !name.endsWith(".") &&
      !name.endsWith(".lock") &&
      !name.includes("..") &&
      !name.includes("//") &&
      !name.split("/").some((part) => part.startsWith(".")),
    "must be a valid git branch name",
  );

export const RepositoryCheckout = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("branch"), name: BranchName }),
  z.strictObject({
    type: z.literal("commit"),
    sha: z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, "must be a full commit SHA in lowercase hex"),
  }),
]);
export type RepositoryCheckout = z.infer<typeof RepositoryCheckout>;

/** Where a repository is cloned: absolute, under /workspace, no `.`/`..` segments, no NUL, bounded. */
export const RepositoryMountPath = z
  .string()
  .min(1)
  .max(MAX_MOUNT_PATH_CHARS)
  .refine((p) => !p.includes("\0"), "must not contain NUL")
  .refine((p) => p.startsWith("/"), "must be an absolute path")
  .refine(
    (p) => !p.split("/").some((part) => part === ".." || part === "."),
    "must not contain . or .. segments",
  )
  .refine(
    (p) => p.startsWith(`${REPOSITORY_MOUNT_ROOT}/`) && !p.endsWith("/") && !p.includes("//"),
    `must be a path under ${REPOSITORY_MOUNT_ROOT}/ (the sandbox's only writable, persistent place)`,
  )
  .refine((p) => !hasControl(p, false), "must not contain control characters");

/** `resources[]` entry / `sessions.resources.add` body for a repository, as the SDK sends it. */
export const GitHubRepositoryResourceParams = z.strictObject({
  type: z.literal("github_repository"),
  url: RepositoryUrl,
  authorization_token: RepositoryToken.optional(),
  checkout: RepositoryCheckout.nullish(),
  mount_path: RepositoryMountPath.nullish(),
});
export type GitHubRepositoryResourceParams = z.infer<typeof GitHubRepositoryResourceParams>;

/** The same, as it travels on the bus to the session-store: the token sealed, never clear. */
export const GitHubRepositoryResourceSealedParams = GitHubRepositoryResourceParams.omit({
  authorization_token: true,
}).extend({ authorization_token_sealed: SealedBox.optional() });
export type GitHubRepositoryResourceSealedParams = z.infer<typeof GitHubRepositoryResourceSealedParams>;

// The id's prefix is the resource union's to choose (session-resources.ts); any id of ours fits here.
const ResourceId = z.string().regex(/^[a-z]{2,16}_[0-9A-Za-z]{1,64}$/, "must be a session resource id");

/** The resource as the API returns it (the SDK's BetaManagedAgentsGitHubRepositoryResource): no token. */
export const GitHubRepositoryResource = z.object({
  id: ResourceId,
  type: z.literal("github_repository"),
  url: RepositoryUrl,
  mount_path: RepositoryMountPath,
  checkout: RepositoryCheckout.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type GitHubRepositoryResource = z.infer<typeof GitHubRepositoryResource>;

/** The last path segment without `.git`, made safe as a directory name ("" when there is none). */
export function repositoryName(pathname: string): string {
  const last = pathname.split("/").filter(Boolean).pop() ?? "";
  const name = last.replace(/\.git$/, "").replace(/[^A-Za-z0-9._-]/g, "_");
  return name === "." || name === ".." ? "" : name.slice(0, 200);
}

/** `mount_path` when the client sent none: `/workspace/<repo>`. */
export const defaultRepositoryMountPath = (url: string) =>
  `${REPOSITORY_MOUNT_ROOT}/${repositoryName(new URL(url).pathname)}`;

/** What a repository token's box is bound to: it opens for this URL alone. */
export const repositoryTokenSealContext = (url: string) => `corral.repository.token\0${url}`;

/** Seals a repository token to the credential-proxy's key for `url`. */
export const sealRepositoryToken = (key: SealingPublicKey, url: string, token: string): SealedBox =>
  sealTo(key, repositoryTokenSealContext(url), token);

/** The URL prefix the proxy adds `Authorization` under: the repository URL and everything below it. */
export function repositoryAuthPrefix(url: string): string {
  return url.replace(/\/+$/, "") + "/";
}

/** A repository the sandbox-manager clones into a new sandbox: where from, what, where to; never a token. */
export const RepositoryClone = z.object({
  url: RepositoryUrl,
  checkout: RepositoryCheckout.nullable(),
  mount_path: RepositoryMountPath,
});
export type RepositoryClone = z.infer<typeof RepositoryClone>;

const RepositoryEntry = z.object({
  type: z.literal("github_repository"),
  url: RepositoryUrl,
  checkout: RepositoryCheckout.nullish(),
  mount_path: RepositoryMountPath.nullish(),
});

/** The repositories among a session's resources, as they are to be cloned (at most 64). */
export function repositoriesToClone(resources: readonly unknown[]): RepositoryClone[] {
  const out: RepositoryClone[] = [];
  for (const resource of resources) {
    const repo = RepositoryEntry.safeParse(resource);
    if (!repo.success) continue;
    const { url, checkout, mount_path } = repo.data;
    out.push({ url, checkout: checkout ?? null, mount_path: mount_path ?? defaultRepositoryMountPath(url) });
  }
  return out.slice(0, 64);
}
