import { connectBus, type Bus } from "@corral/bus";
import { busConfigFor, startNatsServer, type NatsServer } from "./nats-server.js";
import { spawnService, type ServiceProcess } from "./process.js";

/** What a system test starts with: a nats-server, one bus client on it, and the service processes it runs. */
export interface TestSystem {
  readonly nats: NatsServer;
  readonly bus: Bus;
  /** Every process `spawn` started, in order (killed ones included). */
  readonly processes: ServiceProcess[];
  /** Runs a service as a process with `NATS_URL` set to this server; `stop` ends it with the rest. */
  spawn(service: string, env?: Record<string, string>): ServiceProcess;
  /** SIGTERM to every process, then the bus, then the server. */
  stop(): Promise<void>;
}

/** `requestTimeoutMs` is the bus client's default RPC timeout (the bus's own default when absent). */
export async function startSystem(
  clientName: string,
  options: { requestTimeoutMs?: number } = {},
): Promise<TestSystem> {
  const nats = await startNatsServer();
  const bus = await connectBus({ ...busConfigFor(nats.url, "admin", clientName), ...options });
  const processes: ServiceProcess[] = [];
  return {
    nats,
    bus,
    processes,
    spawn(service, env = {}) {
      const proc = spawnService(service, { NATS_URL: nats.url, ...env });
      processes.push(proc);
      return proc;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.kill("SIGTERM")));
      await bus.close();
      await nats.stop();
    },
  };
}
