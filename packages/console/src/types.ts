// The wire shapes the console reads (snake_case, as the API sends them); only the fields it shows.
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export type StopReason = { type: "requires_action"; event_ids: string[] } | { type: string };

export interface AgentRef {
  id: string;
  name: string;
  version?: number;
  model?: string | { id: string };
}

export interface SessionRecord {
  id: string;
  status: string;
  stop_reason: StopReason | null;
  title: string | null;
  agent: AgentRef;
  environment_id: string;
  usage: Usage;
  task_id: string | null;
  event_count: number;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface ThreadRecord {
  id: string;
  session_id: string;
  parent_thread_id: string | null;
  agent: AgentRef;
  status: string;
  stop_reason: StopReason | null;
  usage: Usage | null;
  event_count: number;
  created_at: string;
}

export interface ContentBlock {
  type: string;
  text?: string;
  [field: string]: unknown;
}

/** A stored event: `seq` is its position in its log. */
export interface LogEvent {
  id: string;
  type: string;
  seq: number;
  processed_at: string;
  [field: string]: unknown;
}

export interface DeltaFrame {
  type: "event_start" | "event_delta";
  event?: { id: string; type: string };
  event_id?: string;
  delta?: { index: number; content: { text: string } };
}

export const isRequiresAction = (
  r: StopReason | null | undefined,
): r is { type: "requires_action"; event_ids: string[] } => r?.type === "requires_action";
