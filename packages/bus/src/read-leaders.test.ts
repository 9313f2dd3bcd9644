import { afterAll, beforeAll, expect, test } from "vitest";
import { STREAMS, SUBJECTS, TASKS_CONSUMER } from "@corral/protocol";
import { busConfigFor, startNatsCluster, waitFor, type NatsCluster } from "@corral/testing";
import { connectBus, ensureStreams, ensureWorkConsumer, readLeaders, type Bus } from "./index.js";

let cluster: NatsCluster;
let bus: Bus;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  bus = await connectBus({ ...busConfigFor(cluster.url, "admin", "leaders"), replicas: 3 });
  await waitFor(() => ensureStreams(bus).then(() => true), { timeoutMs: 60_000 });
  await ensureWorkConsumer(bus, STREAMS.tasks, TASKS_CONSUMER, {
    filterSubject: SUBJECTS.tasksSubmit,
    ackWaitMs: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await bus?.close();
  await cluster?.stop();
});

test("the leaders of a stream and its durable consumers are named, and a killed leader is replaced", async () => {
  const [tasks] = await readLeaders(bus, [STREAMS.tasks]);
  expect(tasks!.leader).toMatch(/^n[123]$/);
  expect(tasks!.consumers).toEqual([{ name: TASKS_CONSUMER, leader: expect.stringMatching(/^n[123]$/) }]);
  const old = tasks!.leader!;
  // Down until another node leads: the killed one cannot be re-elected meanwhile.
  const restarting = cluster.restart(Number(old.slice(1)) - 1, 15_000);
  const moved = await waitFor(
    async () => {
      const [now] = await readLeaders(bus, [STREAMS.tasks], 500);
      return now!.leader !== null && now!.leader !== old && now;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  expect(moved.leader).toMatch(/^n[123]$/);
  await restarting;
  // A stream that does not exist has no leader, and no error.
  expect(await readLeaders(bus, ["NO_SUCH_STREAM"])).toEqual([
    { stream: "NO_SUCH_STREAM", leader: null, consumers: [] },
  ]);
}, 120_000);
