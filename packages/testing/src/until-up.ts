import { waitFor } from "./wait-for.js";

/** Waits (30 s at most) until `call` resolves; a rejection only means "not yet" (no responders, a timeout). */
export async function untilAnswers(call: () => Promise<unknown>): Promise<void> {
  await waitFor(
    () =>
      call().then(
        () => true,
        () => false,
      ),
    { timeoutMs: 30_000 },
  );
}

/** Waits (30 s unless told) until an HTTP service at `baseUrl` answers `GET /healthz` with a 2xx. */
export async function untilHealthy(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    () =>
      fetch(`${baseUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    { timeoutMs },
  );
}
