import { expect, test } from "vitest";
import { parseOutputLine } from "./session-outputs-scan.js";

test("a listed output is taken only as a plain path below the outputs folder", () => {
  expect(parseOutputLine("12 1795891687.825448554 sub/report.md")).toEqual({
    path: "sub/report.md",
    size: 12,
    mtimeMs: 1795891687825,
  });
  for (const path of [
    "../etc/shadow",
    "a/../../x",
    "/etc/passwd",
    "./a",
    "a//b",
    "a/",
    "x\ny",
    "a".repeat(1025),
  ])
    expect(parseOutputLine(`1 1795891687.8 ${path}`), path).toBeNull();
  expect(parseOutputLine("not a listing")).toBeNull();
});
