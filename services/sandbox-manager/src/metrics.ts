import { counter, gauge, histogram } from "@corral/metrics";

/** A manager's pool as it is now: warm containers ready, being started, and sandboxes handed out. */
export interface PoolFigures {
  warm: number;
  starting: number;
  busy: number;
}

const pools = new Set<() => PoolFigures>();

// Read when scraped, from every manager in this process (one in a deployment, several in some tests).
gauge({
  name: "corral_sandbox_pool",
  help: "Sandboxes on this host by state: warm (ready in the pool), starting (pool containers booting), busy (handed out)",
  labelNames: ["state"],
  collect() {
    const total: PoolFigures = { warm: 0, starting: 0, busy: 0 };
    for (const read of pools)
      for (const [state, n] of Object.entries(read())) total[state as keyof PoolFigures] += n;
    for (const [state, n] of Object.entries(total)) this.set({ state }, n);
  },
});

/** Reports a manager's pool on every scrape until the returned function is called. */
export function reportPool(read: () => PoolFigures): () => void {
  pools.add(read);
  return () => void pools.delete(read);
}

export const provisionSeconds = histogram({
  name: "corral_sandbox_provision_seconds",
  help: "Provisions from request to a ready sandbox, by source (warm from the pool, or a cold start)",
  labelNames: ["source"],
});

export const sandboxesLost = counter({
  name: "corral_sandbox_lost_total",
  help: "Sandboxes lost while handed out, by cause: container (died, killed, out of memory) or host (not seen)",
  labelNames: ["cause"],
});

export const outputScans = counter({
  name: "corral_sandbox_output_scans_total",
  help: "Scans of a sandbox's outputs folder after tool runs, by how: executor (a call on its channel) or find (a docker exec)",
  labelNames: ["by"],
});
