import { expect, test } from "vitest";
import { SessionEvent, SessionEventInput } from "./events.js";

const SBX = "sbx_01J9ZK3M4N5P6Q7R8S9T0VWXYZ";
const stored = { id: "sevt_01J9ZK3M4N5P6Q7R8S9T0VWXY2", processed_at: "2026-04-08T12:00:00.000Z", seq: 3 };
const end = { type: "span.sandbox_provision_end", sandbox_id: SBX, is_error: false } as const;

test("a provision end keeps the host its sandbox runs on", () => {
  const input = { ...end, host: "docker-host-1.internal" };
  expect(SessionEventInput.parse(input)).toEqual(input);
  expect(SessionEvent.parse({ ...input, ...stored })).toEqual({ ...input, ...stored });
});

test("a provision end without a host (an older log, or a failed provision) stays valid", () => {
  expect(SessionEvent.parse({ ...end, ...stored })).toEqual({ ...end, ...stored });
  const failed = { type: "span.sandbox_provision_end", is_error: true, error_message: "no image" } as const;
  expect(SessionEventInput.parse(failed)).toEqual(failed);
});

test("rejects an empty, an over-long or a non-string host, and still strips unknown keys", () => {
  for (const host of ["", "h".repeat(254), 7, null]) {
    expect(SessionEventInput.safeParse({ ...end, host }).success).toBe(false);
  }
  expect(SessionEventInput.safeParse({ ...end, host: "h".repeat(253) }).success).toBe(true);
  expect(SessionEventInput.parse({ ...end, host: "h1", container: "abc" })).toEqual({ ...end, host: "h1" });
});
