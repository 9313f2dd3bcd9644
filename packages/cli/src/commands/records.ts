import type Anthropic from "@anthropic-ai/sdk";
import { apiClient } from "../api.js";
import { UsageError, type CliContext } from "../context.js";

async function list(ctx: CliContext, client: Anthropic, kind: "agents" | "environments"): Promise<void> {
  if (kind === "agents")
    for await (const a of client.beta.agents.list({ limit: 100 }))
      ctx.out(`${a.id}  v${a.version}  ${a.name}  ${typeof a.model === "string" ? a.model : a.model.id}`);
  else for await (const e of client.beta.environments.list({ limit: 100 })) ctx.out(`${e.id}  ${e.name}`);
}

async function show(client: Anthropic, kind: "agents" | "environments", id: string): Promise<unknown> {
  return kind === "agents" ? client.beta.agents.retrieve(id) : client.beta.environments.retrieve(id);
}

/** `corral agents|environments ls | show ID`. */
export async function recordsCommand(
  ctx: CliContext,
  kind: "agents" | "environments",
  [verb, id]: string[],
): Promise<number> {
  const client = apiClient(ctx.target);
  if (verb === "ls") await list(ctx, client, kind);
  else if (verb === "show" && id) ctx.out(JSON.stringify(await show(client, kind, id), null, 2));
  else throw new UsageError(`usage: corral ${kind} ls | show ID`);
  return 0;
}
