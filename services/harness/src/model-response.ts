import type { EventId, SessionEventInput } from "@corral/protocol";
import type { ModelResponse } from "./model.js";
import { append, text, type Run } from "./run-context.js";

/**
 * What the model answered, as events: text as `agent.message` (under the id its live preview announced),
 * each tool use by its kind, then the request's end with its usage — in one append.
 */
export async function appendResponse(
  run: Run,
  response: ModelResponse,
  startId: EventId,
  previews: ReadonlyMap<number, EventId>,
): Promise<void> {
  const tools = run.catalog;
  const events: SessionEventInput[] = [];
  const ids: (string | undefined)[] = [];
  response.content.forEach((block, index) => {
    if (block.type === "text") {
      if (!block.text) return;
      events.push({ type: "agent.message", content: text(block.text) });
      ids.push(previews.get(index));
      return;
    }
    const kind = tools.kindOf(block.name);
    const target = kind === "mcp" ? tools.mcpTarget(block.name) : undefined;
    if (target) {
      events.push({
        type: "agent.mcp_tool_use",
        mcp_server_name: target.server,
        name: target.tool,
        input: block.input,
        evaluated_permission: tools.permissionOf(block.name),
      });
    } else if (kind === "custom") {
      events.push({ type: "agent.custom_tool_use", name: block.name, input: block.input });
    } else {
      const permission = tools.permissionOf(block.name);
      events.push({
        type: "agent.tool_use",
        name: block.name,
        input: block.input,
        evaluated_permission: permission,
      });
    }
    ids.push(undefined);
  });
  events.push({
    type: "span.model_request_end",
    model_request_start_id: startId,
    is_error: false,
    model_usage: response.usage,
  });
  await append(run, events, { ids });
}
