import { z } from "zod";
import type { RpcDef } from "@corral/protocol";
import { rpcRoute, type Fits, type RpcInput } from "./rpc-route.js";
import { Deleted, page } from "./schemas.js";

type Obj = z.ZodObject;

/** A collection of records in the API: where it lives, the path of one record, and the record. */
export interface ResourceSpec<P extends Obj, C extends Obj | undefined, R extends z.ZodType> {
  tag: string;
  /** The operationId prefix, e.g. `vaults.credentials`; the tag unless said. */
  operation?: string;
  /** The path of one record, e.g. `/v1/vaults/:vault_id/credentials/:credential_id`; its collection's is its parent. */
  item: string;
  itemPath: P;
  /** The ids in the collection's path, when it is nested. */
  collectionPath?: C;
  record: R;
}

/** The routes on a resource's collection: create one, list them. */
function collectionRoutes<C extends Obj | undefined, R extends z.ZodType>(res: ResourceSpec<Obj, C, R>) {
  const at = {
    tag: res.tag,
    path: res.item.slice(0, res.item.lastIndexOf("/")),
    params: res.collectionPath,
  };
  const op = (verb: string) => `${res.operation ?? res.tag}.${verb}`;
  return {
    create: <B extends z.ZodType, D extends RpcDef>(
      summary: string,
      body: B,
      rpc: Fits<D, RpcInput<C, undefined, B>, z.input<R>>,
    ) =>
      rpcRoute({
        ...at,
        method: "POST",
        operationId: op("create"),
        summary,
        body,
        response: res.record,
        rpc,
      }),
    list: <Q extends Obj, D extends RpcDef>(
      summary: string,
      query: Q,
      rpc: Fits<D, RpcInput<C, Q, undefined>, z.input<ReturnType<typeof page<R>>>>,
    ) =>
      rpcRoute({
        ...at,
        method: "GET",
        operationId: op("list"),
        summary,
        query,
        response: page(res.record),
        rpc,
      }),
  };
}

/** The routes on one record: retrieve, update, delete, archive. */
function itemRoutes<P extends Obj, R extends z.ZodType>(res: ResourceSpec<P, Obj | undefined, R>) {
  const at = { tag: res.tag, path: res.item, params: res.itemPath, response: res.record };
  const op = (verb: string) => `${res.operation ?? res.tag}.${verb}`;
  type ById<D extends RpcDef, Out> = Fits<D, RpcInput<P, undefined, undefined>, Out>;
  return {
    retrieve: <D extends RpcDef>(summary: string, rpc: ById<D, z.input<R>>) =>
      rpcRoute({ ...at, method: "GET", operationId: op("retrieve"), summary, rpc }),
    update: <B extends z.ZodType, D extends RpcDef>(
      summary: string,
      body: B,
      rpc: Fits<D, RpcInput<P, undefined, B>, z.input<R>>,
    ) => rpcRoute({ ...at, method: "POST", operationId: op("update"), summary, body, rpc }),
    delete: <D extends RpcDef>(summary: string, rpc: ById<D, z.input<typeof Deleted>>) =>
      rpcRoute({ ...at, method: "DELETE", operationId: op("delete"), summary, response: Deleted, rpc }),
    archive: <D extends RpcDef>(summary: string, rpc: ById<D, z.input<R>>) =>
      rpcRoute({
        ...at,
        method: "POST",
        path: `${res.item}/archive`,
        operationId: op("archive"),
        summary,
        rpc,
      }),
  };
}

/**
 * The routes every resource has, each one RPC: create, list, retrieve, update, delete and archive. Each
 * takes its summary, its schemas and the RPC, whose request must accept what the route hands it.
 */
export function resource<P extends Obj, C extends Obj | undefined, R extends z.ZodType>(
  res: ResourceSpec<P, C, R>,
) {
  return { ...collectionRoutes(res), ...itemRoutes(res) };
}

/** A top-level resource: its records at `/v1/<tag>/:<idKey>`; the path schema of one record, and the routes. */
export function topLevelResource<K extends string, I extends z.ZodType, R extends z.ZodType>(
  tag: string,
  idKey: K,
  id: I,
  record: R,
) {
  const itemPath = z.strictObject({ [idKey]: id } as { [key in K]: I });
  return { itemPath, ...resource({ tag, item: `/v1/${tag}/:${idKey}`, itemPath, record }) };
}
