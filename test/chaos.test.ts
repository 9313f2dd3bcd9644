import { afterAll, beforeAll, test } from "vitest";
import { startNatsServer, type NatsServer } from "@corral/testing";
import { sessionsUnderChaos, startScenario, type Scenario } from "./support/chaos-scenario.js";

/**
 * Chaos in every test run: 30 sessions of several tool calls each on a slow model, while every service is
 * SIGKILLed at random moments (and started again, as `corral up` would), nats-server is restarted once and
 * one sandbox is killed under its session. Every session must end with its own answer, none stranded, no
 * tool effect twice, and no tool error that a restart caused.
 */
const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 30);
const CHAOS_MS = Number(process.env.CHAOS_MS ?? 45_000);

let nats: NatsServer;
let scenario: Scenario;

beforeAll(async () => {
  nats = await startNatsServer();
  scenario = await startScenario(nats);
}, 120_000);

afterAll(async () => {
  await scenario?.stop();
  await nats?.stop();
});

test("30 sessions under SIGKILLs of every service, a nats-server restart and a killed sandbox: all finish, none stranded, nothing twice, no restart seen by the model", async () => {
  await sessionsUnderChaos(scenario, {
    count: SESSIONS,
    chaosMs: CHAOS_MS,
    chaos: { everyMs: [1000, 2500], downMs: [200, 800], natsRestartAfterMs: 6000 },
  });
}, 300_000);
