import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where Debian-based images (and this host) keep the trusted CAs; the sandbox's bundle is mounted there. */
export const SANDBOX_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Where sandboxes trust the egress CA: the host's bundle plus the CA, one file per CA. */
export function writeCaBundle(stateDir: string, caPem: string): string {
  const digest = createHash("sha256").update(caPem).digest("hex").slice(0, 16);
  const file = join(stateDir, `ca-bundle-${digest}.pem`);
  if (!existsSync(file)) {
    mkdirSync(stateDir, { recursive: true });
    const system = existsSync(SANDBOX_CA_BUNDLE) ? readFileSync(SANDBOX_CA_BUNDLE, "utf8") : "";
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${system}\n${caPem}`, { mode: 0o644 });
    renameSync(temp, file);
  }
  return file;
}
