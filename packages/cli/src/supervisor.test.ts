import { afterEach, expect, test } from "vitest";
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@corral/testing";
import { supervise, type ProcessSpec, type Supervisor } from "./supervisor.js";

const dir = mkdtempSync(join(tmpdir(), "corral-supervisor-"));
const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

function script(name: string, source: string): ProcessSpec {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, source);
  return { name, command: process.execPath, args: [file] };
}

function start(specs: ProcessSpec[], options: { baseMs?: number; maxMs?: number; graceMs?: number } = {}) {
  const lines: Array<{ line: string; at: number }> = [];
  const supervisor = supervise(specs, {
    cwd: dir,
    report: (line) => void lines.push({ line, at: Date.now() }),
    backoff: { baseMs: options.baseMs ?? 100, maxMs: options.maxMs ?? 400, stableMs: 30_000 },
    graceMs: options.graceMs ?? 10_000,
  });
  running.push(supervisor);
  return { supervisor, lines };
}

/** Alive means running: a zombie left for init to reap is not a process anyone can talk to. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  return !existsSync(stat) || !/^\d+ \(.*\) Z/.test(readFileSync(stat, "utf8"));
}

test("prints each restart with the exit code and count, and waits longer while the crashes go on", async () => {
  const { lines } = start([script("crasher", "process.exit(3);")]);
  await waitFor(() => lines.length >= 5, { timeoutMs: 20_000 });
  expect(lines.slice(0, 5).map((l) => l.line)).toEqual([
    "corral: crasher exited with code 3; restart 1 in 100 ms",
    "corral: crasher exited with code 3; restart 2 in 200 ms",
    "corral: crasher exited with code 3; restart 3 in 400 ms",
    "corral: crasher exited with code 3; restart 4 in 400 ms",
    "corral: crasher exited with code 3; restart 5 in 400 ms",
  ]);
  // The next crash can only be reported after the announced wait (plus a process start).
  const gaps = lines.slice(1, 5).map((l, i) => l.at - lines[i]!.at);
  expect(gaps[0]).toBeGreaterThanOrEqual(100);
  expect(gaps[1]).toBeGreaterThanOrEqual(200);
  expect(gaps[2]).toBeGreaterThanOrEqual(400);
});

test("a process killed by a signal is reported with the signal", async () => {
  const { lines } = start([script("self-killer", "process.kill(process.pid, 'SIGKILL');")], {
    baseMs: 5_000,
    maxMs: 5_000,
  });
  await waitFor(() => lines.length >= 1, { timeoutMs: 10_000 });
  expect(lines[0]!.line).toBe("corral: self-killer killed by SIGKILL; restart 1 in 5000 ms");
});

test("stop during a restart's wait returns at once and starts nothing more", async () => {
  const { supervisor, lines } = start([script("crasher", "process.exit(1);")], {
    baseMs: 30_000,
    maxMs: 30_000,
  });
  await waitFor(() => lines.length >= 1, { timeoutMs: 10_000 });
  // The wait is 30 s: a stop that sat it out would outlast the test.
  await supervisor.stop();
  expect(lines).toHaveLength(1);
});

test("stop lets a process exit on SIGTERM, without reporting a restart", async () => {
  const pidFile = join(dir, "polite.pid");
  const spec = script(
    "polite",
    `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
     process.on("SIGTERM", () => { require("fs").writeFileSync(${JSON.stringify(pidFile + ".term")}, "term"); process.exit(0); });
     setInterval(() => {}, 1000);`,
  );
  const { supervisor, lines } = start([spec]);
  const pid = await waitFor(() => existsSync(pidFile) && Number(readFileSync(pidFile, "utf8")));
  await supervisor.stop();
  expect(existsSync(`${pidFile}.term`)).toBe(true); // it ended on the SIGTERM, not on a SIGKILL
  expect(alive(pid)).toBe(false);
  expect(lines).toEqual([]);
});

test("stop sends SIGKILL after the grace period and leaves no process behind, children included", async () => {
  const pidFile = join(dir, "stubborn.pids");
  const spec = script(
    "stubborn",
    `const { spawn } = require("child_process");
     const child = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });
     require("fs").writeFileSync(${JSON.stringify(pidFile)}, process.pid + " " + child.pid);
     process.on("SIGTERM", () => require("fs").writeFileSync(${JSON.stringify(pidFile + ".term")}, "term"));
     setInterval(() => {}, 1000);`,
  );
  const { supervisor, lines } = start([spec], { graceMs: 500 });
  const pids = await waitFor(
    () => existsSync(pidFile) && readFileSync(pidFile, "utf8").split(" ").map(Number),
  );
  expect(pids.every(alive)).toBe(true);
  await supervisor.stop();
  expect(existsSync(`${pidFile}.term`)).toBe(true); // SIGTERM first; the SIGKILL only after it was ignored
  await waitFor(() => !pids.some(alive), { timeoutMs: 5_000, message: `still running: ${pids.join(" ")}` });
  expect(lines).toEqual([]);
});
