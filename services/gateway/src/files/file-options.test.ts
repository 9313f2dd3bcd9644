import { expect, test } from "vitest";
import { DEFAULT_FILE_OPTIONS, MAX_FILE_BYTES_CEILING, fileOptionsFromEnv } from "./file-options.js";

test("file settings default to 100 MiB and a minute's sweep", () => {
  expect(fileOptionsFromEnv({})).toEqual(DEFAULT_FILE_OPTIONS);
  expect(DEFAULT_FILE_OPTIONS.maxBytes).toBe(100 * 1024 * 1024);
});

test("a size limit outside 1 byte to the ceiling, or not an integer, stops the start", () => {
  expect(() => fileOptionsFromEnv({ GATEWAY_MAX_FILE_BYTES: "0" })).toThrow(/GATEWAY_MAX_FILE_BYTES/);
  expect(() => fileOptionsFromEnv({ GATEWAY_MAX_FILE_BYTES: String(MAX_FILE_BYTES_CEILING + 1) })).toThrow();
  expect(() => fileOptionsFromEnv({ GATEWAY_MAX_FILE_BYTES: "lots" })).toThrow();
  expect(() => fileOptionsFromEnv({ GATEWAY_FILE_SWEEP_MS: "5" })).toThrow(/GATEWAY_FILE_SWEEP_MS/);
  expect(fileOptionsFromEnv({ GATEWAY_MAX_FILE_BYTES: "1024" }).maxBytes).toBe(1024);
});
