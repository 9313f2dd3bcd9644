import { expect, test } from "vitest";
import { ownObjectStore, readObjectStore } from "./object-store-grants.js";

test("a reader of an object store may not publish its chunks or records, purge or update it", () => {
  const read = readObjectStore("corral_files").publish;
  expect(read).toContain("$JS.API.STREAM.MSG.GET.OBJ_corral_files");
  expect(read).toContain("$JS.API.CONSUMER.CREATE.OBJ_corral_files.>");
  expect(read.some((s) => s.startsWith("$O."))).toBe(false);
  expect(read).not.toContain("$JS.API.STREAM.PURGE.OBJ_corral_files");
  expect(read).not.toContain("$JS.API.STREAM.UPDATE.OBJ_corral_files");
});

test("the owner of an object store writes its objects and purges their chunks", () => {
  const own = ownObjectStore("corral_files").publish;
  expect(own).toContain("$O.corral_files.>");
  expect(own).toContain("$JS.API.STREAM.PURGE.OBJ_corral_files");
  expect(own).toContain("$JS.API.STREAM.CREATE.OBJ_corral_files");
});
