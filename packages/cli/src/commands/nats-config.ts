import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureAuthMaterial, renderServerConfig, usersBlock, type AuthMaterial } from "@corral/bus";
import { UsageError, type CliContext } from "../context.js";

const USAGE = `usage: corral nats-config --out DIR [--nodes N] [--hosts h1,h2,…] [--port 4222] [--route-port 6222]
                          [--tls] [--mount PATH (where nodes see DIR)] [--data PATH (their JetStream dir)]
                          [--bind 0.0.0.0]`;

interface NodeLayout {
  hosts: string[];
  port: number;
  routePort: number;
}

/** A self-signed CA and a server certificate for the nodes' names (openssl, as on every Debian host). */
function makeCertificates(dir: string, hosts: string[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(join(dir, "server.pem"))) return;
  const names = [...new Set(["localhost", "127.0.0.1", ...hosts])];
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
  writeFileSync(join(dir, "server.ext"), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ecKey,
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-days",
    "825",
    "-subj",
    "/CN=corral-nats-ca",
  );
  openssl("req", ...ecKey, "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=corral-nats");
  openssl(
    ...["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial"],
    ...["-out", "server.pem", "-days", "825", "-extfile", "server.ext"],
  );
}

interface Placement {
  /** Where a node sees the output directory (its certificates), where it keeps its data, what it binds. */
  mount: string;
  data: string;
  bind: string;
}

function writeNodes(out: string, auth: AuthMaterial, layout: NodeLayout & Placement, tls: boolean): string[] {
  const routePassword = auth.routePassword();
  if (tls) makeCertificates(join(out, "tls"), layout.hosts);
  const certs = {
    certFile: join(layout.mount, "tls", "server.pem"),
    keyFile: join(layout.mount, "tls", "server-key.pem"),
  };
  return layout.hosts.map((host, i) => {
    const name = `corral-nats-${i + 1}`;
    const file = join(out, `${name}.conf`);
    const routes = layout.hosts
      .filter((_, j) => j !== i)
      .map((other) => `nats-route://route:${routePassword}@${other}:${layout.routePort}`);
    const config = renderServerConfig({
      host: layout.bind,
      port: layout.port,
      storeDir: join(layout.data, name),
      serverName: name,
      auth,
      // One node is a server of its own: JetStream refuses a cluster without routes.
      ...(routes.length > 0 && {
        cluster: {
          name: "corral",
          host: layout.bind,
          port: layout.routePort,
          routes,
          password: routePassword,
        },
      }),
      ...(tls ? { tls: certs } : {}),
    });
    writeFileSync(file, config, { mode: 0o600 });
    return file;
  });
}

/**
 * Values for the official NATS Helm chart (1.x): a JetStream cluster of `nodes` with the same users and
 * permissions, and routes that authenticate (the route password is in it: keep the file private).
 */
function writeHelmValues(out: string, auth: AuthMaterial, nodes: number): string {
  const password = auth.routePassword();
  const routes = Array.from(
    { length: nodes },
    (_, i) => `nats://route:${password}@corral-nats-${i}.corral-nats-headless:6222`,
  );
  const values = {
    fullnameOverride: "corral-nats",
    config: {
      cluster: {
        enabled: true,
        replicas: nodes,
        merge: { authorization: { user: "route", password }, routes },
      },
      jetstream: { enabled: true, fileStore: { pvc: { size: "20Gi" } } },
      merge: { authorization: { users: usersBlock(auth) } },
    },
    podDisruptionBudget: { enabled: true },
  };
  const file = join(out, "nats-helm-values.yaml");
  writeFileSync(
    file,
    `# corral nats-config: values for the nats/nats Helm chart (JSON is YAML)\n${JSON.stringify(values, null, 2)}\n`,
    {
      mode: 0o600,
    },
  );
  return file;
}

/**
 * `corral nats-config`: the users of a deployment (created once, kept in DIR/auth) and one server config
 * per node of a JetStream cluster, with the same users on every node and authenticated routes.
 */
export function natsConfigCommand(ctx: CliContext, args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      nodes: { type: "string", default: "3" },
      hosts: { type: "string" },
      port: { type: "string", default: "4222" },
      "route-port": { type: "string", default: "6222" },
      tls: { type: "boolean", default: false },
      mount: { type: "string" },
      data: { type: "string", default: "/data" },
      bind: { type: "string", default: "0.0.0.0" },
    },
  });
  if (!values.out) throw new UsageError(USAGE);
  const nodes = Number(values.nodes);
  const hosts = values.hosts?.split(",") ?? Array.from({ length: nodes }, (_, i) => `corral-nats-${i + 1}`);
  if (!Number.isInteger(nodes) || nodes < 1 || hosts.length !== nodes) throw new UsageError(USAGE);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const auth = ensureAuthMaterial(join(out, "auth"));
  const layout = {
    hosts,
    port: Number(values.port),
    routePort: Number(values["route-port"]),
    mount: values.mount ?? out,
    data: values.data,
    bind: values.bind,
  };
  for (const file of writeNodes(out, auth, layout, values.tls)) ctx.out(file);
  ctx.out(writeHelmValues(out, auth, nodes));
  ctx.err(`users in ${auth.dir} (keep it secret: seeds and passwords); give each service its <user>.nk`);
  return 0;
}
