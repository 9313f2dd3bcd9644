import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./wait-for.js";

export interface NatsServerOptions {
  /** Reuse a store dir (to restart a server over the same data). */
  storeDir?: string;
  port?: number;
  binary?: string;
  extraArgs?: string[];
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** SIGKILL, then start again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function isListening(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function launch(binary: string, port: number, storeDir: string, extraArgs: string[]): ChildProcess {
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir, ...extraArgs];
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.resume();
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}

/** A real nats-server with JetStream on a free port and a temp store dir, one per test file. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = options.binary ?? process.env.NATS_SERVER_BIN ?? "nats-server";
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), "corral-nats-")));
  const extraArgs = options.extraArgs ?? [];
  let child = launch(binary, port, storeDir, extraArgs);
  const ready = () =>
    waitFor(() => isListening(port), { timeoutMs: 15_000, message: `nats-server on ${port} did not start` });
  await ready();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async restart() {
      await kill(child, "SIGKILL");
      child = launch(binary, port, storeDir, extraArgs);
      await ready();
    },
    async stop() {
      await kill(child, "SIGTERM");
      if (!options.storeDir) await rm(storeDir, { recursive: true, force: true });
    },
  };
}
