import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CorralError } from "@corral/protocol";

/** The server or its token endpoint refused the credential. */
export class Unauthorized extends Error {
  override readonly name = "Unauthorized";
}

export function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof Unauthorized ||
    (error instanceof StreamableHTTPError && error.code === 401) ||
    /\b401\b/.test(String((error as Error)?.message))
  );
}

export function authFailed(serverName: string, error: unknown): CorralError {
  return new CorralError(
    "MCP_AUTHENTICATION_FAILED",
    `MCP server ${serverName} refused the credential: ${(error as Error).message}`,
    { cause: error },
  );
}

export function connectionFailed(serverName: string, error: unknown): CorralError {
  return new CorralError("MCP_CONNECTION_FAILED", `MCP server ${serverName}: ${(error as Error).message}`, {
    cause: error,
  });
}
