import {
  SESSION_RESOURCE_RPC as R,
  type RpcDef,
  type RpcParsedRequest,
  type RpcResponse,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { addResource } from "./add-resource.js";
import { deleteResource } from "./delete-resource.js";
import { getResource } from "./get-resource.js";
import { listResources } from "./list-resources.js";
import { resourceTokens } from "./resource-tokens.js";
import { rotateResourceToken } from "./rotate-resource-token.js";

type Handler<D extends RpcDef> = (state: StoreState, request: RpcParsedRequest<D>) => Promise<RpcResponse<D>>;

/** Pairs an RPC with its verb, checked here; the store's route table takes them as they are. */
const entry = <D extends RpcDef>(def: D, handler: Handler<D>) =>
  [def as RpcDef, handler as Handler<RpcDef>] as const;

/** `sessions.resources.*`: each RPC and the verb that answers it (registered beside the store's others). */
export const SESSION_RESOURCE_ROUTES = [
  entry(R.list, listResources),
  entry(R.get, getResource),
  entry(R.add, addResource),
  entry(R.update, rotateResourceToken),
  entry(R.delete, deleteResource),
  entry(R.tokens, resourceTokens),
];
