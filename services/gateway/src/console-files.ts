import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * The web console's build (packages/console/dist). This file (src/) and the gateway's bundle (dist/) sit at
 * the same depth, in the repository and in the service image (/opt/corral/…), so one relative path serves both.
 */
export const CONSOLE_DIR = fileURLToPath(new URL("../../../packages/console/dist/", import.meta.url));

// Scripts and styles from this origin only: no inline script, nothing remote; the page talks to this API alone.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

/** The console's static paths, which need no API key (its API calls do). */
export const isConsolePath = (path: string): boolean =>
  path === "/" || path === "/index.html" || (path.startsWith("/assets/") && ASSET_NAME.test(path.slice(8)));

function secured(reply: FastifyReply): FastifyReply {
  return reply
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY");
}

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

/** Serves the console at `/` (index.html) and `/assets/*` (hashed, so cached for good). */
export function serveConsole(app: FastifyInstance, dir: string = CONSOLE_DIR): void {
  const index = async (_req: unknown, reply: FastifyReply) => {
    const html = await readOrNull(join(dir, "index.html"));
    if (!html)
      return secured(reply)
        .code(503)
        .type("text/plain; charset=utf-8")
        .send(`The web console is not built: no ${join(dir, "index.html")}. Run \`npm run build\` first.\n`);
    return secured(reply).header("cache-control", "no-cache").type(TYPES[".html"]!).send(html);
  };
  app.get("/", index);
  app.get("/index.html", index);
  app.get<{ Params: { name: string } }>("/assets/:name", async (req, reply) => {
    const { name } = req.params;
    const type = TYPES[extname(name)];
    const body = ASSET_NAME.test(name) && type ? await readOrNull(join(dir, "assets", name)) : null;
    if (!body) return secured(reply).code(404).type("text/plain; charset=utf-8").send("not found\n");
    return secured(reply)
      .header("cache-control", "public, max-age=31536000, immutable")
      .type(type!)
      .send(body);
  });
}
