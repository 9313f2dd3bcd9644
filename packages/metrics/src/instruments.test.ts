import { expect, test } from "vitest";
import {
  collectServiceMetrics,
  counter,
  gauge,
  histogram,
  oneOf,
  parseMetrics,
  renderMetrics,
  sumOf,
} from "./index.js";

test("a counter defined twice is one series, and a scrape shows what it counted by label", async () => {
  const first = counter({ name: "test_things_total", help: "things", labelNames: ["kind"] });
  const again = counter({ name: "test_things_total", help: "things", labelNames: ["kind"] });
  expect(again).toBe(first);
  first.inc({ kind: "a" });
  again.inc({ kind: "a" }, 2);
  first.inc({ kind: "b" });
  const samples = parseMetrics((await renderMetrics()).body);
  expect(sumOf(samples, "test_things_total", { kind: "a" })).toBe(3);
  expect(sumOf(samples, "test_things_total")).toBe(4);
});

test("a histogram's count and sum, and a gauge read only when scraped", async () => {
  const seconds = histogram({ name: "test_wait_seconds", help: "wait", labelNames: ["step"] });
  seconds.observe({ step: "x" }, 0.2);
  seconds.observe({ step: "x" }, 0.3);
  let reads = 0;
  gauge({
    name: "test_pool",
    help: "pool",
    collect() {
      reads++;
      this.set(7);
    },
  });
  expect(reads).toBe(0);
  const samples = parseMetrics((await renderMetrics()).body);
  expect(reads).toBe(1);
  expect(sumOf(samples, "test_wait_seconds_count", { step: "x" })).toBe(2);
  expect(sumOf(samples, "test_wait_seconds_sum", { step: "x" })).toBeCloseTo(0.5);
  expect(sumOf(samples, "test_wait_seconds_bucket", { step: "x", le: "0.25" })).toBe(1);
  expect(sumOf(samples, "test_pool")).toBe(7);
});

test("the service's name labels every series, Node.js's own figures included", async () => {
  collectServiceMetrics("unit");
  collectServiceMetrics("another");
  const { contentType, body } = await renderMetrics();
  expect(contentType).toMatch(/^text\/plain/);
  const samples = parseMetrics(body);
  expect(samples.find((s) => s.name === "process_cpu_user_seconds_total")?.labels.service).toBe("unit");
  expect(samples.filter((s) => s.labels.service === "another")).toEqual([]);
});

test("a label outside its known values is folded into one", () => {
  expect(oneOf("bash", ["bash", "read"])).toBe("bash");
  expect(oneOf("some_custom_tool_42", ["bash", "read"])).toBe("other");
});

test("the parser reads escaped label values and skips comments", () => {
  const samples = parseMetrics('# HELP x y\nx{a="q\\"uote",b="l\\\\n"} 1.5\n\ny 2\n');
  expect(samples).toEqual([
    { name: "x", labels: { a: 'q"uote', b: "l\\n" }, value: 1.5 },
    { name: "y", labels: {}, value: 2 },
  ]);
});
