import type { Usage } from "./types.js";

export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d`;
}

const count = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n));

export const tokens = (u: Usage | null | undefined) =>
  u ? `${count(u.input_tokens)} in · ${count(u.output_tokens)} out` : "—";

export const time = (iso: string) => new Date(iso).toLocaleTimeString();

/** Readable JSON for inputs and unknown events. */
export const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** The text of content blocks (text blocks; others by their type). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b: { type?: string; text?: string }) => (b.type === "text" ? (b.text ?? "") : `[${b.type}]`))
    .join("\n");
}
