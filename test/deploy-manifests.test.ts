import { expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { DaemonSet, Deployment } from "kubernetes-models/apps/v1";
import { Namespace, Service } from "kubernetes-models/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { SERVICE_USERS } from "@corral/bus";

/** deploy/kubernetes/corral.yaml, checked against the Kubernetes schemas and against what Corral needs. */
const file = fileURLToPath(new URL("../deploy/kubernetes/corral.yaml", import.meta.url));
const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as { kind: string });
const models = { Namespace, Service, Deployment, DaemonSet, PodDisruptionBudget } as const;

type Workload = Deployment | DaemonSet;
const workloads: Workload[] = docs.flatMap((doc): Workload[] => {
  if (doc.kind === "Deployment") return [new Deployment(doc as never)];
  if (doc.kind === "DaemonSet") return [new DaemonSet(doc as never)];
  return [];
});
const component = (w: Workload) => w.metadata!.labels!["app.kubernetes.io/component"]!;
const container = (w: Workload) => w.spec!.template.spec!.containers[0]!;
const envOf = (w: Workload, name: string) => container(w).env?.find((e) => e.name === name)?.value;

test("every document is a valid Kubernetes object of a kind we expect", () => {
  for (const doc of docs) {
    const Model = models[doc.kind as keyof typeof models];
    expect(Model, `unexpected kind ${doc.kind}`).toBeDefined();
    expect(() => new Model(doc as never).validate()).not.toThrow();
  }
});

test("every service runs, with its own NATS identity, at R3, with probes on its health port and resource requests", () => {
  expect(workloads.map(component).sort()).toEqual([...SERVICE_USERS.filter((u) => u !== "admin")].sort());
  for (const w of workloads) {
    const c = container(w);
    expect(envOf(w, "NATS_NKEY_SEED_FILE")).toBe(`/etc/corral/nats/${component(w)}.nk`);
    const secret = w.spec!.template.spec!.volumes!.find((v) => v.name === "nats-identity")!.secret!;
    expect(secret.items).toEqual([{ key: `${component(w)}.nk`, path: `${component(w)}.nk` }]);
    expect(envOf(w, "CORRAL_REPLICAS")).toBe("3");
    const port = Number(envOf(w, "HEALTH_PORT"));
    expect(c.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port });
    expect(c.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port });
    expect(c.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
  }
});

test("stateless services have two replicas and a disruption budget; per-host ones are DaemonSets on sandbox nodes", () => {
  const budgets = docs
    .filter((d) => d.kind === "PodDisruptionBudget")
    .map((d) => new PodDisruptionBudget(d as never));
  for (const w of workloads) {
    if (w instanceof Deployment) {
      expect(w.spec!.replicas, component(w)).toBeGreaterThanOrEqual(2);
      const labels = w.spec!.selector.matchLabels;
      expect(
        budgets.some((b) => JSON.stringify(b.spec!.selector!.matchLabels) === JSON.stringify(labels)),
      ).toBe(true);
    } else {
      expect(w.spec!.template.spec!.nodeSelector).toEqual({ "corral.dev/sandboxes": "true" });
    }
  }
  const hostPorts = workloads.filter((w) => w instanceof DaemonSet).map((w) => envOf(w, "HEALTH_PORT"));
  expect(new Set(hostPorts).size, "host-network health ports must differ").toBe(hostPorts.length);
});
