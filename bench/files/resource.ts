import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import Anthropic, { toFile } from "@anthropic-ai/sdk";
import { startProcessStack } from "../../test/support/process-stack.js";
import { percentile, printRows } from "../lib/stats.js";

// A session's first tool call with one file resource of BENCH_FILE_MB (default 10) MB, against the same
// session with no resource, in the same run on the same stack (every service compiled, in its own process;
// cold sandboxes, no warm pool). Sessions run one at a time, the two arms alternating. From each session's
// own log: user.message → the first model request (the mount must not delay it: it happens when the
// sandbox is provisioned, lazily) and agent.tool_use → agent.tool_result (provisioning, the mount, the run).
// The machine is shared and noisy: read the ratios.
const MB = Number(process.env.BENCH_FILE_MB ?? 10);
const N = Number(process.env.BENCH_N ?? 8);

type Events = { type: string; processed_at: string }[];

const at = (events: Events, type: string) => {
  const event = events.find((e) => e.type === type);
  if (!event) throw new Error(`no ${type} in the session's log: ${events.map((e) => e.type).join(", ")}`);
  return Date.parse(event.processed_at);
};

async function main(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const stack = await startProcessStack("bench-files-resource");
  const client = new Anthropic({ apiKey: stack.key, baseURL: stack.api, maxRetries: 2 });
  try {
    const environment = await client.beta.environments.create({ name: `bench-resource-${Date.now()}` });
    const agent = await client.beta.agents.create({
      name: "bench-resource",
      model: "claude-test",
      tools: [{ type: "agent_toolset_20260401" }],
    });
    const file = await client.beta.files.upload({
      file: await toFile(randomBytes(MB * 1e6), "data.bin", { type: "application/octet-stream" }),
    });
    const samples = { firstModel: [[], []] as number[][], firstTool: [[], []] as number[][] };

    async function oneSession(withFile: boolean): Promise<void> {
      const session = await client.beta.sessions.create({
        agent: agent.id,
        environment_id: environment.id,
        ...(withFile && { resources: [{ type: "file" as const, file_id: file.id }] }),
      });
      const command = withFile ? `wc -c < /mnt/session/uploads/${file.id}` : "echo none";
      stack.model.script(
        { type: "message", content: [{ type: "tool_use", name: "bash", input: { command } }] },
        { type: "message", content: [{ type: "text", text: "done" }] },
      );
      await client.beta.sessions.events.send(session.id, {
        events: [{ type: "user.message", content: [{ type: "text", text: "go" }] }],
      });
      let events: Events = [];
      for (;;) {
        events = [];
        for await (const e of client.beta.sessions.events.list(session.id)) events.push(e as Events[number]);
        if (events.some((e) => e.type === "session.status_idle")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const result = JSON.stringify(events.find((e) => e.type === "agent.tool_result"));
      if (withFile && !result.includes(String(MB * 1e6)))
        throw new Error(`the file was not mounted: ${result}`);
      const arm = withFile ? 0 : 1;
      samples.firstModel[arm]!.push(at(events, "span.model_request_start") - at(events, "user.message"));
      samples.firstTool[arm]!.push(at(events, "agent.tool_result") - at(events, "agent.tool_use"));
    }

    await oneSession(true); // warms the image cache and the code paths, not counted
    samples.firstModel = [[], []];
    samples.firstTool = [[], []];
    for (let i = 0; i < N; i++) {
      await oneSession(i % 2 === 0);
      await oneSession(i % 2 !== 0);
    }
    const row = (
      metric: string,
      pair: number[][],
      p: number,
      target: string,
      ok?: (r: number) => boolean,
    ) => ({
      metric,
      corral: percentile(pair[0]!, p),
      baseline: percentile(pair[1]!, p),
      unit: "ms",
      target,
      ok,
    });
    printRows(
      `First tool call with one ${MB} MB file resource (corral) vs none (baseline), ${N} sessions each, one at a time, cold sandboxes`,
      [
        row(
          "user.message → first model request, p50",
          samples.firstModel,
          50,
          "≈ 1 (not delayed)",
          (r) => r < 1.5,
        ),
        row(
          "user.message → first model request, p95",
          samples.firstModel,
          95,
          "≈ 1 (not delayed)",
          (r) => r < 1.5,
        ),
        row("first tool call (tool_use → result), p50", samples.firstTool, 50, "none (shown)"),
        row("first tool call (tool_use → result), p95", samples.firstTool, 95, "none (shown)"),
      ],
    );
  } finally {
    await stack.stop();
  }
}

await main();
process.exit(0);
