import { describe, expect, test } from "vitest";
import { applyMetadataPatch, MetadataPatch } from "./metadata-patch.js";
import { CorralError } from "./errors.js";

const bag = (n: number, prefix = "k") =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));

describe("applyMetadataPatch", () => {
  test("a string upserts a key, null deletes it, other keys stay", () => {
    expect(applyMetadataPatch({ a: "1", b: "2" }, { a: null, b: "3", c: "4" })).toEqual({ b: "3", c: "4" });
  });

  test("null or absent keeps the bag; an empty string is a value unless emptyDeletes", () => {
    expect(applyMetadataPatch({ a: "1" }, null)).toEqual({ a: "1" });
    expect(applyMetadataPatch({ a: "1" }, undefined)).toEqual({ a: "1" });
    expect(applyMetadataPatch({ a: "1" }, { a: "" })).toEqual({ a: "" });
    expect(applyMetadataPatch({ a: "1", b: "2" }, { a: "" }, { emptyDeletes: true })).toEqual({ b: "2" });
  });

  test("the 16-key limit is checked on the result, not on the patch", () => {
    const current = bag(16);
    const swap = { ...Object.fromEntries(Object.keys(bag(10)).map((k) => [k, null])), ...bag(10, "n") };
    expect(MetadataPatch.safeParse(swap).success).toBe(true);
    expect(Object.keys(applyMetadataPatch(current, swap))).toHaveLength(16);
    expect(() => applyMetadataPatch(current, { extra: "v" })).toThrow(CorralError);
    expect(() => applyMetadataPatch(current, { extra: "v" })).toThrow(/17 keys, at most 16/);
  });

  test("a patch is bounded: keys of 1-64 characters, values up to 512, at most 32 keys", () => {
    expect(MetadataPatch.safeParse(bag(33)).success).toBe(false);
    expect(MetadataPatch.safeParse({ ["k".repeat(65)]: "v" }).success).toBe(false);
    expect(MetadataPatch.safeParse({ k: "v".repeat(513) }).success).toBe(false);
    expect(MetadataPatch.safeParse({ "": "v" }).success).toBe(false);
  });
});
