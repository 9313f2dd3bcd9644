export interface StoreConfig {
  /** Stream and bucket replicas: 1 on one server, 3 on a cluster. */
  replicas: number;
  /** How long a retried append (same idempotency key) is recognised as a duplicate. */
  duplicateWindowMs: number;
  /** Accept tasks from `corral.tasks.submit` (off for replicas that should only serve RPC). */
  taskIntake: boolean;
}

export function storeConfigFromEnv(env: NodeJS.ProcessEnv): StoreConfig {
  return {
    replicas: Number(env.CORRAL_REPLICAS ?? 1),
    duplicateWindowMs: Number(env.CORRAL_DUPLICATE_WINDOW_MS ?? 10 * 60_000),
    taskIntake: env.CORRAL_TASK_INTAKE !== "0",
  };
}
