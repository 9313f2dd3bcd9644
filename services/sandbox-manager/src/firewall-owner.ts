import { execFile } from "node:child_process";
import { readlinkSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

const OWNER_PREFIX = "corral-sandbox-manager";

/** This process's PID namespace (`pid:[4026531836]`): a PID means a process only inside its namespace. */
function pidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid").replace(/[^A-Za-z0-9:[\]]/g, "");
  } catch {
    return "unknown";
  }
}

/**
 * The comment that marks the firewall rules one manager adds: its host, its process (namespace and PID)
 * and a random part, so no two managers share a mark even on one host and port. The process part lets a
 * later manager tell that the one which added a rule is dead (`releaseDeadOwners`).
 */
export function firewallOwner(hostId: string, nonce: string, pid = process.pid): string {
  return `${OWNER_PREFIX} ${hostId} ${pidNamespace()}/${pid} ${nonce}`.slice(0, 240);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Splits one line of `iptables -S` into its arguments (a comment with spaces is double-quoted). */
export function ruleArgs(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The PID of the manager that added a rule, if its mark says it ran in this PID namespace. */
function ownerPid(args: string[]): number | null {
  const at = args.indexOf("--comment");
  const parts = at >= 0 ? (args[at + 1] ?? "").split(" ") : [];
  if (parts[0] !== OWNER_PREFIX || parts.length < 4) return null;
  const [ns, pid] = (parts[2] ?? "").split("/");
  if (ns !== pidNamespace() || !/^\d+$/.test(pid ?? "")) return null;
  return Number(pid);
}

/**
 * Removes the port rules on `bridge` whose manager is dead: one killed without its stop (SIGKILL, OOM, a
 * lost power) could not take back its rules, and a rule left behind lets every later sandbox reach
 * whatever host service binds that port next. Only marks from this PID namespace are judged (another
 * namespace's PIDs mean nothing here); a PID reused by another process keeps its rule, the safe side.
 * Returns how many rules were removed.
 */
export async function releaseDeadOwners(bridge: string, alive = isAlive): Promise<number> {
  const { stdout } = await run("iptables", ["-S", "INPUT"]);
  let removed = 0;
  for (const line of stdout.split("\n")) {
    const args = ruleArgs(line);
    if (args[0] !== "-A" || args[args.indexOf("-i") + 1] !== bridge) continue;
    const pid = ownerPid(args);
    if (pid === null || alive(pid)) continue;
    await run("iptables", ["-D", ...args.slice(1)]).then(
      () => removed++,
      () => undefined, // removed meanwhile by another manager starting
    );
  }
  return removed;
}
