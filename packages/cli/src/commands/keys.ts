import { parseArgs } from "node:util";
import { UsageError, when, type CliContext } from "../context.js";
import type { ApiKeyRow, KeyStore } from "../key-store.js";

const row = (k: ApiKeyRow) =>
  `${k.id}  ${k.hint}…  ${k.name}  ${when(k.created_at)}${k.revoked_at ? `  revoked ${when(k.revoked_at)}` : ""}` +
  `  workspace ${k.workspace_id ?? "default"}  ${k.scope ?? "full"}`;

/** `corral keys create [--name NAME] [--workspace W] [--scope full|read_only] | ls | revoke ID`. */
export async function keysCommand(
  ctx: CliContext,
  keys: KeyStore,
  [verb, ...args]: string[],
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: "string" }, workspace: { type: "string" }, scope: { type: "string" } },
  });
  if (verb === "create") {
    const { key, record } = await keys.create(values.name ?? "cli", {
      ...(values.workspace ? { workspace: values.workspace } : {}),
      ...(values.scope ? { scope: values.scope } : {}),
    });
    ctx.out(key);
    ctx.err(`created ${record.id} (${record.name}); the key is shown only this once`);
  } else if (verb === "ls") {
    for (const k of await keys.list()) ctx.out(row(k));
  } else if (verb === "revoke" && positionals[0]) {
    ctx.out(`revoked ${(await keys.revoke(positionals[0])).id}`);
  } else {
    throw new UsageError(
      "usage: corral keys create [--name NAME] [--workspace W] [--scope full|read_only] | ls | revoke ID",
    );
  }
  return 0;
}
