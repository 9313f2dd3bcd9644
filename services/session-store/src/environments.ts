import { CorralError, newId, EnvironmentRecord as EnvironmentRecordSchema } from "@corral/protocol";
import type { EnvironmentCreateParams, EnvironmentRecord, EnvironmentUpdateParams } from "@corral/protocol";
import { createJson, getJson, type KV } from "@corral/bus";
import { listPage, type PageOf } from "@corral/bus";

export interface EnvironmentStore {
  create(params: EnvironmentCreateParams): Promise<EnvironmentRecord>;
  get(environmentId: string): Promise<EnvironmentRecord>;
  update(environmentId: string, params: EnvironmentUpdateParams): Promise<EnvironmentRecord>;
  list(query: {
    limit: number;
    page?: string | undefined;
    include_archived: boolean;
  }): Promise<PageOf<EnvironmentRecord>>;
  archive(environmentId: string): Promise<EnvironmentRecord>;
  delete(environmentId: string): Promise<{ id: string; type: string }>;
}

/** Names are unique (the API answers 409 on a duplicate): a `name.<hex>` key claims one. */
const nameKey = (name: string) => `name.${Buffer.from(name, "utf8").toString("hex")}`;

export function createEnvironmentStore(kv: KV): EnvironmentStore {
  async function current(environmentId: string) {
    const entry = await getJson(kv, EnvironmentRecordSchema, environmentId);
    if (!entry) throw new CorralError("NOT_FOUND", `environment ${environmentId} not found`);
    return entry;
  }

  async function claimName(name: string, environmentId: string): Promise<void> {
    if ((await createJson(kv, nameKey(name), environmentId)) !== null) return;
    const owner = await kv.get(nameKey(name));
    const ownerId = owner?.operation === "PUT" ? owner.json<string>() : null;
    // A claim whose environment never got stored (its creator died) or was deleted is free again.
    if (ownerId && ownerId !== environmentId && (await getJson(kv, EnvironmentRecordSchema, ownerId))) {
      throw new CorralError("ALREADY_EXISTS", `an environment named ${JSON.stringify(name)} exists`);
    }
    await kv.put(nameKey(name), JSON.stringify(environmentId));
  }

  return {
    async create(params) {
      const now = new Date().toISOString();
      const record: EnvironmentRecord = {
        id: newId("environment"),
        type: "environment",
        name: params.name,
        description: params.description ?? null,
        config: params.config,
        metadata: params.metadata ?? {},
        created_at: now,
        updated_at: now,
        archived_at: null,
      } as EnvironmentRecord;
      await claimName(record.name, record.id);
      await createJson(kv, record.id, record);
      return record;
    },
    async get(environmentId) {
      return (await current(environmentId)).value;
    },
    async update(environmentId, params) {
      const entry = await current(environmentId);
      if (entry.value.archived_at)
        throw new CorralError("ARCHIVED", `environment ${environmentId} is archived and read-only`);
      if (params.name !== undefined && params.name !== entry.value.name)
        await claimName(params.name, environmentId);
      const next = { ...entry.value, ...params, updated_at: new Date().toISOString() } as EnvironmentRecord;
      try {
        await kv.update(environmentId, JSON.stringify(next), entry.revision);
      } catch (error) {
        throw new CorralError("CONFLICT", `environment ${environmentId} was changed concurrently; retry`, {
          cause: error,
        });
      }
      if (next.name !== entry.value.name) await kv.delete(nameKey(entry.value.name));
      return next;
    },
    list(query) {
      return listPage(kv, EnvironmentRecordSchema, {
        ...query,
        order: "desc",
        filter: "*",
        keep: (e) => query.include_archived || !e.archived_at,
      });
    },
    async archive(environmentId) {
      const entry = await current(environmentId);
      if (entry.value.archived_at) return entry.value;
      const now = new Date().toISOString();
      const next = { ...entry.value, archived_at: now, updated_at: now };
      await kv.update(environmentId, JSON.stringify(next), entry.revision);
      return next;
    },
    async delete(environmentId) {
      const entry = await current(environmentId);
      await kv.delete(environmentId);
      await kv.delete(nameKey(entry.value.name));
      return { id: environmentId, type: "environment_deleted" };
    },
  };
}
