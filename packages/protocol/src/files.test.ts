import { expect, test } from "vitest";
import { FileUploadFields, isFileExpired } from "./files.js";

test("expires_in_seconds is one hour to ninety days, whole seconds, from form text", () => {
  expect(FileUploadFields.parse({ expires_in_seconds: "3600" })).toEqual({ expires_in_seconds: 3600 });
  expect(FileUploadFields.parse({})).toEqual({});
  for (const bad of ["3599", "7776001", "1.5", "soon", ""])
    expect(FileUploadFields.safeParse({ expires_in_seconds: bad }).success).toBe(false);
});

test("a file expires at its expires_at, and one without never does", () => {
  const at = "2026-01-01T00:00:00.000Z";
  expect(isFileExpired({ expires_at: at }, Date.parse(at) - 1)).toBe(false);
  expect(isFileExpired({ expires_at: at }, Date.parse(at))).toBe(true);
  expect(isFileExpired({ expires_at: null }, Number.MAX_SAFE_INTEGER)).toBe(false);
});
