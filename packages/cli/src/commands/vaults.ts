import type Anthropic from "@anthropic-ai/sdk";
import { parseArgs } from "node:util";
import { apiClient } from "../api.js";
import { UsageError, type CliContext } from "../context.js";

interface VaultsCall {
  ctx: CliContext;
  client: Anthropic;
  first: string | undefined;
  second: string | undefined;
  hosts: string[];
}

function need(value: string | undefined, message: string): string {
  if (!value) throw new UsageError(message);
  return value;
}

async function list({ ctx, client }: VaultsCall): Promise<void> {
  for await (const v of client.beta.vaults.list({ limit: 100 })) ctx.out(`${v.id}  ${v.display_name}`);
}

async function create({ ctx, client, first }: VaultsCall): Promise<void> {
  const name = need(first, "corral vaults create needs a name");
  ctx.out((await client.beta.vaults.create({ display_name: name })).id);
}

async function show({ ctx, client, first }: VaultsCall): Promise<void> {
  const id = need(first, "corral vaults show needs a vault id");
  const vault = await client.beta.vaults.retrieve(id);
  const credentials = (await client.beta.vaults.credentials.list(id)).data;
  ctx.out(JSON.stringify({ ...vault, credentials }, null, 2));
}

async function remove({ ctx, client, first }: VaultsCall): Promise<void> {
  const id = need(first, "corral vaults delete needs a vault id");
  ctx.out(`deleted ${(await client.beta.vaults.delete(id)).id}`);
}

async function addEnv({ ctx, client, first, second, hosts }: VaultsCall): Promise<void> {
  if (!first || !second)
    throw new UsageError("usage: corral vaults add-env VAULT NAME --hosts h1,h2 < secret");
  // Never from the command line: arguments show in every process listing.
  const secret = await ctx.readStdin();
  if (!secret) throw new UsageError("the secret value is read from stdin, and stdin was empty");
  const credential = await client.beta.vaults.credentials.create(first, {
    auth: {
      type: "environment_variable",
      secret_name: second,
      secret_value: secret,
      networking: hosts.length ? { type: "limited", allowed_hosts: hosts } : { type: "unrestricted" },
    },
  });
  ctx.out(credential.id);
}

const VERBS = new Map<string, (call: VaultsCall) => Promise<void>>(
  Object.entries({
    ls: list,
    create,
    show,
    delete: remove,
    "add-env": addEnv,
  }),
);

/** `corral vaults ls | create NAME | show ID | delete ID | add-env VAULT NAME --hosts h1,h2`. */
export async function vaultsCommand(ctx: CliContext, [verb, ...args]: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { hosts: { type: "string" } },
  });
  const run = verb === undefined ? undefined : VERBS.get(verb);
  if (!run) throw new UsageError(`unknown: corral vaults ${verb ?? ""}`);
  const hosts = (values.hosts ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  await run({ ctx, client: apiClient(ctx.target), first: positionals[0], second: positionals[1], hosts });
  return 0;
}
