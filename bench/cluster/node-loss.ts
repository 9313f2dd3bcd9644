import { setTimeout as sleep } from "node:timers/promises";
import { CORRAL_STREAMS, connectBus, readLeaders, type Bus, type StreamLeaders } from "@corral/bus";
import { busConfigFor, type NatsCluster } from "@corral/testing";

export interface NodeLoss {
  node: string;
  /** Raft groups (streams and durable consumers) the node led when it was killed. */
  led: string[];
  killedAt: number;
  /** Per group it led: ms from the SIGKILL until another node leads it (null: not within the bound). */
  electionsMs: Map<string, number | null>;
  restartedAt: number;
}

const ELECTION_BOUND_MS = 30_000;

function groupsLedBy(leaders: readonly StreamLeaders[]): Map<string, string[]> {
  const by = new Map<string, string[]>();
  const add = (node: string | null, group: string) => node && by.set(node, [...(by.get(node) ?? []), group]);
  for (const s of leaders) {
    add(s.leader, s.stream);
    for (const c of s.consumers) add(c.leader, `${s.stream}/${c.name}`);
  }
  return by;
}

function leaderOf(leaders: readonly StreamLeaders[], group: string): string | null {
  const [stream, consumer] = group.split("/");
  const s = leaders.find((l) => l.stream === stream);
  return (consumer ? s?.consumers.find((c) => c.name === consumer)?.leader : s?.leader) ?? null;
}

/** Polls the groups `node` led until each has another leader; ms from `killedAt` per group. */
async function timeElections(bus: Bus, node: string, led: string[], killedAt: number) {
  const elections = new Map<string, number | null>(led.map((g) => [g, null]));
  const streams = [...new Set(led.map((g) => g.split("/")[0]!))];
  while ([...elections.values()].includes(null) && Date.now() - killedAt < ELECTION_BOUND_MS) {
    const leaders = await readLeaders(bus, streams, 500);
    const now = Date.now();
    for (const group of led) {
      const leader = leaderOf(leaders, group);
      if (elections.get(group) === null && leader !== null && leader !== node)
        elections.set(group, now - killedAt);
    }
    await sleep(100);
  }
  return elections;
}

/**
 * SIGKILLs the cluster node that leads the most streams and durable consumers, times each election it
 * causes, and starts the node again after `downMs` (over its data, as a crashed machine comes back).
 */
export async function loseLeadingNode(cluster: NatsCluster, bus: Bus, downMs: number): Promise<NodeLoss> {
  const by = groupsLedBy(await readLeaders(bus, CORRAL_STREAMS));
  const [node, led] = [...by.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  const index = Number(node.replace(/^n/, "")) - 1;
  // Asked through a node that stays up, so a reconnect of the bench's own client is not timed.
  const survivor = cluster.nodeUrls[(index + 1) % cluster.nodeUrls.length]!;
  const probe = await connectBus(busConfigFor(survivor, "admin", "bench-election-probe"));
  const killedAt = Date.now();
  let restartedAt = 0;
  const restarting = cluster.restart(index, downMs).then(() => (restartedAt = Date.now()));
  try {
    const electionsMs = await timeElections(probe, node, led, killedAt);
    await restarting;
    return { node, led, killedAt, electionsMs, restartedAt };
  } finally {
    await probe.close();
  }
}
