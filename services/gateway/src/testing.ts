import { connectBus, type Bus } from "@corral/bus";
import { startSystem, stopThenClose, testLogger, type NatsServer, busConfigFor } from "@corral/testing";
import { startStore, type StoreHarness } from "@corral/session-store/testing";
import { createGateway, type Gateway } from "./gateway.js";
import { createApiKey, openKeyBucket } from "./api-keys.js";
import { DEFAULT_RETRY_MS, type GatewayConfig } from "./config.js";

export interface GatewayUnderTest {
  url: string;
  /** A key created in the key bucket, as `corral keys create` would. */
  key: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/** A gateway in this process on a free port, on its own NATS connection. */
export async function startGateway(
  natsUrl: string,
  over: Partial<GatewayConfig> = {},
): Promise<GatewayUnderTest> {
  const bus = await connectBus(busConfigFor(natsUrl, "gateway"));
  const logger = testLogger("gateway");
  const { key } = await createApiKey(await openKeyBucket(bus), "test");
  const gateway = createGateway({
    bus,
    logger,
    config: {
      host: "127.0.0.1",
      port: 0,
      apiKeys: [],
      feeds: { bufferEvents: 1024, maxBufferedBytes: 8 * 1024 * 1024, heartbeatMs: 15_000 },
      retryMs: DEFAULT_RETRY_MS,
      ...over,
    },
  });
  const { url } = await gateway.start();
  return { url, key, gateway, close: stopThenClose(gateway, bus) };
}

/** NATS, a session-store, a gateway and a client bus: what a test file of the gateway runs against. */
export interface TestStack {
  nats: NatsServer;
  store: StoreHarness;
  gw: GatewayUnderTest;
  bus: Bus;
  close(): Promise<void>;
}

export async function startTestStack(over: Partial<GatewayConfig> = {}): Promise<TestStack> {
  const system = await startSystem("client");
  const store = await startStore(system.nats.url, { taskIntake: false });
  const gw = await startGateway(system.nats.url, over);
  return {
    nats: system.nats,
    store,
    gw,
    bus: system.bus,
    async close() {
      await gw.close();
      await store.close();
      await system.stop();
    },
  };
}

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** Reads SSE frames from a fetch response, one at a time. */
export async function* sseFrames(res: Response): AsyncGenerator<SseFrame> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: SseFrame = { data: "" };
      for (const line of raw.split("\n")) {
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") frame.id = value;
        else if (field === "event") frame.event = value;
        else if (field === "data") frame.data += value;
      }
      yield frame;
    }
  }
}
