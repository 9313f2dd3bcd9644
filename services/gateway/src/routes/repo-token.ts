import {
  sealRepositoryToken,
  VAULT_RPC,
  type GitHubRepositoryResourceParams,
  type GitHubRepositoryResourceSealedParams,
  type SealedBox,
  type SealingPublicKey,
} from "@corral/protocol";
import type { Call } from "./route.js";

// A repository's authorization_token is sealed here, the moment it arrives, to the credential-proxy's key
// and bound to the repository URL: the session-store keeps only the box, and only the proxy opens it.
// The box is opened only later (at a clone), so a key the proxy has since replaced would go unnoticed here:
// the key is asked again after a minute rather than kept for the gateway's life.
const KEY_TTL_MS = 60_000;
let cached: { at: number; key: Promise<SealingPublicKey> } | null = null;

function proxyKey(call: Call): Promise<SealingPublicKey> {
  if (!cached || Date.now() - cached.at > KEY_TTL_MS) {
    const key = call(VAULT_RPC.publicKey, {}, { idempotent: true });
    const entry = { at: Date.now(), key };
    cached = entry;
    key.catch(() => {
      if (cached === entry) cached = null;
    });
  }
  return cached.key;
}

/** `token` sealed for the repository at `url`; the clear token goes no further than this call. */
export async function sealRepositoryTokenFor(call: Call, url: string, token: string): Promise<SealedBox> {
  return sealRepositoryToken(await proxyKey(call), url, token);
}

type WithRepository = { type: string } | GitHubRepositoryResourceParams;
type Sealed<T> = T extends GitHubRepositoryResourceParams ? GitHubRepositoryResourceSealedParams : T;

const isRepository = (r: WithRepository): r is GitHubRepositoryResourceParams =>
  r.type === "github_repository";

async function sealOne<T extends WithRepository>(call: Call, resource: T): Promise<Sealed<T>> {
  if (!isRepository(resource)) return resource as Sealed<T>;
  const { authorization_token: token, ...rest } = resource;
  if (token === undefined) return rest as Sealed<T>;
  const sealed = await sealRepositoryTokenFor(call, rest.url, token);
  return { ...rest, authorization_token_sealed: sealed } as Sealed<T>;
}

/**
 * Resources as they go on the bus: each `github_repository`'s token replaced by its sealed box, every other
 * kind unchanged. Called on sessions.create (`resources[]`) and sessions.resources.add.
 */
export async function sealResourceTokens<T extends WithRepository>(
  call: Call,
  resources: readonly T[] | undefined,
): Promise<Sealed<T>[] | undefined> {
  if (!resources) return undefined;
  return Promise.all(resources.map((r) => sealOne(call, r)));
}
