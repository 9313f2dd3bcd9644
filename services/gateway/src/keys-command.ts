import { parseArgs } from "node:util";
import { CorralError } from "@corral/protocol";
import type { Bus } from "@corral/bus";
import { createApiKey, listApiKeys, openKeyBucket, revokeApiKey, type KeyBucket } from "./api-keys.js";
import { watchApiKeys } from "./key-check.js";

export const KEYS_USAGE =
  "usage: keys create [--name NAME] | ls | revoke ID_OR_HINT | check [KEY] (else KEY on stdin)";

async function check(keys: KeyBucket, key: string) {
  const live = await watchApiKeys(keys);
  try {
    const record = await live.lookup(key.trim());
    return { valid: record !== null, record };
  } finally {
    live.stop();
  }
}

function parseKeysArgs(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { name: { type: "string" } } });
  } catch (error) {
    throw new CorralError("INVALID_REQUEST", `${(error as Error).message}; ${KEYS_USAGE}`);
  }
}

/**
 * `keys` sub-commands, each answering one JSON value: how the CLI and operators create, list, revoke and
 * check API keys without writing the key bucket themselves (the gateway is its only writer).
 */
export async function runKeysCommand(
  bus: Bus,
  argv: string[],
  stdin: () => Promise<string>,
): Promise<unknown> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseKeysArgs(rest);
  const keys = await openKeyBucket(bus);
  switch (verb) {
    case "create":
      return createApiKey(keys, values.name ?? "cli");
    case "ls":
      return { data: await listApiKeys(keys) };
    case "revoke":
      if (!positionals[0]) break;
      return { record: await revokeApiKey(keys, positionals[0]) };
    case "check":
      return check(keys, positionals[0] ?? (await stdin()));
    default:
      break;
  }
  throw new CorralError("INVALID_REQUEST", KEYS_USAGE);
}
