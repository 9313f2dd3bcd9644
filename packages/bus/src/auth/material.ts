import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nkeys } from "@nats-io/transport-node";
import bcrypt from "bcryptjs";
import { SERVICE_USERS, type NatsUser } from "./permissions.js";

/**
 * A deployment's NATS identities, kept in one directory readable by its owner only: an nkey seed per
 * service user (`<user>.nk`; the server config holds only the public keys) and the task publisher's
 * password (`tasks.password`; the server config holds only its bcrypt hash).
 */
export interface AuthMaterial {
  readonly dir: string;
  /** The public nkey of each service user. */
  readonly publicKeys: Readonly<Record<Exclude<NatsUser, "tasks">, string>>;
  readonly tasksPasswordHash: string;
  seedFile(user: Exclude<NatsUser, "tasks">): string;
  tasksPassword(): string;
  /** The password cluster routes authenticate with (a node that lacks it cannot join). */
  routePassword(): string;
}

function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600, flag: "wx" });
}

function ensureSeed(dir: string, user: string): string {
  const file = join(dir, `${user}.nk`);
  if (!existsSync(file)) writeSecret(file, new TextDecoder().decode(nkeys.createUser().getSeed()));
  const seed = readFileSync(file, "utf8").trim();
  return nkeys.fromSeed(new TextEncoder().encode(seed)).getPublicKey();
}

function ensurePassword(dir: string): { password: string; hash: string } {
  const file = join(dir, "tasks.password");
  const hashFile = join(dir, "tasks.password.bcrypt");
  if (!existsSync(file)) writeSecret(file, randomBytes(24).toString("base64url"));
  const password = readFileSync(file, "utf8").trim();
  if (!existsSync(hashFile) || !bcrypt.compareSync(password, readFileSync(hashFile, "utf8").trim())) {
    writeFileSync(hashFile, bcrypt.hashSync(password, 11), { mode: 0o600 });
  }
  return { password, hash: readFileSync(hashFile, "utf8").trim() };
}

/** Creates what is missing in `dir` (idempotent: existing identities are kept) and reads it all back. */
export function ensureAuthMaterial(dir: string): AuthMaterial {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const publicKeys = Object.fromEntries(SERVICE_USERS.map((user) => [user, ensureSeed(dir, user)]));
  const { hash } = ensurePassword(dir);
  const routeFile = join(dir, "route.password");
  if (!existsSync(routeFile)) writeSecret(routeFile, randomBytes(24).toString("base64url"));
  return {
    dir,
    publicKeys: publicKeys as AuthMaterial["publicKeys"],
    tasksPasswordHash: hash,
    seedFile: (user) => join(dir, `${user}.nk`),
    tasksPassword: () => readFileSync(join(dir, "tasks.password"), "utf8").trim(),
    routePassword: () => readFileSync(routeFile, "utf8").trim(),
  };
}
