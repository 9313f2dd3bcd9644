import type { SessionId, SessionResourceTokens } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { storedSession } from "./stored-session.js";

/** The sealed tokens of the session's repositories, with each one's URL (the proxy opens them for it alone). */
export async function resourceTokens(
  state: StoreState,
  request: { session_id: SessionId },
): Promise<SessionResourceTokens> {
  const stored = await storedSession(state, request.session_id);
  const tokens = stored.record.resources.flatMap((r) => {
    const sealed = stored.resource_tokens[r.id];
    return r.type === "github_repository" && sealed
      ? [{ resource_id: r.id, url: r.url, sealed_token: sealed }]
      : [];
  });
  return { tokens };
}
