import { useState } from "react";
import { api, storeKey } from "./api.js";

/** Checks the key with one read, then keeps it in this tab's session storage (gone when the tab closes). */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = () => {
    setBusy(true);
    setError(null);
    api("/v1/agents?limit=1", { key: key.trim() })
      .then(() => {
        storeKey(key.trim());
        onSignedIn();
      })
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setBusy(false));
  };
  return (
    <main className="sign-in">
      <h1>Corral console</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          autoFocus
          value={key}
          placeholder="sk-corral-…"
          onChange={(e) => setKey(e.target.value)}
        />
        <button type="submit" disabled={busy || !key.trim()}>
          Sign in
        </button>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </form>
      <p className="muted small">
        The key stays in this tab&apos;s session storage and is sent only in the <code>x-api-key</code>{" "}
        header. Make one with <code>corral keys create</code>.
      </p>
    </main>
  );
}
