/** Text shown whole when short, folded behind its first line when long. */
export function Collapsible({ text, limit = 600, label }: { text: string; limit?: number; label?: string }) {
  const lines = text.split("\n");
  if (text.length <= limit && lines.length <= 12) return <pre className="block">{text}</pre>;
  const head = (lines[0] ?? "").slice(0, 120);
  return (
    <details className="fold">
      <summary>
        {label ? `${label}: ` : ""}
        <code>{head}</code> … ({lines.length} lines, {text.length} chars)
      </summary>
      <pre className="block">{text}</pre>
    </details>
  );
}
