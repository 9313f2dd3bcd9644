import type { z } from "zod";
import { AgentCreateParams, AgentRecord, AgentUpdateParams } from "./agents.js";
import { AgentContentBlock, ToolResultContentBlock, UserContentBlock } from "./content.js";
import { EnvironmentCreateParams, EnvironmentRecord, EnvironmentUpdateParams } from "./environments.js";
import { ClientEventInput, SessionEvent, SessionEventInput, SessionEventType } from "./events.js";
import { SessionCreateParams, SessionRecord, SessionUpdateParams } from "./sessions.js";
import { STORE_RPC } from "./rpc.js";
import { SANDBOX_RPC } from "./sandbox.js";
import { TaskSubmission, TaskRecord, WakeMessage } from "./tasks.js";
import { LogEnvelope } from "./log.js";
import { RpcError } from "./errors.js";
import { HOST_RPC } from "./hosts.js";
import { MCP_RPC } from "./mcp.js";
import { THREAD_RPC, ThreadRecord } from "./threads.js";
import {
  CredentialCreateParams,
  CredentialRecord,
  CredentialUpdateParams,
  VAULT_RPC,
  VaultCreateParams,
  VaultRecord,
  VaultUpdateParams,
} from "./vaults.js";
import type { RpcDef } from "./rpc-def.js";
import { MEMORY_RPC } from "./memory-rpc.js";
import { SESSION_RESOURCE_RPC } from "./session-resources-rpc.js";
import { OUTPUT_RPC } from "./session-resources-outputs.js";
import { MemoryStoreRecord } from "./memory-stores.js";
import { Memory, MemoryVersion } from "./memory-records.js";

/** `<service>.<rpc>.request` / `.response` for every RPC, named after the catalog key. */
function rpcSchemas(service: string, catalog: Record<string, RpcDef>): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const [name, def] of Object.entries(catalog)) {
    out[`rpc.${service}.${name}.request`] = def.request;
    out[`rpc.${service}.${name}.response`] = def.response;
  }
  return out;
}

/** Every schema published as JSON Schema in `docs/schemas/<name>.json`, for clients in other languages. */
export const WIRE_SCHEMAS: Record<string, z.ZodType> = {
  SessionEvent,
  SessionEventInput,
  ClientEventInput,
  SessionEventType,
  UserContentBlock,
  AgentContentBlock,
  ToolResultContentBlock,
  AgentCreateParams,
  AgentUpdateParams,
  AgentRecord,
  EnvironmentCreateParams,
  EnvironmentUpdateParams,
  EnvironmentRecord,
  SessionCreateParams,
  SessionUpdateParams,
  SessionRecord,
  TaskSubmission,
  TaskRecord,
  WakeMessage,
  LogEnvelope,
  RpcError,
  VaultCreateParams,
  VaultUpdateParams,
  VaultRecord,
  CredentialCreateParams,
  CredentialUpdateParams,
  CredentialRecord,
  ThreadRecord,
  MemoryStoreRecord,
  Memory,
  MemoryVersion,
  ...rpcSchemas("store", STORE_RPC),
  ...rpcSchemas("threads", THREAD_RPC),
  ...rpcSchemas("vault", VAULT_RPC),
  ...rpcSchemas("host", HOST_RPC),
  ...rpcSchemas("mcp", MCP_RPC),
  ...rpcSchemas("sandbox", SANDBOX_RPC),
  ...rpcSchemas("memory", MEMORY_RPC),
  ...rpcSchemas("sessionResources", SESSION_RESOURCE_RPC),
  ...rpcSchemas("outputs", OUTPUT_RPC),
};
