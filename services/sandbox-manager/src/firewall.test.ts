import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";
import { isolateBridgeFromHost, releaseHostPorts } from "./firewall.js";

const run = promisify(execFile);
// A bridge name no real network has: iptables matches interfaces by name, so rules can name it anyway.
const bridge = `csbt-${randomBytes(4).toString("hex")}`;

const rulesOf = async () =>
  (await run("iptables", ["-S", "INPUT"])).stdout.split("\n").filter((line) => line.includes(` ${bridge} `));

afterAll(async () => {
  for (const rule of await rulesOf()) await run("iptables", ["-D", ...rule.replace(/^-A /, "").split(" ")]);
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
