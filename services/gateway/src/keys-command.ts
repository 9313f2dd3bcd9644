import { parseArgs } from "node:util";
import { CorralError } from "@corral/protocol";
import type { Bus } from "@corral/bus";
import {
  createApiKey,
  KeyScope,
  listApiKeys,
  openKeyBucket,
  revokeApiKey,
  type KeyBucket,
} from "./api-keys.js";
import { watchApiKeys } from "./key-check.js";

export const KEYS_USAGE =
  "usage: keys create [--name NAME] [--workspace W] [--scope full|read_only] | ls | revoke ID_OR_HINT | check [KEY] (else KEY on stdin)";

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
    return parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: "string" }, workspace: { type: "string" }, scope: { type: "string" } },
    });
  } catch (error) {
    throw new CorralError("INVALID_REQUEST", `${(error as Error).message}; ${KEYS_USAGE}`);
  }
}

function parseScope(scope: string | undefined): KeyScope | undefined {
  if (scope === undefined) return undefined;
  const parsed = KeyScope.safeParse(scope);
  if (!parsed.success) throw new CorralError("INVALID_REQUEST", `--scope: full or read_only; ${KEYS_USAGE}`);
  return parsed.data;
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
      return createApiKey(keys, values.name ?? "cli", {
        workspace: values.workspace,
        scope: parseScope(values.scope),
      });
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
