import { existsSync } from "node:fs";
import { join } from "node:path";
import { connectBus, inboxPrefix, setReplicas } from "@corral/bus";
import { UsageError, type CliContext } from "../context.js";

/**
 * `corral nats-replicas N`: moves every Corral stream and bucket to N replicas (1 → 3 when a single
 * server becomes a cluster), as the NATS `admin` user. Then start the services with CORRAL_REPLICAS=N.
 */
export async function natsReplicasCommand(ctx: CliContext, [count]: string[]): Promise<number> {
  const replicas = Number(count);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new UsageError("usage: corral nats-replicas N   (1 to 5)");
  const seed = ctx.natsAuthDir ? join(ctx.natsAuthDir, "admin.nk") : undefined;
  const bus = await connectBus({
    servers: (ctx.natsUrl ?? `nats://127.0.0.1:${ctx.natsPort}`).split(","),
    name: "corral-admin",
    waitOnFirstConnect: false,
    ...(seed && existsSync(seed) ? { nkeySeedFile: seed, inboxPrefix: inboxPrefix("admin") } : {}),
  });
  try {
    const changes = await setReplicas(bus, replicas);
    for (const c of changes) ctx.out(`${c.stream}: ${c.from} → ${c.to} replicas`);
    if (changes.length === 0) ctx.out(`every Corral stream already has ${replicas} replica(s)`);
  } finally {
    await bus.close();
  }
  return 0;
}
