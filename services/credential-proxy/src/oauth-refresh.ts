import { z } from "zod";
import { CorralError, type CredentialAuth } from "@corral/protocol";
import { storeSecrets, type ResolvedCredential } from "./credential-resolution.js";
import type { McpDeps } from "./mcp-context.js";
import { Unauthorized } from "./mcp-errors.js";
import { guardedFetch } from "./mcp-fetch.js";
import type { AddressAllowList } from "./egress-address.js";

type OAuth = Extract<CredentialAuth, { type: "mcp_oauth" }>;
type Refreshable = OAuth & { refresh: NonNullable<OAuth["refresh"]> };

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
});
type TokenResponse = z.infer<typeof TokenResponse>;

/** The refresh_token grant, authenticated at the token endpoint as the credential says. */
function tokenRequest(auth: Refreshable, secrets: Record<string, string>, refreshToken: string): RequestInit {
  const { refresh } = auth;
  const form = new URLSearchParams({
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: refresh.client_id,
  });
  if (refresh.scope) form.set("scope", refresh.scope);
  if (refresh.resource) form.set("resource", refresh.resource);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  const clientSecret = secrets.client_secret ?? "";
  if (refresh.token_endpoint_auth.type === "client_secret_post") form.set("client_secret", clientSecret);
  if (refresh.token_endpoint_auth.type === "client_secret_basic") {
    const basic = `${encodeURIComponent(refresh.client_id)}:${encodeURIComponent(clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
  }
  return { method: "POST", headers, body: form };
}

async function requestTokens(
  allow: AddressAllowList,
  endpoint: string,
  init: RequestInit,
): Promise<TokenResponse> {
  const response = await guardedFetch(allow)(endpoint, init).catch((error: unknown) => {
    throw new CorralError(
      "MCP_CONNECTION_FAILED",
      `the token endpoint did not answer: ${(error as Error).message}`,
    );
  });
  if (!response.ok)
    throw new Unauthorized(`the token endpoint refused the refresh (HTTP ${response.status})`);
  const parsed = TokenResponse.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new Unauthorized("the token endpoint's answer has no access_token");
  return parsed.data;
}

/** New tokens for an `mcp_oauth` credential through its token endpoint, stored in place of the old. */
export async function refreshAccessToken(
  deps: McpDeps,
  credential: ResolvedCredential,
): Promise<ResolvedCredential> {
  const auth = credential.record.auth;
  const refreshToken = credential.secrets.refresh_token;
  if (auth.type !== "mcp_oauth" || !auth.refresh || !refreshToken)
    throw new Unauthorized("the access token was refused and there is no refresh token");
  const refreshable: Refreshable = { ...auth, refresh: auth.refresh };
  const tokens = await requestTokens(
    deps.allow,
    auth.refresh.token_endpoint,
    tokenRequest(refreshable, credential.secrets, refreshToken),
  );
  const secrets = {
    ...credential.secrets,
    access_token: tokens.access_token,
    ...(tokens.refresh_token && { refresh_token: tokens.refresh_token }),
  };
  const expires_at = tokens.expires_in ? new Date(Date.now() + tokens.expires_in * 1000).toISOString() : null;
  const nextAuth = { ...auth, expires_at };
  await storeSecrets(deps.store, credential.record, secrets, nextAuth);
  deps.logger.info({ credential_id: credential.record.id }, "OAuth access token refreshed");
  return { record: { ...credential.record, auth: nextAuth }, secrets };
}
