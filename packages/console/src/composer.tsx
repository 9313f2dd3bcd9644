import { useState } from "react";
import { sendEvents } from "./api.js";

/** Sends a user message (Ctrl/Cmd+Enter or the button). */
export function Composer({ sessionId, disabled }: { sessionId: string; disabled: boolean }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = () => {
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    sendEvents(sessionId, [{ type: "user.message", content: [{ type: "text", text }] }])
      .then(() => setText(""))
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="message" className="sr-only">
        Message
      </label>
      <textarea
        id="message"
        rows={2}
        value={text}
        placeholder="Message the agent (Ctrl+Enter sends)"
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" disabled={disabled || busy || !text.trim()}>
        Send
      </button>
      {error && <p className="error-text">{error}</p>}
    </form>
  );
}
