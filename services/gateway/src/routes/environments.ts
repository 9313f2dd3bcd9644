import {
  EnvironmentCreateParams,
  EnvironmentId,
  EnvironmentRecord,
  EnvironmentUpdateParams,
  STORE_RPC,
} from "@corral/protocol";
import { topLevelResource } from "./resource.js";
import { PageQuery } from "./schemas.js";

const environments = topLevelResource("environments", "environment_id", EnvironmentId, EnvironmentRecord);

export const ENVIRONMENT_ROUTES = [
  environments.create("Create an environment", EnvironmentCreateParams, STORE_RPC.environmentsCreate),
  environments.list("List environments", PageQuery, STORE_RPC.environmentsList),
  environments.retrieve("Get an environment", STORE_RPC.environmentsGet),
  environments.update(
    "Update an environment (applies to new sandboxes)",
    EnvironmentUpdateParams,
    STORE_RPC.environmentsUpdate,
  ),
  environments.delete("Delete an environment", STORE_RPC.environmentsDelete),
  environments.archive("Archive an environment", STORE_RPC.environmentsArchive),
];
