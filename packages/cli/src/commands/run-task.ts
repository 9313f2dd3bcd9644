import { parseArgs } from "node:util";
import { AgentCreateParams, EnvironmentCreateParams } from "@corral/protocol";
import { apiClient } from "../api.js";
import { readJson, UsageError, type CliContext } from "../context.js";
import { runTask } from "../run.js";

/** `corral run "<task>"`: exit 0 when the session goes idle, 1 when it stops any other way. */
export async function runCommand(ctx: CliContext, args: string[], defaultModel: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      agent: { type: "string" },
      model: { type: "string" },
      "agent-file": { type: "string" },
      "environment-file": { type: "string" },
    },
  });
  const task = positionals.join(" ");
  if (!task) throw new UsageError("corral run needs a task");
  const agentFile = values["agent-file"];
  const environmentFile = values["environment-file"];
  const result = await runTask(
    apiClient(ctx.target),
    task,
    {
      agentName: values.agent ?? "corral-default",
      model: values.model ?? defaultModel,
      environmentName: "corral-default",
      ...(agentFile && { agent: readJson(agentFile, AgentCreateParams) }),
      ...(environmentFile && { environment: readJson(environmentFile, EnvironmentCreateParams) }),
    },
    ctx.out,
  );
  return result.last?.type === "session.status_idle" ? 0 : 1;
}
