import { SESSION_RESOURCE_RPC as R } from "@corral/protocol";
import { routeEntry as entry } from "../route-entry.js";
import { addResource } from "./add-resource.js";
import { deleteResource } from "./delete-resource.js";
import { getResource } from "./get-resource.js";
import { listResources } from "./list-resources.js";
import { resourceTokens } from "./resource-tokens.js";
import { rotateResourceToken } from "./rotate-resource-token.js";

/** `sessions.resources.*`: each RPC and the verb that answers it (registered beside the store's others). */
export const SESSION_RESOURCE_ROUTES = [
  entry(R.list, listResources),
  entry(R.get, getResource),
  entry(R.add, addResource),
  entry(R.update, rotateResourceToken),
  entry(R.delete, deleteResource),
  entry(R.tokens, resourceTokens),
];
