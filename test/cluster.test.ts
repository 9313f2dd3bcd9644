import { afterAll, beforeAll, test } from "vitest";
import { CORRAL_STREAMS, verifyReplicas } from "@corral/bus";
import { startNatsCluster, type NatsCluster } from "@corral/testing";
import { sessionsUnderChaos, startScenario, type Scenario } from "./support/chaos-scenario.js";

/**
 * The same sessions on a 3-node JetStream cluster with every stream and bucket at R3: one node is
 * SIGKILLed and started again while every service is killed at random moments. A node loss harms no
 * session: every one finishes with its answer, none stranded, no step twice, no tool error.
 */
const SESSIONS = Number(process.env.CLUSTER_SESSIONS ?? 30);
const CHAOS_MS = Number(process.env.CHAOS_MS ?? 45_000);

let cluster: NatsCluster;
let scenario: Scenario;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  scenario = await startScenario(cluster, { streamReplicas: 3 });
}, 180_000);

afterAll(async () => {
  await scenario?.stop();
  await cluster?.stop();
});

test("30 sessions on a 3-node cluster at R3 while a node and every service are SIGKILLed: all finish, nothing twice", async () => {
  // Every stream and bucket the services made is at R3 (a stream at another count fails this).
  for (const stream of CORRAL_STREAMS) await verifyReplicas(scenario.bus, stream, 3);
  await sessionsUnderChaos(scenario, {
    count: SESSIONS,
    chaosMs: CHAOS_MS,
    chaos: { everyMs: [1000, 2500], downMs: [200, 800], natsRestartAfterMs: 6000 },
  });
}, 360_000);
