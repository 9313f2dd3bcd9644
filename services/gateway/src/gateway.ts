import type { FastifyInstance } from "fastify";
import { openSessionLog, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { createApp } from "./app.js";
import { openKeyBucket } from "./api-keys.js";
import { requireApiKeys } from "./auth.js";
import { DEFAULT_LIMITS, type GatewayConfig } from "./config.js";
import { createFeeds, type Feeds } from "./feeds.js";
import { storeBootstrapKeys, watchApiKeys, type KeyCheck } from "./key-check.js";
import { openApiDocument } from "./openapi.js";
import { ROUTES } from "./routes/index.js";
import { serveRoutes } from "./serve-routes.js";
import { DEFAULT_FILE_OPTIONS } from "./files/file-options.js";
import { FILE_PATHS } from "./files/file-openapi.js";
import { openFileStore, type FileStore } from "./files/file-store.js";
import { serveFiles } from "./files/serve-files.js";
import { startFileSweep } from "./files/sweep-files.js";
import { serveOutputAdoption } from "./files/adopt-output.js";

export interface Gateway {
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  readonly app: FastifyInstance;
  readonly feeds: Feeds;
  /** The key check while running (its `bucketReads` says how many lookups reached the key bucket). */
  readonly keys: KeyCheck | null;
}

/** What exists only between start and stop. */
interface Running {
  keys: KeyCheck | null;
  feeds: Feeds | null;
  files: FileStore | null;
  sweep: { stop(): void } | null;
  outputs: { unsubscribe(): void } | null;
}

export function createGateway(deps: { bus: Bus; logger: Logger; config: GatewayConfig }): Gateway {
  const { bus, logger, config } = deps;
  const running: Running = { keys: null, feeds: null, files: null, sweep: null, outputs: null };
  const fileOptions = config.files ?? DEFAULT_FILE_OPTIONS;
  const app = createApp(logger);
  requireApiKeys(app, () => running.keys, config.limits ?? DEFAULT_LIMITS);
  const live = { feeds: () => running.feeds!, files: () => running.files! };
  serveRoutes(app, ROUTES, { bus, logger, retryMs: config.retryMs, ...live });
  serveFiles(app, fileOptions.maxBytes, () => running.files!);
  app.get("/healthz", async () => ({ ok: true }));
  const document = JSON.stringify(openApiDocument(ROUTES, FILE_PATHS));
  app.get("/v1/openapi.json", async (_req, reply) => reply.type("application/json").send(document));

  return {
    app,
    get keys() {
      return running.keys;
    },
    get feeds() {
      return running.feeds!;
    },
    async start() {
      const keyBucket = await openKeyBucket(bus);
      await storeBootstrapKeys(keyBucket, config.apiKeys);
      running.keys = await watchApiKeys(keyBucket);
      running.feeds = createFeeds({ bus, log: await openSessionLog(bus), logger, options: config.feeds });
      running.files = await openFileStore(bus, fileOptions, logger);
      running.sweep = startFileSweep(running.files);
      running.outputs = await serveOutputAdoption(bus, running.files);
      const address = await app.listen({ host: config.host, port: config.port });
      logger.info({ url: address }, "gateway listening");
      return { url: address };
    },
    async stop() {
      running.feeds?.close();
      running.sweep?.stop();
      running.outputs?.unsubscribe();
      await app.close();
      running.keys?.stop();
    },
  };
}
