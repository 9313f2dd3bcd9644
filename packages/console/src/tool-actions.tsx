import { useState } from "react";
import { sendEvents } from "./api.js";
import type { LogEvent } from "./types.js";

/** Answers a tool call the agent waits on: a confirmation (allow / deny) or a custom tool's result. */
export function ToolActions({ event, sessionId }: { event: LogEvent; sessionId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const custom = event.type === "agent.custom_tool_use";
  const answer = (body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    sendEvents(sessionId, [body])
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setBusy(false));
  };
  if (custom)
    return (
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          answer({
            type: "user.custom_tool_result",
            custom_tool_use_id: event.id,
            content: [{ type: "text", text }],
          });
        }}
      >
        <label>
          Result{" "}
          <input value={text} onChange={(e) => setText(e.target.value)} aria-label="custom tool result" />
        </label>
        <button type="submit" disabled={busy}>
          Send result
        </button>
        {error && <span className="error-text">{error}</span>}
      </form>
    );
  return (
    <div className="actions" role="group" aria-label="confirm tool call">
      <span>The agent asks to run this.</span>
      <button
        type="button"
        disabled={busy}
        onClick={() => answer({ type: "user.tool_confirmation", tool_use_id: event.id, result: "allow" })}
      >
        Allow
      </button>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() => answer({ type: "user.tool_confirmation", tool_use_id: event.id, result: "deny" })}
      >
        Deny
      </button>
      {error && <span className="error-text">{error}</span>}
    </div>
  );
}
