import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small HTTP server with the HashiCorp Vault KV v2 routes Corral's Vault backend uses, because no Vault
 * server can be installed on our machines: `X-Vault-Token` checks, `GET`/`POST`/`PUT`
 * `/v1/<mount>/data/<path>` with versions and `options.cas`, `DELETE …/data/…` (soft-delete of the
 * latest version) and `DELETE /v1/<mount>/metadata/<path>` (every version). Errors as Vault sends them:
 * `{"errors": [...]}` with 403, 404 or 400.
 */
export interface FakeVault {
  readonly url: string;
  readonly token: string;
  /** Every stored path with its versions, for tests that look at what reached Vault. */
  readonly paths: Map<string, { versions: { data: Record<string, unknown> | null; created_time: string }[] }>;
  close(): Promise<void>;
}

type Paths = FakeVault["paths"];

const send = (res: ServerResponse, status: number, body?: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? undefined : JSON.stringify(body));
};

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? JSON.parse(text) : {};
};

/** KV v2 write: a new version, refused when `options.cas` does not name the current one. */
async function writeData(paths: Paths, key: string, req: IncomingMessage, res: ServerResponse) {
  const body = (await readBody(req)) as { data?: Record<string, unknown>; options?: { cas?: number } };
  if (typeof body.data !== "object" || body.data === null)
    return send(res, 400, { errors: ["no data provided"] });
  const entry = paths.get(key);
  const current = entry?.versions.length ?? 0;
  if (body.options?.cas !== undefined && body.options.cas !== current) {
    return send(res, 400, { errors: [`check-and-set parameter did not match the current version`] });
  }
  const next = entry ?? { versions: [] };
  next.versions.push({ data: body.data, created_time: new Date().toISOString() });
  paths.set(key, next);
  return send(res, 200, {
    data: { version: next.versions.length, created_time: next.versions.at(-1)!.created_time },
  });
}

async function handle(paths: Paths, token: string, req: IncomingMessage, res: ServerResponse) {
  if (req.headers["x-vault-token"] !== token) return send(res, 403, { errors: ["permission denied"] });
  const match = /^\/v1\/([^/]+)\/(data|metadata)\/(.+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
  if (!match) return send(res, 404, { errors: [] });
  const [, mount, kind, path] = match as unknown as [string, string, string, string];
  const key = `${mount}/${path}`;
  const entry = paths.get(key);
  const latest = entry?.versions.at(-1);
  if (kind === "data" && req.method === "GET") {
    if (!latest || latest.data === null) return send(res, 404, { errors: [] });
    const metadata = { version: entry!.versions.length, created_time: latest.created_time };
    return send(res, 200, { data: { data: latest.data, metadata } });
  }
  if (kind === "data" && (req.method === "POST" || req.method === "PUT"))
    return writeData(paths, key, req, res);
  if (kind === "data" && req.method === "DELETE") {
    if (latest) latest.data = null;
    return send(res, 204);
  }
  if (kind === "metadata" && req.method === "DELETE") {
    paths.delete(key);
    return send(res, 204);
  }
  return send(res, 405, { errors: ["unsupported operation"] });
}

export async function startFakeVault(options: { token?: string } = {}): Promise<FakeVault> {
  const token = options.token ?? "fake-vault-root-token";
  const paths: Paths = new Map();
  const server = createServer((req, res) => {
    handle(paths, token, req, res).catch(() => send(res, 400, { errors: ["bad request"] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
