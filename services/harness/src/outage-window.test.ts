import { expect, test } from "vitest";
import { createOutageWindow } from "./outage-window.js";

test("an outage is recent for its window after the last trouble, and never before any", () => {
  let now = 1_000_000;
  const outage = createOutageWindow(4_000, () => now);
  expect(outage.recent()).toBe(false);
  outage.noteTrouble();
  now += 3_999;
  expect(outage.recent()).toBe(true);
  outage.noteTrouble(); // still failing: the window starts again from the last failure
  now += 3_999;
  expect(outage.recent()).toBe(true);
  now += 1;
  expect(outage.recent()).toBe(false);
});
