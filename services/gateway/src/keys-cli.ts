import { text } from "node:stream/consumers";
import { busConfigFromEnv, connectBus } from "@corral/bus";
import { CorralError } from "@corral/protocol";
import { runKeysCommand } from "./keys-command.js";

// node --import tsx services/gateway/src/keys-cli.ts create|ls|revoke|check …  (NATS_URL and the other
// bus settings from the environment). Prints one JSON value; errors as {"error": {code, message}}, exit 1.
const bus = await connectBus({ ...busConfigFromEnv(process.env, "gateway-keys"), waitOnFirstConnect: false });
try {
  const result = await runKeysCommand(bus, process.argv.slice(2), () => text(process.stdin));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  const { code, message } =
    error instanceof CorralError ? error : { code: "INTERNAL", message: (error as Error).message };
  process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  process.exitCode = 1;
} finally {
  await bus.close();
}
