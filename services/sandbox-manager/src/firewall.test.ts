import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";
import { isolateBridgeFromHost, releaseHostPorts } from "./firewall.js";
import { firewallOwner, releaseDeadOwners, ruleArgs } from "./firewall-owner.js";

const run = promisify(execFile);
// A bridge name no real network has: iptables matches interfaces by name, so rules can name it anyway.
const bridge = `csbt-${randomBytes(4).toString("hex")}`;

const rulesOf = async () =>
  (await run("iptables", ["-S", "INPUT"])).stdout.split("\n").filter((line) => line.includes(` ${bridge} `));

afterAll(async () => {
  for (const rule of await rulesOf()) await run("iptables", ["-D", ...ruleArgs(rule).slice(1)]);
});

test("each manager's port rule is its own: one manager stopping takes back only its rules", async () => {
  await isolateBridgeFromHost(bridge, [41001], "corral-sandbox-manager a");
  await isolateBridgeFromHost(bridge, [41001, 41002], "corral-sandbox-manager b");
  const ports = (rules: string[]) => rules.filter((r) => r.includes("--dport")).length;
  expect(ports(await rulesOf())).toBe(3);
  expect((await rulesOf()).at(-1)).toContain("-j DROP");

  await releaseHostPorts(bridge, [41001], "corral-sandbox-manager a");
  const left = await rulesOf();
  expect(ports(left)).toBe(2);
  expect(left.filter((r) => r.includes("--dport 41001")).join("\n")).toContain("manager b");

  await releaseHostPorts(bridge, [41001, 41002], "corral-sandbox-manager b");
  await releaseHostPorts(bridge, [41001], "corral-sandbox-manager b"); // already gone: no failure
  const after = await rulesOf();
  expect(ports(after)).toBe(0);
  // The bridge stays cut off from the host: only the DROP (and the replies' ACCEPT) remain.
  expect(after.at(-1)).toContain("-j DROP");
});

test("a manager that died without its stop has its port rules removed by the next one; live owners keep theirs", async () => {
  // A real process, killed: its PID is dead when the next manager starts.
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
  await new Promise((resolve) => child.once("spawn", resolve));
  const deadOwner = firewallOwner("host-a", "dead", child.pid);
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  const liveOwner = firewallOwner("host-a", "live");
  const foreignOwner = "corral-sandbox-manager host-b pid:[1]/1 other-namespace";
  await isolateBridgeFromHost(bridge, [41003], deadOwner);
  await isolateBridgeFromHost(bridge, [41003, 41004], liveOwner);
  await isolateBridgeFromHost(bridge, [41005], foreignOwner);

  expect(await releaseDeadOwners(bridge)).toBe(1);
  const left = (await rulesOf()).filter((r) => r.includes("--dport"));
  expect(left.some((r) => r.includes(" dead"))).toBe(false);
  expect(left.filter((r) => r.includes(" live"))).toHaveLength(2);
  // Another PID namespace's marks mean nothing here: left alone.
  expect(left.filter((r) => r.includes("other-namespace"))).toHaveLength(1);
  expect(await releaseDeadOwners(bridge)).toBe(0);
});

test("rule lines are split with their quoted comment whole", () => {
  expect(
    ruleArgs('-A INPUT -i br0 -m comment --comment "corral-sandbox-manager h pid:[4]/9 n" -j ACCEPT'),
  ).toEqual([
    "-A",
    "INPUT",
    "-i",
    "br0",
    "-m",
    "comment",
    "--comment",
    "corral-sandbox-manager h pid:[4]/9 n",
    "-j",
    "ACCEPT",
  ]);
});
