import { useEffect, useRef, useState, type FormEvent } from "react";

interface JumpBarProps {
  jumpTo: (position: number) => void;
  /** The window does not follow the end (the reader jumped): offer the way back. */
  awayFromEnd: boolean;
  toLiveEnd: () => void;
}

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

/** "Jump to #": a position of the log (Enter to go; `g` anywhere on the page focuses it), and back to the end. */
export function JumpBar({ jumpTo, awayFromEnd, toLiveEnd }: JumpBarProps) {
  const [value, setValue] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "g" || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const position = Number(value);
    if (value.trim() !== "" && Number.isSafeInteger(position) && position >= 0) jumpTo(position);
  };
  return (
    <form className="jump" onSubmit={submit} aria-label="jump to a position">
      <label>
        Jump to #{" "}
        <input
          ref={input}
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="position"
          aria-keyshortcuts="g"
        />
      </label>
      <button type="submit" className="secondary">
        Go
      </button>
      {awayFromEnd && (
        <button type="button" onClick={toLiveEnd}>
          Back to the live end
        </button>
      )}
    </form>
  );
}
