import {
  lastUserText,
  startScriptedModel,
  type ReceivedRequest,
  type ScriptedModel,
  type ScriptedReply,
} from "@corral/scripted-model";

/**
 * Without an ANTHROPIC_API_KEY, `corral up` runs against this scripted Messages-API server so the whole
 * stack can be seen working: it runs one bash command for the task in the sandbox, then reports.
 */
export async function startDemoModel(): Promise<ScriptedModel> {
  const model = await startScriptedModel();
  model.setFallback((req: ReceivedRequest): ScriptedReply => {
    const last = req.body.messages.at(-1);
    const answeredTool =
      Array.isArray(last?.content) &&
      (last.content as Array<{ type: string }>).some((b) => b.type === "tool_result");
    if (answeredTool) {
      return {
        type: "message",
        content: [{ type: "text", text: `(demo model) The sandbox answered:\n${lastUserText(req).trim()}` }],
        chunkDelayMs: 5,
      };
    }
    const task = lastUserText(req).replace(/'/g, "");
    return {
      type: "message",
      content: [
        { type: "text", text: "(demo model) Let me look around the sandbox first." },
        {
          type: "tool_use",
          name: "bash",
          input: {
            command: `echo 'task: ${task}'; echo "I am $(id -un) on $(uname -sr)"; ls -la /workspace; python3 --version`,
          },
        },
      ],
    };
  });
  return model;
}
