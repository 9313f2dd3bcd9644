import type { CredentialAuth, CredentialAuthParams } from "@corral/protocol";
import type { SecretValues } from "./secret-store.js";

type OAuthParams = Extract<CredentialAuthParams, { type: "mcp_oauth" }>;

/** Splits a credential's create params into what the API may show and what must stay secret. */
export function splitCredential(auth: CredentialAuthParams): { auth: CredentialAuth; secrets: SecretValues } {
  switch (auth.type) {
    case "static_bearer":
      return {
        auth: { type: "static_bearer", mcp_server_url: auth.mcp_server_url },
        secrets: { token: auth.token },
      };
    case "mcp_oauth":
      return splitOAuth(auth);
    case "environment_variable":
      return {
        auth: {
          type: "environment_variable",
          secret_name: auth.secret_name,
          networking: auth.networking,
          injection_location: {
            header: auth.injection_location?.header ?? true,
            body: auth.injection_location?.body ?? false,
          },
        },
        secrets: { secret_value: auth.secret_value },
      };
  }
}

function splitOAuth(auth: OAuthParams): { auth: CredentialAuth; secrets: SecretValues } {
  const secrets: SecretValues = { access_token: auth.access_token };
  if (auth.refresh) secrets.refresh_token = auth.refresh.refresh_token;
  if (auth.refresh && auth.refresh.token_endpoint_auth.type !== "none")
    secrets.client_secret = auth.refresh.token_endpoint_auth.client_secret;
  const refresh = auth.refresh
    ? {
        client_id: auth.refresh.client_id,
        token_endpoint: auth.refresh.token_endpoint,
        token_endpoint_auth: { type: auth.refresh.token_endpoint_auth.type },
        scope: auth.refresh.scope ?? null,
        resource: auth.refresh.resource ?? null,
      }
    : null;
  return {
    auth: {
      type: "mcp_oauth",
      mcp_server_url: auth.mcp_server_url,
      expires_at: auth.expires_at ?? null,
      refresh,
    },
    secrets,
  };
}
