import { secondsSince } from "@corral/metrics";
import { modelRequestSeconds, modelTokens, modelTtftSeconds } from "./metrics.js";
import type { ModelResponse } from "./model.js";

/** Times one model request: its first token and its end, with the tokens it reported. */
export function meterModelRequest() {
  const startMs = performance.now();
  let firstToken = true;
  return {
    token(): void {
      if (!firstToken) return;
      firstToken = false;
      modelTtftSeconds.observe(secondsSince(startMs));
    },
    done(usage: ModelResponse["usage"]): void {
      modelRequestSeconds.observe({ outcome: "ok" }, secondsSince(startMs));
      modelTokens.inc({ direction: "input" }, usage.input_tokens);
      modelTokens.inc({ direction: "output" }, usage.output_tokens);
      modelTokens.inc({ direction: "cache_read" }, usage.cache_read_input_tokens);
      modelTokens.inc({ direction: "cache_creation" }, usage.cache_creation_input_tokens);
    },
    failed(outcome: string): void {
      modelRequestSeconds.observe({ outcome }, secondsSince(startMs));
    },
  };
}
