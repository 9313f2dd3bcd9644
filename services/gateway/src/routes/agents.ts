import { z } from "zod";
import { AgentCreateParams, AgentId, AgentRecord, AgentUpdateParams, STORE_RPC } from "@corral/protocol";
import { topLevelResource } from "./resource.js";
import { rpcRoute } from "./rpc-route.js";
import { CreatedAtQuery, page, PageQuery } from "./schemas.js";

const agents = topLevelResource("agents", "agent_id", AgentId, AgentRecord);
const AgentPath = agents.itemPath;

export const AGENT_ROUTES = [
  agents.create("Create an agent", AgentCreateParams, STORE_RPC.agentsCreate),
  agents.list(
    "List agents (`created_at[gte|lte]` on the agent's creation)",
    PageQuery.extend({ created_at: CreatedAtQuery }),
    STORE_RPC.agentsList,
  ),
  rpcRoute({
    method: "GET",
    path: "/v1/agents/:agent_id",
    operationId: "agents.retrieve",
    summary: "Get an agent (its latest version, or `version`)",
    tag: "agents",
    params: AgentPath,
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    response: AgentRecord,
    rpc: STORE_RPC.agentsGet,
  }),
  agents.update(
    "Update an agent: creates a new immutable version",
    AgentUpdateParams,
    STORE_RPC.agentsUpdate,
  ),
  agents.archive("Archive an agent (permanent)", STORE_RPC.agentsArchive),
  rpcRoute({
    method: "GET",
    path: "/v1/agents/:agent_id/versions",
    operationId: "agents.versions.list",
    summary: "List an agent's versions",
    tag: "agents",
    params: AgentPath,
    query: PageQuery,
    response: page(AgentRecord),
    rpc: STORE_RPC.agentsVersions,
  }),
];
