import { expect, test } from "vitest";
import { parseMetrics, renderMetrics, sumOf } from "@corral/metrics";
import { meterModelRequest } from "./model-metrics.js";
import { timeToolRun } from "./tool-metrics.js";

const scrape = async () => parseMetrics((await renderMetrics()).body);

test("a model request is timed to its first token and its end, with its tokens; a failure by its type", async () => {
  const ok = meterModelRequest();
  ok.token();
  ok.token();
  ok.done({ input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 2, cache_creation_input_tokens: 0 });
  meterModelRequest().failed("model_overloaded_error");
  const samples = await scrape();
  expect(sumOf(samples, "corral_harness_model_ttft_seconds_count")).toBe(1);
  expect(sumOf(samples, "corral_harness_model_request_seconds_count", { outcome: "ok" })).toBe(1);
  expect(
    sumOf(samples, "corral_harness_model_request_seconds_count", { outcome: "model_overloaded_error" }),
  ).toBe(1);
  expect(sumOf(samples, "corral_harness_model_tokens_total", { direction: "input" })).toBe(10);
  expect(sumOf(samples, "corral_harness_model_tokens_total", { direction: "output" })).toBe(4);
  expect(sumOf(samples, "corral_harness_model_tokens_total", { direction: "cache_read" })).toBe(2);
});

test("a tool run is labelled by kind, and by name only for built-in tools (a client's tool name is never a label)", async () => {
  timeToolRun("builtin", "bash")();
  timeToolRun("builtin", "not_really_builtin")();
  timeToolRun("mcp", "github__create_issue_for_customer_42")();
  const samples = await scrape();
  const runs = (labels: Record<string, string>) =>
    sumOf(samples, "corral_harness_tool_run_seconds_count", labels);
  expect(runs({ kind: "builtin", tool: "bash" })).toBe(1);
  expect(runs({ kind: "builtin", tool: "other" })).toBe(1);
  expect(runs({ kind: "mcp", tool: "mcp" })).toBe(1);
  expect((await renderMetrics()).body).not.toContain("customer_42");
});
