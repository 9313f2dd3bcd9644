import { text } from "node:stream/consumers";
import { busConfigFromEnv, connectBus, type Bus } from "@corral/bus";
import { CorralError } from "@corral/protocol";
import { runKeysCommand } from "./keys-command.js";

// node --import tsx services/gateway/src/keys-cli.ts create|ls|revoke|check …  (NATS_URL and the other
// bus settings from the environment). Prints one JSON value; errors as {"error": {code, message}}, exit 1.
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

function printError(error: unknown, fallback: CorralError["code"]): void {
  const { code, message } =
    error instanceof CorralError ? error : { code: fallback, message: (error as Error).message };
  print({ error: { code, message } });
  process.exitCode = 1;
}

let bus: Bus | null = null;
try {
  bus = await connectBus({
    ...busConfigFromEnv(process.env, "gateway-keys", "gateway"),
    waitOnFirstConnect: false,
  });
} catch (error) {
  printError(error, "UNAVAILABLE");
}
if (bus) {
  try {
    print(await runKeysCommand(bus, process.argv.slice(2), () => text(process.stdin)));
  } catch (error) {
    printError(error, "INTERNAL");
  } finally {
    await bus.close();
  }
}
