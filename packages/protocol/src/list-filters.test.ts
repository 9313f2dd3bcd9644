import { describe, expect, test } from "vitest";
import { CreatedAtRange, inCreatedAtRange } from "./list-filters.js";

const t = "2026-11-28T12:00:00.500Z";

describe("inCreatedAtRange", () => {
  test("no range keeps everything", () => {
    expect(inCreatedAtRange(undefined, t)).toBe(true);
    expect(inCreatedAtRange({}, t)).toBe(true);
  });

  test("gt and lt are exclusive, gte and lte inclusive", () => {
    expect(inCreatedAtRange({ gte: t, lte: t }, t)).toBe(true);
    expect(inCreatedAtRange({ gt: t }, t)).toBe(false);
    expect(inCreatedAtRange({ lt: t }, t)).toBe(false);
    expect(inCreatedAtRange({ gt: "2026-11-28T12:00:00.499Z", lt: "2026-11-28T12:00:00.501Z" }, t)).toBe(
      true,
    );
  });

  test("instants are compared, whatever the offset or precision the bound is written in", () => {
    expect(inCreatedAtRange({ gte: "2026-11-28T13:00:00+01:00" }, t)).toBe(true);
    expect(inCreatedAtRange({ lte: "2026-11-28T13:00:00+01:00" }, t)).toBe(false);
    expect(inCreatedAtRange({ lte: "2026-11-28T12:00:01Z" }, t)).toBe(true);
  });

  test("bounds must be RFC 3339 times, and only the four named bounds are kept (the gateway refuses others by name)", () => {
    expect(CreatedAtRange.safeParse({ gte: "yesterday" }).success).toBe(false);
    expect(CreatedAtRange.safeParse({ gte: "2026-11-28" }).success).toBe(false);
    expect(CreatedAtRange.parse({ after: t, gt: t })).toEqual({ gt: t });
    expect(CreatedAtRange.safeParse({ gt: t, lte: t }).success).toBe(true);
  });
});
