import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@corral/logger";
import { up, SERVICES } from "./up.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const logger = createLogger({ service: "corral", level: process.env.LOG_LEVEL });

function usage(): never {
  process.stderr.write("usage: corral up\n");
  process.exit(2);
}

async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
  if (command !== "up") usage();
  const stack = await up({ root, natsUrl: process.env.NATS_URL, natsPort: Number(process.env.CORRAL_NATS_PORT ?? 4222) }, logger);
  process.stdout.write(
    [
      "",
      "Corral is up.",
      `  NATS:      ${stack.natsUrl}  (JetStream data in .corral/nats unless NATS_URL was given)`,
      `  services:  ${SERVICES.join(", ")}`,
      "  try:       python3 examples/python/submit_task.py --help",
      "  stop:      Ctrl-C",
      "",
    ].join("\n"),
  );
  const shutdown = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

await main();
