import { useEffect, useState } from "react";
import { forgetKey, onUnauthorized, storedKey } from "./api.js";
import { AgentPage } from "./agent-page.js";
import { HealthPage } from "./health-page.js";
import { AgentsPage, EnvironmentsPage, VaultsPage } from "./resources-page.js";
import { useRoute, type Route } from "./route.js";
import { SessionPage } from "./session-page.js";
import { SessionsPage } from "./sessions-page.js";
import { SignIn } from "./sign-in.js";
import { ThreadPage } from "./thread-page.js";

const NAV = [
  ["sessions", "Sessions"],
  ["agents", "Agents"],
  ["environments", "Environments"],
  ["vaults", "Vaults"],
  ["health", "Health"],
] as const;

const PARENT: Partial<Record<Route["page"], string>> = {
  session: "sessions",
  thread: "sessions",
  agent: "agents",
};

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "sessions":
      return <SessionsPage />;
    case "session":
      return <SessionPage key={route.sessionId} sessionId={route.sessionId} />;
    case "thread":
      return <ThreadPage key={route.threadId} sessionId={route.sessionId} threadId={route.threadId} />;
    case "agents":
      return <AgentsPage />;
    case "agent":
      return <AgentPage key={route.agentId} agentId={route.agentId} />;
    case "environments":
      return <EnvironmentsPage />;
    case "vaults":
      return <VaultsPage />;
    case "health":
      return <HealthPage />;
  }
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => storedKey() !== null);
  const route = useRoute();
  useEffect(
    () =>
      onUnauthorized(() => {
        forgetKey();
        setSignedIn(false);
      }),
    [],
  );
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const current = PARENT[route.page] ?? route.page;
  return (
    <div className="shell">
      <nav className="top" aria-label="main">
        <strong className="brand">Corral</strong>
        {NAV.map(([page, label]) => (
          <a key={page} href={`#/${page}`} aria-current={current === page ? "page" : undefined}>
            {label}
          </a>
        ))}
        <button
          type="button"
          className="secondary sign-out"
          onClick={() => {
            forgetKey();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </nav>
      <main className="content">
        <Page route={route} />
      </main>
    </div>
  );
}
