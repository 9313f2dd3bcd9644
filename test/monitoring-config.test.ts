import { expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

// deploy/monitoring against what it scrapes and shows: the Kubernetes annotations and the compose and
// `corral up` health ports, and every Corral metric the dashboard plots against the metrics the code defines.
const root = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, "utf8");

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
}
const prometheus = parse(read("deploy/monitoring/prometheus.yml")) as { scrape_configs: ScrapeConfig[] };
const targetsOf = (job: string) =>
  prometheus.scrape_configs
    .find((c) => c.job_name === job)!
    .static_configs!.flatMap((s) => s.targets)
    .sort();

test("every Kubernetes pod is annotated for scraping on its health port", () => {
  const docs = parseAllDocuments(read("deploy/kubernetes/corral.yaml")).map((d) => d.toJS() as never);
  type Workload = {
    kind: string;
    spec: {
      template: {
        metadata: { annotations?: Record<string, string> };
        spec: { containers: { env: { name: string; value?: string }[] }[] };
      };
    };
  };
  const workloads = (docs as Workload[]).filter((d) => d.kind === "Deployment" || d.kind === "DaemonSet");
  expect(workloads.length).toBe(5);
  for (const w of workloads) {
    const port = w.spec.template.spec.containers[0]!.env.find((e) => e.name === "HEALTH_PORT")!.value;
    expect(w.spec.template.metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": port,
      "prometheus.io/path": "/metrics",
    });
  }
  expect(prometheus.scrape_configs.some((c) => c.job_name === "corral-kubernetes")).toBe(true);
});

test("the compose job names every compose service on its health port", () => {
  type ComposeService = { command?: string[]; network_mode?: string; environment?: Record<string, string> };
  const compose = parse(read("deploy/compose/docker-compose.yml"), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const expected = Object.entries(compose.services)
    .filter(([, s]) => s.environment?.HEALTH_PORT !== undefined)
    .map(([name, s]) => {
      const port = /(\d+)\}?$/.exec(s.environment!.HEALTH_PORT!)![1];
      return s.network_mode === "host" ? `host.docker.internal:${port}` : `${name}:${port}`;
    })
    .sort();
  expect(expected.length).toBe(8);
  expect(targetsOf("corral-compose")).toEqual(expected);
});

test("the local job names the health ports `corral up` gives its five services", () => {
  // Read from the CLI's source (test/ imports no CLI code): the base, then one port per service.
  const base = Number(/DEFAULT_HEALTH_PORT_BASE = (\d+)/.exec(read("packages/cli/src/health-ports.ts"))![1]);
  const ports = [0, 1, 2, 3, 4].map((i) => `127.0.0.1:${base + i}`);
  expect(targetsOf("corral-local")).toEqual(ports.sort());
});

test("every Corral metric the dashboard plots is one the code defines", () => {
  const dashboard = JSON.parse(read("deploy/monitoring/grafana-dashboard.json")) as {
    panels: { targets?: { expr: string }[] }[];
  };
  const plotted = new Set(
    dashboard.panels
      .flatMap((p) => p.targets ?? [])
      .flatMap((t) => t.expr.match(/corral_[a-z_]+/g) ?? [])
      .map((name) => name.replace(/_(bucket|count|sum)$/, "")),
  );
  const sources = execFileSync("git", ["grep", "-h", "-o", 'name: "corral_[a-z_]*"', "--", "*/src/*.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  const defined = new Set([...sources.matchAll(/"(corral_[a-z_]+)"/g)].map((m) => m[1]!));
  expect(plotted.size).toBeGreaterThan(15);
  for (const name of plotted) expect(defined, name).toContain(name);
});
