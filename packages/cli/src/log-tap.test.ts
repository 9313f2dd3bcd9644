import { afterEach, expect, test } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@corral/testing";
import { humanLine } from "./log-tap.js";
import { supervise, type Supervisor } from "./supervisor.js";

const dir = mkdtempSync(join(tmpdir(), "corral-logs-"));
const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

test("a service's output goes to its log file; the console gets it up, its errors and its crash's cause", async () => {
  const file = join(dir, "svc.cjs");
  writeFileSync(
    file,
    [
      'console.log(JSON.stringify({ level: 30, msg: "svc started" }));',
      'console.log(JSON.stringify({ level: 30, msg: "an ordinary line" }));',
      'console.log(JSON.stringify({ level: 50, msg: "session run failed", session_id: "sesn_1", err: { message: "boom" } }));',
      'setTimeout(() => { throw new TypeError("the cause"); }, 50);',
    ].join("\n"),
  );
  const lines: string[] = [];
  const logDir = join(dir, "logs");
  const supervisor = supervise([{ name: "svc", command: process.execPath, args: [file] }], {
    cwd: dir,
    report: (line) => void lines.push(line),
    backoff: { baseMs: 60_000, maxMs: 60_000, stableMs: 60_000 },
    logDir,
  });
  running.push(supervisor);
  await waitFor(() => lines.some((l) => l.includes("restart 1")), { timeoutMs: 10_000 });
  expect(lines[0]).toBe("corral: svc up");
  expect(lines[1]).toBe("corral: svc: session run failed (session sesn_1): boom");
  expect(lines[2]).toMatch(/^corral: svc exited with code 1 \(TypeError: the cause\); restart 1 in/);
  expect(lines).toHaveLength(3);
  const log = readFileSync(join(logDir, "svc.log"), "utf8");
  expect(log).toContain('"msg":"an ordinary line"');
  expect(log).toContain("TypeError: the cause");
});

test("only a start and errors make a human line", () => {
  expect(humanLine("x", { level: 30, msg: "gateway started" })).toBe("corral: x up");
  expect(humanLine("x", { level: 40, msg: "retrying" })).toBeNull();
  expect(humanLine("x", { level: 60, msg: "fatal" })).toBe("corral: x: fatal");
});
