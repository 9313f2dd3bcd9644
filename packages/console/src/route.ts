import { useEffect, useState } from "react";

/** Pages live in the URL's fragment, so the gateway serves one file for every page and no key is ever in a URL. */
export type Route =
  | { page: "sessions" }
  | { page: "session"; sessionId: string }
  | { page: "thread"; sessionId: string; threadId: string }
  | { page: "agents" }
  | { page: "agent"; agentId: string }
  | { page: "environments" }
  | { page: "vaults" }
  | { page: "health" };

const ID = "([A-Za-z0-9_]+)";

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/sessions";
  const thread = new RegExp(`^/sessions/${ID}/threads/${ID}$`).exec(path);
  if (thread) return { page: "thread", sessionId: thread[1]!, threadId: thread[2]! };
  const session = new RegExp(`^/sessions/${ID}$`).exec(path);
  if (session) return { page: "session", sessionId: session[1]! };
  const agent = new RegExp(`^/agents/${ID}$`).exec(path);
  if (agent) return { page: "agent", agentId: agent[1]! };
  for (const page of ["agents", "environments", "vaults", "health"] as const)
    if (path === `/${page}`) return { page };
  return { page: "sessions" };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
