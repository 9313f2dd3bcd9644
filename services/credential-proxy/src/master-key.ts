import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The master key: `CORRAL_MASTER_KEY` (32 bytes, base64), else a file made once with mode 0600. Replicas
 * on other hosts must be given the same key.
 */
export function loadMasterKey(env: string | undefined, file: string): Buffer {
  if (env) {
    const key = Buffer.from(env, "base64");
    if (key.length !== 32) throw new Error("CORRAL_MASTER_KEY must be 32 bytes, base64-encoded");
    return key;
  }
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  // Narrowed when others may read it; a private file is left alone (it may be on a read-only mount).
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
