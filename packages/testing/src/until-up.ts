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
      // Each try bounded: a connection a port proxy accepted before the service listened may never answer.
      fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      ),
    { timeoutMs },
  );
}
