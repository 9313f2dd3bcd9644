import type { BusConfig } from "../connect.js";
import type { AuthMaterial } from "./material.js";
import { inboxPrefix, type NatsUser } from "./permissions.js";

/** How `user` connects to a server configured from `auth`: the fields to spread into a `BusConfig`. */
export function authBusConfig(
  auth: AuthMaterial,
  user: NatsUser,
): Pick<BusConfig, "nkeySeedFile" | "inboxPrefix" | "user" | "pass"> {
  if (user === "tasks") return { user: "tasks", pass: auth.tasksPassword(), inboxPrefix: inboxPrefix(user) };
  return { nkeySeedFile: auth.seedFile(user), inboxPrefix: inboxPrefix(user) };
}

/** The environment a service process needs to connect as `user` (read by `busConfigFromEnv`). */
export function authEnv(auth: AuthMaterial, user: Exclude<NatsUser, "tasks">): Record<string, string> {
  return { NATS_NKEY_SEED_FILE: auth.seedFile(user) };
}
