import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

// The README's API coverage table is generated from the SDK's resource modules and the gateway's route table;
// this fails when either moved and the table was not written again.
test("the README's API coverage table is the one scripts/api-coverage.ts writes", () => {
  const run = () =>
    execFileSync(process.execPath, ["--import", "tsx", "scripts/api-coverage.ts", "--check"], {
      encoding: "utf8",
      stdio: "pipe",
    });
  expect(run).not.toThrow();
});

test("the table lists every memory store method as served", () => {
  const readme = readFileSync("README.md", "utf8");
  const memory = readme.split("\n").filter((line) => line.startsWith("| `memory_stores."));
  expect(memory).toHaveLength(14);
  for (const line of memory) expect(line).toMatch(/\| yes \|$/);
});
