import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { SANDBOX_RPC, sandboxSubject, type SandboxRecord } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, type TestSystem } from "@corral/testing";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { docker, provision, removeTestContainers, runTool, startManager } from "./testing.js";

let system: TestSystem;
let mgr: Awaited<ReturnType<typeof startManager>>;
let bus: Bus;
let sandbox: SandboxRecord;

const toolId = () => `toolu_${randomBytes(8).toString("hex")}`;
const sessionId = () => `sesn_${randomBytes(10).toString("hex")}`;

const run = (name: string, input: Record<string, unknown>, id = toolId(), sbx = sandbox) =>
  runTool(bus, sbx, name, input, { toolUseId: id });

beforeAll(async () => {
  system = await startSystem("client");
  mgr = await startManager(system.nats.url);
  bus = system.bus;
  sandbox = await provision(bus, sessionId());
});

afterAll(async () => {
  await mgr.close();
  await system.stop();
  await removeTestContainers();
});

test("bash returns the exit code and both streams, and the shell keeps cwd and exported variables", async () => {
  await expect(run("bash", { command: "echo out; echo err >&2; false" })).resolves.toEqual({
    content: "exit code: 1\nstdout:\nout\n\nstderr:\nerr\n",
    is_error: true,
  });
  await expect(run("bash", { command: "exit 3" })).resolves.toEqual({
    content: "exit code: 3\n(no output)\n(the shell exited and will be restarted)",
    is_error: true,
  });
  await run("bash", { command: "mkdir -p sub && cd sub && export GREETING=hello" });
  const second = await run("bash", { command: 'pwd; echo "$GREETING"' });
  expect(second).toEqual({ content: "exit code: 0\nstdout:\n/workspace/sub\nhello\n", is_error: false });
  const restarted = await run("bash", { command: "pwd", restart: true });
  expect(restarted.content).toContain("/workspace\n");
});

test("a runaway command is killed at its timeout and the sandbox stays usable", async () => {
  const result = await run("bash", { command: "sleep 30; echo never", timeout_ms: 500 });
  expect(result).toMatchObject({
    is_error: true,
    content: expect.stringContaining("timed out after 500 ms"),
  });
  expect(await run("bash", { command: "echo alive" })).toMatchObject({
    is_error: false,
    content: expect.stringContaining("alive"),
  });
});

test("long output is truncated with a clear marker", async () => {
  const result = await run("bash", { command: "head -c 300000 /dev/zero | tr '\\0' a" });
  expect(result.content).toMatch(/\[output truncated: 102400 of 3000\d\d bytes shown\]$/);
});

test("write, read with ranges and edit round-trip; binary files are refused", async () => {
  await expect(
    run("write", { file_path: "notes/a.txt", content: "one\ntwo\nthree\n" }),
  ).resolves.toMatchObject({ is_error: false });
  await expect(run("read", { file_path: "/workspace/notes/a.txt", view_range: [2, 3] })).resolves.toEqual({
    content: "     2\ttwo\n     3\tthree",
    is_error: false,
  });
  await expect(
    run("edit", { file_path: "notes/a.txt", old_string: "two", new_string: "2" }),
  ).resolves.toMatchObject({ is_error: false });
  await expect(run("read", { file_path: "notes/a.txt" })).resolves.toMatchObject({
    content: "     1\tone\n     2\t2\n     3\tthree",
  });
  await run("bash", { command: "printf 'a\\0b' > bin.dat" });
  await expect(run("read", { file_path: "bin.dat" })).resolves.toEqual({
    content: "bin.dat is a binary file; only text files can be read",
    is_error: true,
  });
});

test("edit must match exactly once unless replace_all, with a clear error otherwise", async () => {
  await run("write", { file_path: "e.txt", content: "x x x" });
  await expect(run("edit", { file_path: "e.txt", old_string: "y", new_string: "z" })).resolves.toEqual({
    content: "old_string was not found in e.txt",
    is_error: true,
  });
  await expect(run("edit", { file_path: "e.txt", old_string: "x", new_string: "z" })).resolves.toMatchObject({
    is_error: true,
    content: expect.stringContaining("matches 3 times"),
  });
  await expect(
    run("edit", { file_path: "e.txt", old_string: "x", new_string: "z", replace_all: true }),
  ).resolves.toMatchObject({ is_error: false });
  await expect(run("read", { file_path: "e.txt" })).resolves.toMatchObject({ content: "     1\tz z z" });
});

test("writes outside the workspace are refused; the root filesystem is read-only anyway", async () => {
  await expect(run("write", { file_path: "/etc/passwd", content: "x" })).resolves.toMatchObject({
    is_error: true,
    content: expect.stringContaining("outside the workspace"),
  });
  await expect(run("write", { file_path: "../../etc/x", content: "x" })).resolves.toMatchObject({
    is_error: true,
  });
  await expect(run("bash", { command: "touch /usr/x" })).resolves.toMatchObject({
    is_error: true,
    content: expect.stringContaining("Read-only file system"),
  });
});

