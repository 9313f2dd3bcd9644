import type { RpcDef, RpcParsedRequest, RpcResponse } from "@corral/protocol";
import type { StoreState } from "./state.js";

export type RouteHandler<D extends RpcDef> = (
  state: StoreState,
  request: RpcParsedRequest<D>,
) => Promise<RpcResponse<D>>;

/** An RPC and the verb that answers it, checked against each other here; the store's route table serves the pair. */
export const routeEntry = <D extends RpcDef>(def: D, handler: RouteHandler<D>) =>
  [def as RpcDef, handler as RouteHandler<RpcDef>] as const;
