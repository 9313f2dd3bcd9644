import { afterAll, beforeAll, expect, test } from "vitest";
import { PassThrough } from "node:stream";
import { createLogger } from "@corral/logger";
import { CorralError, SANDBOX_RPC } from "@corral/protocol";
import { busConfigFor, startNatsServer, waitFor, type NatsServer } from "@corral/testing";
import { connectBus, request, serve, type Bus } from "./index.js";

let server: NatsServer;
const buses: Bus[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  for (const bus of buses) await bus.close();
  await server.stop();
});

test("a reply to a request from before nats-server restarted is refused by the server and logged as a late reply, not an error", async () => {
  const lines: { level: number; msg: string }[] = [];
  const out = new PassThrough();
  out.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  const logger = createLogger({ service: "sandbox-manager", level: "info", destination: out });
  const manager = await connectBus({ ...busConfigFor(server.url, "sandbox-manager"), logger });
  const harness = await connectBus(busConfigFor(server.url, "harness"));
  buses.push(manager, harness);
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  serve(manager, SANDBOX_RPC.get, async () => {
    await answered; // the reply is sent after the restart
    throw new CorralError("NOT_FOUND", "never read: the reply is refused");
  });
  await manager.nc.flush();
  const asked = request(
    harness,
    SANDBOX_RPC.get,
    { sandbox_id: "sbx_01J00000000000000000000000" },
    {
      timeoutMs: 6_000,
    },
  ).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await server.restart(200);
  await waitFor(
    async () =>
      !manager.nc.isClosed() &&
      (await manager.nc.flush().then(
        () => true,
        () => false,
      )),
    {
      timeoutMs: 20_000,
    },
  );
  answer();
  await waitFor(() => lines.some((l) => l.msg.includes("from before a reconnect")), { timeoutMs: 10_000 });
  expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  await asked;
});
