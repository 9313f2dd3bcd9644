import type { AgentSnapshot, SessionResourceRecord } from "@corral/protocol";

type MemoryResource = Extract<SessionResourceRecord, { type: "memory_store" }>;

function describe(store: MemoryResource): string {
  const lines = [`- ${store.name}: mounted at ${store.mount_path} (${store.access.replace("_", "-")})`];
  if (store.description) lines.push(`  Description: ${store.description}`);
  if (store.instructions) lines.push(`  Instructions: ${store.instructions}`);
  return lines.join("\n");
}

/**
 * The agent as the model sees it in a session with memory stores: its system prompt followed by a memory
 * section naming each store, where it is mounted, whether it may be changed, its description (as attached)
 * and the attachment's instructions. Without memory stores the agent is returned as it is.
 */
export function withMemorySection(
  agent: AgentSnapshot,
  resources: readonly SessionResourceRecord[],
): AgentSnapshot {
  const stores = resources.filter((r): r is MemoryResource => r.type === "memory_store");
  if (stores.length === 0) return agent;
  const section = [
    "# Memory",
    "These memory stores are mounted as directories of text files. What you write under a read-write",
    "store is kept for later sessions; a change that conflicts with another session's is refused and",
    "reported in the tool result.",
    ...stores.map(describe),
  ].join("\n");
  return { ...agent, system: agent.system ? `${agent.system}\n\n${section}` : section };
}
