import type { LogId, SandboxId, SandboxRecord } from "@corral/protocol";
import type { Subscription } from "@corral/bus";
import type { ExecutorChannel } from "./channel.js";

/** A sandbox this manager owns: its record, its executor's stdio, the subjects served for it. */
export interface OwnedSandbox {
  record: SandboxRecord;
  channel: ExecutorChannel | null;
  subscriptions: Subscription[];
  lastUsedMs: number;
  /** The session's repositories being cloned into it (repo-clone.ts): the failures, once done. */
  repositories?: Promise<string[]> | undefined;
}

/** The sandboxes this manager owns, by id and by container (Docker's death events name containers). */
export interface Sandboxes {
  byId: Map<SandboxId, OwnedSandbox>;
  byContainer: Map<string, SandboxId>;
  /** Provisions under way, by the owner they are for: asking again joins the one under way. */
  provisioning: Map<LogId, Promise<SandboxRecord>>;
  /** Owners just placed on this host whose provision has not begun: their places are taken already. */
  placing: Set<LogId>;
}

export const createSandboxes = (): Sandboxes => ({
  byId: new Map(),
  byContainer: new Map(),
  provisioning: new Map(),
  placing: new Set(),
});

/** A ready sandbox of this session that `owner` holds already, if this manager owns one. */
export function heldBy(sandboxes: Sandboxes, sessionId: string, owner: LogId): OwnedSandbox | undefined {
  for (const entry of sandboxes.byId.values()) {
    const { record } = entry;
    if (record.status === "ready" && record.session_id === sessionId && record.holders.includes(owner))
      return entry;
  }
  return undefined;
}

/** How many ready sandboxes this manager owns. */
export function readyCount(sandboxes: Sandboxes): number {
  let ready = 0;
  for (const entry of sandboxes.byId.values()) if (entry.record.status === "ready") ready += 1;
  return ready;
}

export function addSandbox(sandboxes: Sandboxes, entry: OwnedSandbox): void {
  sandboxes.byId.set(entry.record.id, entry);
  sandboxes.byContainer.set(entry.record.container_id, entry.record.id);
}

/** Stops serving its subjects and forgets it. */
export function dropSandbox(sandboxes: Sandboxes, entry: OwnedSandbox): void {
  for (const sub of entry.subscriptions) sub.unsubscribe();
  sandboxes.byId.delete(entry.record.id);
  sandboxes.byContainer.delete(entry.record.container_id);
}

export function sandboxInContainer(sandboxes: Sandboxes, containerId: string): OwnedSandbox | undefined {
  const sandboxId = sandboxes.byContainer.get(containerId);
  return sandboxId === undefined ? undefined : sandboxes.byId.get(sandboxId);
}

/** On stop: the containers keep running (a restarted manager re-adopts them); only this process lets go. */
export function releaseAll(sandboxes: Sandboxes): void {
  for (const entry of sandboxes.byId.values()) {
    for (const sub of entry.subscriptions) sub.unsubscribe();
    entry.channel?.close();
  }
}
