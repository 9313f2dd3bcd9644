// The README's API coverage table: every Managed Agents method of the official SDK (read from the SDK's own
// resource modules: each method's HTTP verb and route) against the gateway's route table (its OpenAPI
// document). `node --import tsx scripts/api-coverage.ts` rewrites the table; `--check` exits 1 when the
// README is stale, so the table cannot drift from the SDK or from what Corral serves.
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROUTES } from "../services/gateway/src/routes/index.js";
import { FILE_PATHS } from "../services/gateway/src/files/file-openapi.js";
import { openApiDocument } from "../services/gateway/src/openapi.js";

const SDK = "node_modules/@anthropic-ai/sdk/resources/beta";
/** The SDK's Managed Agents resources (its other beta modules are the Messages, Models and admin APIs). */
const RESOURCES = [
  "agents",
  "environments",
  "sessions",
  "vaults",
  "files",
  "memory-stores",
  "skills",
  "deployments",
  "deployment-runs",
  "dreams",
  "tunnels",
  "user-profiles",
];
const START = "<!-- api-coverage:start (scripts/api-coverage.ts writes this table) -->";
const END = "<!-- api-coverage:end -->";

interface Method {
  name: string;
  verb: string;
  route: string;
}

const filesOf = (path: string): string[] =>
  statSync(path).isDirectory()
    ? readdirSync(path).flatMap((f) => filesOf(join(path, f)))
    : path.endsWith(".js")
      ? [path]
      : [];

/** Each method's verb, its traced name (`anthropic.memory_stores.memories.create`) and its route. */
function sdkMethods(): Method[] {
  const call =
    /this\._client\.(get|post|delete|put|patch|getAPIList)\([\s\S]*?startApiCallSpan\)\(this\._client, '([^']+)'[\s\S]*?route: '([^']+)'/g;
  const found = new Map<string, Method>();
  for (const resource of RESOURCES) {
    const dir = join(SDK, resource);
    const files = [`${dir}.js`, ...(statSync(dir, { throwIfNoEntry: false }) ? filesOf(dir) : [])];
    for (const file of files)
      for (const m of readFileSync(file, "utf8").matchAll(call)) {
        const verb = m[1] === "getAPIList" ? "GET" : m[1]!.toUpperCase();
        found.set(m[2]!, { name: m[2]!.replace(/^anthropic\./, ""), verb, route: m[3]! });
      }
  }
  return [...found.values()];
}

const shape = (verb: string, path: string) => `${verb} ${path.replace(/\{[^}]+\}/g, "{}")}`;

/** `VERB /path/{}/…` of every operation the gateway serves. */
function servedOperations(): Set<string> {
  const doc = openApiDocument(ROUTES, FILE_PATHS) as { paths: Record<string, Record<string, unknown>> };
  const out = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const verb of Object.keys(ops)) out.add(shape(verb.toUpperCase(), path));
  return out;
}

function table(): string {
  const served = servedOperations();
  const methods = sdkMethods();
  const rows = methods.map((m) => {
    const yes = served.has(shape(m.verb, m.route));
    return { ...m, yes };
  });
  const count = rows.filter((r) => r.yes).length;
  const lines = [
    `${count} of the SDK's ${rows.length} Managed Agents methods are served (\`@anthropic-ai/sdk\` ${sdkVersion()}).`,
    "",
    "| SDK method | HTTP | served |",
    "|---|---|---|",
    ...rows.map((r) => `| \`${r.name}\` | \`${r.verb} ${r.route}\` | ${r.yes ? "yes" : "—"} |`),
  ];
  return lines.join("\n");
}

function sdkVersion(): string {
  const pkg = JSON.parse(readFileSync("node_modules/@anthropic-ai/sdk/package.json", "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function main(): void {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  const next = `${readme.slice(0, start + START.length)}\n${table()}\n${readme.slice(end)}`;
  if (process.argv.includes("--check")) {
    if (next !== readme) {
      process.stderr.write(
        "README.md's API coverage table is stale: run node --import tsx scripts/api-coverage.ts\n",
      );
      process.exit(1);
    }
    return;
  }
  writeFileSync("README.md", next);
}

main();
