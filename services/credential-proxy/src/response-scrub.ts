import { Transform, type TransformCallback } from "node:stream";
import { secretVariants } from "./secret-variants.js";

/** Replaces every form of a set of secrets with what stands for them (the placeholder), in text and streams. */
export interface Scrubber {
  /** Longest form of any secret, in bytes: how much of a stream is held back between chunks. */
  maxLength: number;
  bytes(input: Buffer): Buffer;
  text(input: string): string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A scrubber for secrets (secret → its replacement). Matching works on bytes (as latin1 text, one
 * character per byte), so multi-byte characters and binary bodies are handled alike.
 */
export function createScrubber(secrets: ReadonlyMap<string, string>): Scrubber | null {
  const replacement = new Map<string, string>();
  for (const [secret, stand] of secrets)
    for (const variant of secretVariants(secret)) replacement.set(variant.toString("latin1"), stand);
  if (replacement.size === 0) return null;
  // Longest first, so a form that contains another is replaced whole.
  const forms = [...replacement.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map(escape).join("|"), "g");
  const bytes = (input: Buffer) =>
    Buffer.from(
      input.toString("latin1").replace(pattern, (m) => replacement.get(m)!),
      "latin1",
    );
  return {
    maxLength: forms[0]!.length,
    bytes,
    text: (input) => bytes(Buffer.from(input, "utf8")).toString("utf8"),
  };
}

/**
 * A body stream scrubbed on its way through. The last `maxLength - 1` bytes of what has been seen are
 * held back until more arrives (or the end), so a secret split across chunks is still found whole.
 */
export function scrubStream(scrubber: Scrubber): Transform {
  let held: Buffer = Buffer.alloc(0);
  const keep = scrubber.maxLength - 1;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const scrubbed = scrubber.bytes(Buffer.concat([held, chunk]));
      const cut = Math.max(0, scrubbed.length - keep);
      held = scrubbed.subarray(cut);
      done(null, scrubbed.subarray(0, cut));
    },
    flush(done: TransformCallback) {
      done(null, scrubber.bytes(held));
    },
  });
}

/** Response headers with every secret form replaced; the body's length is dropped (scrubbing changes it). */
export function scrubHeaders(
  scrubber: Scrubber,
  headers: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (name !== "content-length")
      out[name] = Array.isArray(value) ? value.map((v) => scrubber.text(v)) : scrubber.text(value);
  return out;
}
