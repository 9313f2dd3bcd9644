import { BUILTIN_TOOLS } from "@corral/protocol";
import { oneOf, secondsSince } from "@corral/metrics";
import { toolRunSeconds } from "./metrics.js";

/**
 * Starts timing one tool call; the returned function records it. Built-in tools are told apart by name (a
 * fixed set); any other tool's name is the client's choice, so only its kind is a label.
 */
export function timeToolRun(kind: string, name: string): () => void {
  const startMs = performance.now();
  const tool = kind === "builtin" ? oneOf(name, BUILTIN_TOOLS) : kind;
  return () => toolRunSeconds.observe({ kind, tool }, secondsSince(startMs));
}