test("glob lists newest first and grep prints file:line:text", async () => {
  await run("bash", {
    command:
      "mkdir -p g && echo 'needle one' > g/a.py && sleep 1.1 && echo 'hay' > g/b.py && echo 'needle two' > g/c.txt",
  });
  const globbed = await run("glob", { pattern: "g/**/*.py" });
  expect(globbed.content.split("\n")).toEqual(["/workspace/g/b.py", "/workspace/g/a.py"]);
  const grepped = await run("grep", { pattern: "needle", path: "g" });
  expect(grepped.content.trim().split("\n").sort()).toEqual([
    "/workspace/g/a.py:1:needle one",
    "/workspace/g/c.txt:1:needle two",
  ]);
  await expect(run("grep", { pattern: "absent-word", path: "g" })).resolves.toEqual({
    content: "No matches found.",
    is_error: false,
  });
});

test("unknown tools and malformed input are error results; malformed requests are typed errors", async () => {
  await expect(run("teleport", {})).resolves.toMatchObject({
    is_error: true,
    content: expect.stringContaining("unknown tool teleport"),
  });
  await expect(run("read", { path: "x" })).resolves.toMatchObject({
    is_error: true,
    content: expect.stringContaining("file_path"),
  });
  await expect(
    request(
      bus,
      SANDBOX_RPC.execute,
      { sandbox_id: sandbox.id, tool_use_id: "bad id!", name: "bash", input: {} },
      { subject: sandboxSubject(sandbox.id, "exec") },
    ),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  await expect(
    request(
      bus,
      SANDBOX_RPC.execute,
      { sandbox_id: "sbx_0000000000NOSUCH", tool_use_id: toolId(), name: "bash", input: {} },
      { subject: sandboxSubject("sbx_0000000000NOSUCH", "exec"), timeoutMs: 2000 },
    ),
  ).rejects.toMatchObject({ code: "UNAVAILABLE" });
  await expect(request(bus, SANDBOX_RPC.get, { sandbox_id: "sbx_0000000000NOSUCH" })).rejects.toMatchObject({
    code: "NOT_FOUND",
  });
});

test("one tool_use_id runs once: repeated and concurrent duplicates get the first result", async () => {
  const id = toolId();
  const results = await Promise.all(
    Array.from({ length: 5 }, () =>
      run("bash", { command: "echo x >> /workspace/once.log; wc -l < /workspace/once.log" }, id),
    ),
  );
  expect(new Set(results.map((r) => r.content)).size).toBe(1);
  await run("bash", { command: "true" }, id);
  const count = await run("bash", { command: "wc -l < /workspace/once.log" });
  expect(count.content).toContain("stdout:\n1\n");
});

test("the sandbox runs as a non-root user with no capabilities and no way out", async () => {
  const who = await run("bash", {
    command: "id -u; grep CapEff /proc/self/status; cat /proc/self/status | grep NoNewPrivs",
  });
  expect(who.content).toContain("1000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1");
  const internet = await run("bash", {
    command: "curl -s -m 3 http://1.1.1.1 || echo unreachable",
    timeout_ms: 10_000,
  });
  expect(internet.content).toContain("unreachable");
});

test("the sandbox cannot reach host services (nor NATS) through its gateway, nor another sandbox", async () => {
  const listener = createServer((socket) => socket.end("hello from the host\n"));
  await new Promise<void>((resolve) => listener.listen(0, "0.0.0.0", resolve));
  const hostPort = (listener.address() as AddressInfo).port;
  try {
    const probe = (ip: string, port: number) =>
      run("bash", {
        command: `python3 -c "import socket,sys; s=socket.socket(); s.settimeout(2); print('open' if s.connect_ex((sys.argv[1], int(sys.argv[2])))==0 else 'closed')" ${ip} ${port}`,
        timeout_ms: 10_000,
      });
    const hostIp = await sandboxGateway();
    await expect(probe(hostIp, hostPort)).resolves.toMatchObject({
      content: expect.stringContaining("closed"),
    });
    await expect(probe(hostIp, system.nats.port)).resolves.toMatchObject({
      content: expect.stringContaining("closed"),
    });
    await expect(probe("172.17.0.1", hostPort)).resolves.toMatchObject({
      content: expect.stringContaining("closed"),
    });
    const other = await provision(bus, sessionId());
    await run(
      "bash",
      { command: "(setsid python3 -m http.server 8080 --bind 0.0.0.0 > /dev/null 2>&1 &); sleep 1" },
      toolId(),
      other,
    );
    // The probe does see an open port: the other sandbox reaches its own server.
    const self = await run(
      "bash",
      {
        command: `python3 -c "import socket; s=socket.socket(); s.settimeout(2); print('open' if s.connect_ex(('127.0.0.1', 8080))==0 else 'closed')"`,
      },
      toolId(),
      other,
    );
    expect(self.content).toContain("open");
    const otherIp = (await run("bash", { command: "hostname -I" }, toolId(), other)).content.match(
      /stdout:\n(\S+)/,
    )?.[1];
    expect(otherIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await expect(probe(otherIp!, 8080)).resolves.toMatchObject({
      content: expect.stringContaining("closed"),
    });
  } finally {
    listener.close();
  }
});

async function sandboxGateway(): Promise<string> {
  const network = await docker.getNetwork(mgr.config.network).inspect();
  return (network as { IPAM: { Config: Array<{ Gateway: string }> } }).IPAM.Config[0]!.Gateway;
}
