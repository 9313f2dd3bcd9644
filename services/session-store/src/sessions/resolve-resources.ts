import {
  CorralError,
  SESSION_RESOURCES_MAX,
  defaultFileMountPath,
  newSessionResourceId,
  overlappingMounts,
  type SealedBox,
  type SessionResourceParams,
  type SessionResourceRecord,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { resolveRepository } from "./resolve-repository.js";
import { resolveMemoryStore } from "./resolve-memory-store.js";

/** New resources as the record keeps them, and the sealed tokens that rest beside it (never in it). */
export interface ResolvedResources {
  records: SessionResourceRecord[];
  tokens: Record<string, SealedBox>;
}

async function resolveOne(
  state: StoreState,
  params: SessionResourceParams,
  at: string,
  tokens: Record<string, SealedBox>,
): Promise<SessionResourceRecord> {
  const base = { id: newSessionResourceId(), created_at: at, updated_at: at };
  switch (params.type) {
    case "file":
      return { ...base, ...params, mount_path: params.mount_path ?? defaultFileMountPath(params.file_id) };
    case "memory_store":
      return resolveMemoryStore(state, base, params);
    case "github_repository":
      return resolveRepository(base, params, tokens);
  }
}

/** Refuses more than SESSION_RESOURCES_MAX resources, the same memory store twice, and colliding mount paths. */
export function checkResourceSet(all: readonly SessionResourceRecord[]): void {
  if (all.length > SESSION_RESOURCES_MAX)
    throw new CorralError("INVALID_REQUEST", `resources: at most ${SESSION_RESOURCES_MAX} per session`);
  const clash = overlappingMounts(all);
  if (clash)
    throw new CorralError("INVALID_REQUEST", `resources: mount paths ${clash[0]} and ${clash[1]} overlap`);
  const stores = all.flatMap((r) => (r.type === "memory_store" ? [r.memory_store_id] : []));
  if (new Set(stores).size !== stores.length)
    throw new CorralError("INVALID_REQUEST", "resources: a memory store is attached once per session");
}

/** Gives each new resource its id and defaults (the gateway has checked that every file exists). */
export async function resolveResources(
  state: StoreState,
  params: readonly SessionResourceParams[],
): Promise<ResolvedResources> {
  if (params.length > SESSION_RESOURCES_MAX)
    throw new CorralError("INVALID_REQUEST", `resources: at most ${SESSION_RESOURCES_MAX} per session`);
  const at = new Date().toISOString();
  const tokens: Record<string, SealedBox> = {};
  const records: SessionResourceRecord[] = [];
  for (const p of params) records.push(await resolveOne(state, p, at, tokens));
  return { records, tokens };
}
