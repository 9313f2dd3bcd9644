import type { z } from "zod";
import { AgentCreateParams, AgentRecord, AgentUpdateParams } from "./agents.js";
import { AgentContentBlock, ToolResultContentBlock, UserContentBlock } from "./content.js";
import { EnvironmentCreateParams, EnvironmentRecord, EnvironmentUpdateParams } from "./environments.js";
import { ClientEventInput, SessionEvent, SessionEventInput, SessionEventType } from "./events.js";
import { SessionCreateParams, SessionRecord, SessionUpdateParams } from "./sessions.js";

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
};
