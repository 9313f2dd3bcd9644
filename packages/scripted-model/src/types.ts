export type ScriptedBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id?: string; name: string; input: Record<string, unknown> };

export type ScriptedReply =
  | {
      type: "message";
      content: ScriptedBlock[];
      stop_reason?: string;
      usage?: { input_tokens: number; output_tokens: number };
      latencyMs?: number;
      chunkDelayMs?: number;
    }
  | { type: "error"; status: number; message?: string }
  | { type: "hang" };

export type ScriptedTurn = ScriptedReply | ((request: ReceivedRequest) => ScriptedReply);

export interface ReceivedRequest {
  body: {
    model: string;
    max_tokens: number;
    stream?: boolean;
    system?: unknown;
    messages: Array<{ role: string; content: unknown }>;
    tools?: Array<{ name: string }>;
  };
  headers: Record<string, string | string[] | undefined>;
  receivedAt: number;
  aborted: boolean;
}

export interface ScriptedModel {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  script(...turns: ScriptedTurn[]): void;
  /** Used when the script is empty; null answers 500 "no scripted turn left". */
  setFallback(turn: ScriptedTurn | null): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}
