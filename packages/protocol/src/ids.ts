import { randomBytes } from "node:crypto";

export const ID_PREFIXES = {
  agent: "agent",
  environment: "env",
  session: "sesn",
  event: "sevt",
  thread: "sthr",
  vault: "vlt",
  credential: "vcrd",
  sandbox: "sbx",
  task: "task",
  apiKey: "ckey",
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 32];
  return out;
}

/** A time-ordered id (ULID layout, Crockford base32) with the API's prefix, e.g. `sesn_01J…`. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(Date.now())}${encodeRandom(16)}`;
}

/** Ids become NATS subject tokens and KV keys, so only [A-Za-z0-9_-] is ever accepted. */
export const ID_PATTERN = /^[a-z]+_[0-9A-Za-z_-]{1,64}$/;

export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}
