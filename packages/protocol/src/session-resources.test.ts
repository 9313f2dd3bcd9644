import { expect, test } from "vitest";
import { mountPathProblem, outputFileId, SessionResourceParams, SessionRecord } from "./index.js";

test("mount paths: absolute, under /mnt, no . or .., no NUL, not over Corral's own folders", () => {
  expect(mountPathProblem("/mnt/data/x.csv")).toBeNull();
  expect(mountPathProblem("mnt/x")).toMatch(/absolute/);
  expect(mountPathProblem("/mnt/a/../etc")).toMatch(/\.\./);
  expect(mountPathProblem("/mnt/a\0b")).toMatch(/NUL/);
  expect(mountPathProblem("/mnt/a//b")).toMatch(/empty/);
  expect(mountPathProblem("/etc/passwd")).toMatch(/under \/mnt/);
  expect(mountPathProblem("/mnt/session/outputs/x")).toMatch(/kept for Corral/);
  expect(mountPathProblem("/mnt/session")).toMatch(/kept for Corral/);
  expect(mountPathProblem("/mnt/memory/x")).toMatch(/kept for Corral/);
});

test("resources are strict: an unknown kind or field is refused", () => {
  const file = { type: "file", file_id: "file_01" };
  expect(SessionResourceParams.safeParse(file).success).toBe(true);
  expect(SessionResourceParams.safeParse({ ...file, extra: 1 }).success).toBe(false);
  expect(SessionResourceParams.safeParse({ type: "directory" }).success).toBe(false);
  expect(
    SessionResourceParams.safeParse({ type: "memory_store", memory_store_id: "memstore_1", access: "rw" })
      .success,
  ).toBe(false);
});

test("a record stored before resources were checked stays readable; its unchecked entries are left out", () => {
  const now = new Date().toISOString();
  const kept = {
    id: "sesrsc_01",
    type: "file",
    file_id: "file_01",
    mount_path: "/mnt/x",
    created_at: now,
    updated_at: now,
  };
  const parsed = SessionRecord.shape.resources.parse([
    { type: "file", file_id: "file_01" },
    { type: "x" },
    kept,
  ]);
  expect(parsed).toEqual([kept]);
});

test("an output's id is the same for the same version and ordered by its modification time", () => {
  const a = outputFileId("sesn_1", "report.md", 10, 1_700_000_000_000);
  expect(outputFileId("sesn_1", "report.md", 10, 1_700_000_000_000)).toBe(a);
  expect(outputFileId("sesn_1", "report.md", 11, 1_700_000_000_000)).not.toBe(a);
  expect(outputFileId("sesn_2", "report.md", 10, 1_700_000_000_000)).not.toBe(a);
  expect(outputFileId("sesn_1", "report.md", 10, 1_700_000_001_000) > a).toBe(true);
  expect(a).toMatch(/^file_[0-9A-Z]{26}$/);
});
