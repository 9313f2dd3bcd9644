import { expect, test } from "vitest";
import { createWarmDemand } from "./warm-demand.js";

test("the peak is the largest burst within the window, and falls to 0 once the window has passed", () => {
  const demand = createWarmDemand(60_000);
  for (let i = 0; i < 40; i++) demand.record(1000 + i * 10);
  for (let i = 0; i < 5; i++) demand.record(30_000 + i);
  expect(demand.peak(30_010)).toBe(40);
  expect(demand.peak(61_000)).toBe(40);
  expect(demand.peak(61_500)).toBe(5);
  expect(demand.peak(91_000)).toBe(0);
});

test("provisions spread wider than a burst are not counted as one", () => {
  const demand = createWarmDemand(120_000);
  for (let i = 0; i < 12; i++) demand.record(i * 5_000);
  expect(demand.peak(60_000)).toBe(3);
});
