/**
 * What one harness process knows of the lease bucket's last outage (a NATS restart, a leader election):
 * while it lasted, no holder could renew, so a lease that expired then may belong to a live run that is
 * only paused. Such a lease is not taken over, nor woken by the liveness sweep, until its holder has had
 * `windowMs` after the outage to renew it. Without an outage nothing changes: a dead holder's lease is
 * taken as soon as it expires.
 */
export interface OutageWindow {
  /** Called for every failed attempt at the lease bucket. */
  noteTrouble(): void;
  /** True while a holder paused by the last outage may still be about to renew. */
  recent(): boolean;
}

export function createOutageWindow(windowMs: number, now: () => number = Date.now): OutageWindow {
  let troubleAt = Number.NEGATIVE_INFINITY;
  return {
    noteTrouble: () => void (troubleAt = now()),
    recent: () => now() - troubleAt < windowMs,
  };
}
