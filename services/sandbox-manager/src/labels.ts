/** The labels on every container and volume the manager makes; a restarted manager finds its own by them. */
export const LABELS = {
  sandbox: "corral.sandbox",
  host: "corral.host",
  sandboxId: "corral.sandbox_id",
  session: "corral.session",
  pool: "corral.pool",
  executor: "corral.executor",
  volume: "corral.volume",
  /** "1" when the container was given the egress proxy, "0" when none answered (it has no network). */
  egress: "corral.egress",
  /** "1" when the outputs folder is a mount of its own (containers made before it had it made by an exec). */
  outputs: "corral.outputs",
} as const;
