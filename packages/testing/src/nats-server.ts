import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import {
  authBusConfig,
  authEnv,
  ensureAuthMaterial,
  renderServerConfig,
  type AuthMaterial,
  type BusConfig,
  type NatsUser,
} from "@corral/bus";
import { waitFor } from "./wait-for.js";

export interface NatsServerOptions {
  /** Reuse a store dir (to restart a server over the same data). */
  storeDir?: string;
  port?: number;
  binary?: string;
  extraArgs?: string[];
  /**
   * Users and permissions as `corral up` configures them (default: on; CORRAL_TEST_NATS_AUTH=0 turns it off to tell a permission problem from another).
   * Clients then connect as a user: see `busConfigFor`.
   */
  auth?: boolean;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** The users' identities when the server runs with permissions. */
  readonly auth: AuthMaterial | undefined;
  /** SIGKILLs the server, waits `downMs` (default 0), starts it again over its data. */
  restart(downMs?: number): Promise<void>;
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

export async function isListening(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const serversWithAuth = new Map<string, AuthMaterial>();

/** The users of the server at `url` if it was started by this process with permissions. */
export function natsAuthFor(url: string): AuthMaterial | undefined {
  return serversWithAuth.get(url.split(",")[0] ?? url);
}

/** How `user` connects to the test server at `url` (as that user when the server has permissions). */
export function busConfigFor(url: string, user: NatsUser, name: string = user): BusConfig {
  const auth = natsAuthFor(url);
  return { servers: url.split(","), name, ...(auth ? authBusConfig(auth, user) : {}) };
}

/** Records that the server at `url` was started here with these users (for `busConfigFor` and kin). */
export function registerAuth(url: string, auth: AuthMaterial): void {
  serversWithAuth.set(url, auth);
}

export const useAuth = (options: Pick<NatsServerOptions, "auth">) =>
  options.auth ?? process.env.CORRAL_TEST_NATS_AUTH !== "0";

/**
 * A port and a store dir whose users exist already, for a test that starts services before nats-server:
 * they connect (as their users) once `startNatsServer({ port, storeDir })` starts it.
 */
export async function reserveNatsServer(
  options: Pick<NatsServerOptions, "auth"> = {},
): Promise<{ port: number; url: string; storeDir: string }> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), "corral-nats-"));
  const url = `nats://127.0.0.1:${port}`;
  if (useAuth(options)) serversWithAuth.set(url, ensureAuthMaterial(join(storeDir, "auth")));
  return { port, url, storeDir };
}

/** The environment a child process needs to connect as `user` (a service, or the gateway's keys program). */
export function natsEnvFor(url: string, user: Exclude<NatsUser, "tasks">): Record<string, string> {
  const auth = natsAuthFor(url);
  return auth ? authEnv(auth, user) : {};
}

/** The environment the `corral` CLI needs to find the users of the server at `url`. */
export function cliNatsEnv(url: string): Record<string, string> {
  const auth = natsAuthFor(url);
  return auth ? { CORRAL_NATS_AUTH_DIR: auth.dir } : {};
}

/** The URL a task publisher in any language connects with: the `tasks` user's password in it. */
export function taskPublisherUrl(url: string): string {
  const auth = natsAuthFor(url);
  if (!auth) return url;
  const withUser = new URL(url);
  withUser.username = "tasks";
  withUser.password = auth.tasksPassword();
  return withUser.toString().replace(/\/$/, "");
}

function serverArgs(port: number, storeDir: string, auth: AuthMaterial | undefined): string[] {
  if (!auth) return ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir];
  const file = join(storeDir, "nats.conf");
  writeFileSync(file, renderServerConfig({ host: "127.0.0.1", port, storeDir, auth }), { mode: 0o600 });
  return ["-c", file];
}

export function launch(binary: string, args: string[], extraArgs: string[]): ChildProcess {
  args = [...args, ...extraArgs];
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (process.env.CORRAL_TEST_NATS_STDERR === "1") child.stderr?.pipe(process.stderr);
  else child.stderr?.resume();
  return child;
}

export async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
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
  const auth = useAuth(options) ? ensureAuthMaterial(join(storeDir, "auth")) : undefined;
  const args = serverArgs(port, storeDir, auth);
  const url = `nats://127.0.0.1:${port}`;
  if (auth) serversWithAuth.set(url, auth);
  let child = launch(binary, args, extraArgs);
  const ready = () =>
    waitFor(() => isListening(port), { timeoutMs: 15_000, message: `nats-server on ${port} did not start` });
  await ready();
  return {
    url,
    port,
    storeDir,
    auth,
    async restart(downMs = 0) {
      await kill(child, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = launch(binary, args, extraArgs);
      await ready();
    },
    async stop() {
      await kill(child, "SIGTERM");
      if (!options.storeDir) await rm(storeDir, { recursive: true, force: true });
    },
  };
}
