import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  BUCKETS,
  BUILTIN_TOOLS,
  CorralError,
  EGRESS_RPC,
  SANDBOX_QUEUE,
  SANDBOX_RPC,
  SandboxRecord as SandboxRecordSchema,
  TOOL_INPUTS,
  describeZodError,
  newId,
  sandboxSubject,
  type BuiltinToolName,
  type ExecuteRequest,
  type HandoffRequest,
  type ProvisionRequest,
  type SandboxRecord,
  type ToolResult,
  type SandboxId,
} from "@corral/protocol";
import {
  createJson,
  getJson,
  openBucket,
  putJson,
  request,
  serve,
  type Bus,
  type KV,
  type Subscription,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { ManagerConfig } from "./config.js";
import { LABELS, type ContainerSpec, type SandboxRuntime } from "./docker-runtime.js";
import type { ExecutorChannel } from "./channel.js";
import { createLedger, type Ledger } from "./ledger.js";
import { runWithExec } from "./fallback-tools.js";
import { createWarmPool, type WarmPool, type Pooled } from "./warm-pool.js";

interface Owned {
  record: SandboxRecord;
  channel: ExecutorChannel | null;
  subscriptions: Subscription[];
  lastUsed: number;
}

export interface SandboxManager {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const EXEC_MARGIN_MS = 15_000;
const SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

interface Egress {
  placeholders: Record<string, string>;
  env: Record<string, string>;
  caBundle: string;
}
const workspaceKey = (sessionId: string) => `ws.${sessionId}`;

export function createSandboxManager(deps: {
  bus: Bus;
  runtime: SandboxRuntime;
  logger: Logger;
  config: ManagerConfig;
}): SandboxManager {
  const { bus, runtime, logger, config } = deps;
  const instance = randomUUID();
  const owned = new Map<string, Owned>();
  const byContainer = new Map<string, string>();
  const rpcSubs: Subscription[] = [];
  let kv: KV;
  let ledger: Ledger;
  let pool: WarmPool;
  let stopDeaths: () => void = () => undefined;
  let reaper: NodeJS.Timeout | undefined;

  const resources = (r: ProvisionRequest["spec"]["resources"]): ContainerSpec["resources"] => ({
    memory_mb: r?.memory_mb ?? config.memoryMb,
    cpus: r?.cpus ?? config.cpus,
    pids: r?.pids ?? config.pids,
    tmpfs_mb: r?.tmpfs_mb ?? config.tmpfsMb,
  });

  /** Where sandboxes trust the egress CA: the host's bundle plus the CA, one file per CA. */
  function caBundle(caPem: string): string {
    const file = join(
      config.stateDir,
      `ca-bundle-${createHash("sha256").update(caPem).digest("hex").slice(0, 16)}.pem`,
    );
    if (!existsSync(file)) {
      mkdirSync(config.stateDir, { recursive: true });
      const system = existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, "utf8") : "";
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, `${system}\n${caPem}`, { mode: 0o644 });
      renameSync(temp, file);
    }
    return file;
  }

  /**
   * The sandbox's only way out: the credential-proxy's egress proxy, with a token for this sandbox alone,
   * the proxy's CA, and placeholders for the session's secret environment variables. Without a
   * credential-proxy the sandbox simply has no network (it has no route out of its own).
   */
  async function egressFor(sandboxId: string, sessionId: string | null): Promise<Egress | null> {
    try {
      const cfg = await request(
        bus,
        EGRESS_RPC.config,
        { sandbox_id: sandboxId, ...(sessionId && { session_id: sessionId }) },
        { timeoutMs: 5000 },
      );
      await runtime.allowHostPort(cfg.port);
      const proxy = `http://${sandboxId}:${cfg.token}@${await runtime.networkGateway()}:${cfg.port}`;
      const bundle = "/etc/ssl/certs/ca-certificates.crt";
      return {
        placeholders: cfg.env,
        // git (libcurl) would first try the proxy without credentials; Basic straight away saves a round trip.
        env: {
          ...cfg.env,
          HTTP_PROXY: proxy,
          HTTPS_PROXY: proxy,
          http_proxy: proxy,
          https_proxy: proxy,
          NO_PROXY: "",
          no_proxy: "",
          GIT_HTTP_PROXY_AUTHMETHOD: "basic",
          SSL_CERT_FILE: bundle,
          REQUESTS_CA_BUNDLE: bundle,
          NODE_EXTRA_CA_CERTS: bundle,
        },
        caBundle: caBundle(cfg.ca_pem),
      };
    } catch (err) {
      logger.warn({ err, sandbox_id: sandboxId }, "no egress proxy answered; the sandbox has no network");
      return null;
    }
  }

  async function boot(
    spec: ContainerSpec,
    egress?: Egress | null,
  ): Promise<{ containerId: string; channel: ExecutorChannel | null }> {
    const out = egress === undefined ? await egressFor(spec.sandboxId, spec.sessionId) : egress;
    if (out) spec = { ...spec, env: { ...out.env, ...spec.env }, caBundle: out.caBundle };
    const containerId = await runtime.create(spec);
    try {
      const channel = spec.executor ? await runtime.attach(containerId) : null;
      await runtime.start(containerId);
      if (channel) await withTimeout(channel.ready, 15_000, "the sandbox's executor did not start");
      return { containerId, channel };
    } catch (error) {
      await runtime.remove(containerId);
      throw error;
    }
  }

  function own(record: SandboxRecord, channel: ExecutorChannel | null): void {
    const entry: Owned = { record, channel, subscriptions: [], lastUsed: Date.now() };
    entry.subscriptions.push(
      serve(bus, SANDBOX_RPC.execute, (req) => execute(entry, req), {
        subject: sandboxSubject(record.id, "exec"),
      }),
      serve(bus, SANDBOX_RPC.destroy, (req) => destroy(entry, req.remove_workspace), {
        subject: sandboxSubject(record.id, "destroy"),
      }),
      serve(bus, SANDBOX_RPC.handoff, (req) => handoff(entry, req), {
        subject: sandboxSubject(record.id, "handoff"),
      }),
    );
    owned.set(record.id, entry);
    byContainer.set(record.container_id, record.id);
  }

  async function claimVolume(
    sessionId: string,
    proposed: string,
  ): Promise<{ volume: string; fresh: boolean }> {
    const existing = await getJson(kv, VolumeName, workspaceKey(sessionId));
    if (existing) return { volume: existing.value, fresh: false };
    if ((await createJson(kv, workspaceKey(sessionId), proposed)) !== null)
      return { volume: proposed, fresh: true };
    return claimVolume(sessionId, proposed);
  }

  async function provision(req: ProvisionRequest): Promise<SandboxRecord> {
    const image = req.spec.image ?? config.image;
    const now = new Date().toISOString();
    const owner = req.owner ?? req.session_id;
    const known = await getJson(kv, VolumeName, workspaceKey(owner));
    // A session with secret environment variables needs them in the container's environment from the
    // start, so it never takes a pooled container.
    const freshId = newId("sandbox");
    const egress = await egressFor(freshId, req.session_id);
    const placeholders = Object.keys(egress?.placeholders ?? {}).length > 0;
    let pooled: Pooled | null = null;
    if (!known && !placeholders && image === config.image && !req.spec.resources && !req.spec.env)
      pooled = pool.take();
    let sandboxId: SandboxId;
    let containerId: string;
    let channel: ExecutorChannel | null;
    let volume: string;
    if (pooled) {
      const claim = await claimVolume(owner, pooled.volume);
      if (!claim.fresh) {
        pool.giveBack(pooled);
        return provision(req);
      }
      ({ sandboxId, containerId, channel, volume } = pooled);
    } else {
      volume = (await claimVolume(owner, `corral-ws-${randomBytes(8).toString("hex")}`)).volume;
      sandboxId = freshId;
      const executor = await runtime.hasPython(image).catch(() => {
        throw new CorralError("INVALID_REQUEST", `image ${image} is not on this host`);
      });
      ({ containerId, channel } = await boot(
        {
          sandboxId,
          sessionId: req.session_id,
          image,
          volume,
          resources: resources(req.spec.resources),
          env: req.spec.env ?? {},
          executor,
        },
        egress,
      ));
    }
    const record: SandboxRecord = {
      id: sandboxId,
      type: "sandbox",
      session_id: req.session_id,
      status: "ready",
      image,
      host: config.hostId,
      container_id: containerId,
      workspace_volume: volume,
      lost_reason: null,
      holders: [owner],
      created_at: now,
      last_used_at: now,
    };
    await putJson(kv, sandboxId, record);
    own(record, channel);
    pool.refill();
    logger.info(
      { sandbox_id: sandboxId, session_id: req.session_id, owner, warm: pooled !== null },
      "sandbox provisioned",
    );
    return record;
  }

  function checkedInput(name: string, input: Record<string, unknown>): ToolResult | null {
    if (!(BUILTIN_TOOLS as readonly string[]).includes(name))
      return {
        content: `unknown tool ${name}; the sandbox offers ${BUILTIN_TOOLS.join(", ")}`,
        is_error: true,
      };
    const parsed = TOOL_INPUTS[name as BuiltinToolName].safeParse(input);
    return parsed.success
      ? null
      : { content: `invalid input for ${name}: ${describeZodError(parsed.error)}`, is_error: true };
  }

  async function execute(entry: Owned, req: ExecuteRequest): Promise<ToolResult> {
    if (entry.record.status !== "ready")
      throw new CorralError(
        "SANDBOX_LOST",
        entry.record.lost_reason ?? `sandbox ${entry.record.id} is ${entry.record.status}`,
      );
    if (req.holder && !holdersOf(entry.record).includes(req.holder)) {
      throw new CorralError("FORBIDDEN", `sandbox ${entry.record.id} is not held by ${req.holder}`);
    }
    const invalid = checkedInput(req.name, req.input);
    if (invalid) return invalid;
    entry.lastUsed = Date.now();
    return ledger.once(req.tool_use_id, entry.record.id, async () => {
      const timeoutMs =
        (typeof req.input.timeout_ms === "number" ? req.input.timeout_ms : 120_000) + EXEC_MARGIN_MS;
      const run = entry.channel
        ? entry.channel.call(req.name, req.input)
        : runWithExec(runtime, entry.record.container_id, req.name, req.input);
      const result = await withTimeout(run, timeoutMs, "the sandbox did not answer in time");
      entry.lastUsed = Date.now();
      return result;
    });
  }

  async function markLost(entry: Owned, reason: string): Promise<void> {
    if (entry.record.status !== "ready") return;
    entry.record = { ...entry.record, status: "lost", lost_reason: reason };
    entry.channel?.fail(reason);
    await putJson(kv, entry.record.id, entry.record);
    logger.warn({ sandbox_id: entry.record.id, reason }, "sandbox lost");
  }

  /**
   * Changes who holds a sandbox. Idempotent, so a brain that dies mid-handoff can simply ask again:
   * a share or transfer whose recipient already holds it (and whose giver, for a transfer, no longer
   * does) answers the current record. A release that leaves nobody destroys the container; the
   * workspace volume stays.
   */
  async function handoff(entry: Owned, req: HandoffRequest): Promise<SandboxRecord> {
    const holders = holdersOf(entry.record);
    const has = (id: string | undefined) => id !== undefined && holders.includes(id);
    let next: string[];
    if (req.mode === "release") {
      next = holders.filter((h) => h !== req.from);
    } else {
      if (!req.to) throw new CorralError("INVALID_REQUEST", `${req.mode} needs a recipient (to)`);
      if (req.to === req.from)
        throw new CorralError("INVALID_REQUEST", "a sandbox cannot be handed to its own holder");
      const done = has(req.to) && (req.mode === "share" || !has(req.from));
      if (done) return entry.record;
      if (!has(req.from))
        throw new CorralError("FORBIDDEN", `sandbox ${entry.record.id} is not held by ${req.from}`);
      next = [
        ...new Set(
          req.mode === "share" ? [...holders, req.to] : [...holders.filter((h) => h !== req.from), req.to],
        ),
      ];
    }
    if (next.length === holders.length && next.every((h, i) => h === holders[i])) return entry.record;
    entry.record = { ...entry.record, holders: next };
    await putJson(kv, entry.record.id, entry.record);
    logger.info(
      { sandbox_id: entry.record.id, mode: req.mode, from: req.from, to: req.to },
      "sandbox handed off",
    );
    if (next.length === 0) return destroy(entry, false);
    return entry.record;
  }

  async function destroy(entry: Owned, removeWorkspace: boolean): Promise<SandboxRecord> {
    entry.channel?.close();
    await runtime.remove(entry.record.container_id);
    for (const sub of entry.subscriptions) sub.unsubscribe();
    owned.delete(entry.record.id);
    byContainer.delete(entry.record.container_id);
    entry.record = { ...entry.record, status: "destroyed" };
    await putJson(kv, entry.record.id, entry.record);
    if (removeWorkspace) {
      await runtime.removeVolume(entry.record.workspace_volume);
      for (const owner of new Set([entry.record.session_id, ...entry.record.holders])) {
        const claim = await getJson(kv, VolumeName, workspaceKey(owner));
        if (claim?.value === entry.record.workspace_volume) await kv.delete(workspaceKey(owner));
      }
    }
    return entry.record;
  }

  async function adopt(): Promise<void> {
    for (const container of await runtime.list({ [LABELS.host]: config.hostId, ...config.extraLabels })) {
      const sandboxId = container.labels[LABELS.sandboxId];
      if (!sandboxId) continue;
      // Labels cannot change after creation, so a claimed pool container still says "pool": the record decides.
      const record = await getJson(kv, SandboxRecordSchema, sandboxId);
      if (!record && container.labels[LABELS.pool] === "1") {
        if (container.running) await pool.adopt(sandboxId, container.id, container.labels);
        else await runtime.remove(container.id);
        continue;
      }
      if (!record || record.value.status !== "ready" || !container.running) {
        await runtime.remove(container.id);
        if (record?.value.status === "ready")
          await putJson(kv, sandboxId, {
            ...record.value,
            status: "lost",
            lost_reason: "the sandbox stopped while its manager was down",
          });
        continue;
      }
      const channel = container.labels[LABELS.executor] === "1" ? await runtime.attach(container.id) : null;
      own(record.value, channel);
      logger.info({ sandbox_id: sandboxId }, "sandbox re-adopted");
    }
  }

  function reap(): void {
    const now = Date.now();
    for (const entry of owned.values()) {
      if (now - entry.lastUsed < config.idleReapMs) continue;
      // A shared sandbox is the common ground of several holders: it stays until they let go of it.
      if (holdersOf(entry.record).length > 1) continue;
      logger.info({ sandbox_id: entry.record.id }, "idle sandbox reaped");
      void destroy(entry, false).catch((err: unknown) => logger.error({ err }, "reap failed"));
    }
  }

  return {
    async start() {
      kv = await openBucket(bus, BUCKETS.sandboxes);
      ledger = createLedger(await openBucket(bus, BUCKETS.toolLedger), instance);
      await runtime.ensureNetwork();
      pool = createWarmPool({ runtime, logger, config, boot });
      stopDeaths = runtime.onDeath(({ containerId, reason }) => {
        if (pool.lose(containerId)) return;
        const entry = owned.get(byContainer.get(containerId) ?? "");
        if (entry)
          void markLost(entry, reason).catch((err: unknown) =>
            logger.error({ err }, "could not record a lost sandbox"),
          );
      });
      await adopt();
      pool.refill();
      rpcSubs.push(
        serve(bus, SANDBOX_RPC.provision, provision, { queue: SANDBOX_QUEUE }),
        serve(
          bus,
          SANDBOX_RPC.get,
          async ({ sandbox_id }) => {
            const entry = await getJson(kv, SandboxRecordSchema, sandbox_id);
            if (!entry) throw new CorralError("NOT_FOUND", `sandbox ${sandbox_id} not found`);
            return entry.value;
          },
          { queue: SANDBOX_QUEUE },
        ),
        serve(
          bus,
          SANDBOX_RPC.list,
          async ({ session_id }) => {
            const data: SandboxRecord[] = [];
            for await (const key of await kv.keys("*")) {
              const entry = await getJson(kv, SandboxRecordSchema, key);
              if (entry && (!session_id || entry.value.session_id === session_id)) data.push(entry.value);
            }
            return { data };
          },
          { queue: SANDBOX_QUEUE },
        ),
      );
      reaper = setInterval(reap, Math.min(30_000, Math.max(250, config.idleReapMs / 4)));
      logger.info({ host: config.hostId, adopted: owned.size }, "sandbox-manager started");
    },
    async stop() {
      clearInterval(reaper);
      stopDeaths();
      for (const sub of rpcSubs) sub.unsubscribe();
      for (const entry of owned.values()) {
        for (const sub of entry.subscriptions) sub.unsubscribe();
        entry.channel?.close();
      }
      pool.stop();
    },
  };
}

const VolumeName = z.string().min(1);

/** Records written before sandboxes could change hands name no holders: their session holds them. */
const holdersOf = (record: SandboxRecord): string[] =>
  record.holders.length > 0 ? record.holders : [record.session_id];

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CorralError("TIMEOUT", message)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}
