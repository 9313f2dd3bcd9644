import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { EXECUTOR_PATH } from "./config.js";
import { installExecutor } from "./executor-install.js";

test("the executor is copied into the state directory once, and again only when it changed", () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), "corral-exec-")), "state");
  const installed = installExecutor(EXECUTOR_PATH, stateDir);
  expect(installed).toBe(join(stateDir, "corral_exec.py"));
  expect(readFileSync(installed)).toEqual(readFileSync(EXECUTOR_PATH));
  const inode = statSync(installed).ino;
  installExecutor(EXECUTOR_PATH, stateDir);
  expect(statSync(installed).ino).toBe(inode);

  const changed = join(stateDir, "..", "newer.py");
  writeFileSync(changed, "print('newer')\n");
  installExecutor(changed, stateDir);
  expect(readFileSync(installed, "utf8")).toBe("print('newer')\n");
  expect(statSync(installed).ino).not.toBe(inode);
});
