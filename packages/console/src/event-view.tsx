import { memo, type ReactNode } from "react";
import { Collapsible } from "./collapsible.js";
import { pretty, textOf, time, tokens } from "./format.js";
import { ToolActions } from "./tool-actions.js";
import type { LogEvent, Usage } from "./types.js";

export interface EventContext {
  sessionId: string;
  threadLink: (threadId: string) => string;
}

/** What a row shows beyond its event: passed as plain values, so a row renders again only when they change. */
interface RowInfo extends EventContext {
  /** The agent waits on this tool call. */
  waiting: boolean;
  /** The tool's name, for a result or an answer that names its call by id. */
  toolName: string | undefined;
}

type Render = (e: LogEvent, ctx: RowInfo) => ReactNode;

const str = (v: unknown) => (typeof v === "string" ? v : v == null ? "" : JSON.stringify(v));

function toolUse(e: LogEvent, ctx: RowInfo): ReactNode {
  const server = e.mcp_server_name ? `${str(e.mcp_server_name)} · ` : "";
  const permission = e.evaluated_permission ? (
    <span className="badge">{str(e.evaluated_permission)}</span>
  ) : null;
  return (
    <>
      <div className="tool-head">
        <strong>
          {server}
          {str(e.name)}
        </strong>{" "}
        {permission}
        {e.type === "agent.custom_tool_use" && <span className="badge">custom</span>}
      </div>
      <Collapsible text={pretty(e.input)} label="input" />
      {ctx.waiting && <ToolActions event={e} sessionId={ctx.sessionId} />}
    </>
  );
}

function toolResult(e: LogEvent, ctx: RowInfo): ReactNode {
  const of = str(e.tool_use_id ?? e.mcp_tool_use_id ?? e.custom_tool_use_id);
  return (
    <>
      <div className="tool-head">
        result of <strong>{ctx.toolName ?? of}</strong>
        {e.is_error ? <span className="badge bad">error</span> : null}
      </div>
      <Collapsible text={textOf(e.content)} label="output" />
    </>
  );
}

function idle(e: LogEvent): ReactNode {
  const reason = e.stop_reason as { type: string; event_ids?: string[] } | undefined;
  const waits = reason?.event_ids?.length ? ` (waits on ${reason.event_ids.length})` : "";
  return (
    <span>
      idle · stop reason <strong className="stop-reason">{reason?.type ?? "?"}</strong>
      {waits}
    </span>
  );
}

function sessionError(e: LogEvent): ReactNode {
  const error = (e.error ?? {}) as { type?: string; message?: string; retry_status?: { type?: string } };
  return (
    <div>
      <strong>{error.type}</strong> · retry status <strong>{error.retry_status?.type}</strong>
      <pre className="block">{error.message}</pre>
    </div>
  );
}

/**
 * The model's extended thinking, folded: the API's `agent.thinking` is a progress signal whose content is not
 * kept, so the row says so; a `thinking` text, should an event carry one, is shown when unfolded.
 */
function thinking(e: LogEvent): ReactNode {
  const text = typeof e.thinking === "string" ? e.thinking : "";
  return (
    <details className="fold thinking">
      <summary>
        <em>thinking</em> {text ? <code>{text.split("\n")[0]?.slice(0, 80)}</code> : null}
      </summary>
      {text ? (
        <pre className="block">{text}</pre>
      ) : (
        <p className="muted small">The model thought before its next step; the API keeps only that it did.</p>
      )}
    </details>
  );
}

const threadLine: Render = (e, ctx) => {
  const id = str(e.session_thread_id);
  return (
    <span>
      {e.type.replace("session.thread_", "thread ")} · {str(e.agent_name)} ·{" "}
      <a href={ctx.threadLink(id)}>{id}</a>
    </span>
  );
};

const RENDERERS: Record<string, Render> = {
  "user.message": (e) => <div className="text">{textOf(e.content)}</div>,
  "agent.message": (e) => <div className="text">{textOf(e.content)}</div>,
  "system.message": (e) => <div className="text">{textOf(e.content)}</div>,
  "agent.thinking": thinking,
  "agent.tool_use": toolUse,
  "agent.mcp_tool_use": toolUse,
  "agent.custom_tool_use": toolUse,
  "agent.tool_result": toolResult,
  "agent.mcp_tool_result": toolResult,
  "user.custom_tool_result": toolResult,
  "user.tool_result": toolResult,
  "user.tool_confirmation": (e, ctx) => (
    <span>
      {str(e.result) === "allow" ? "allowed" : "denied"} {ctx.toolName ?? ""}
      {e.deny_message ? ` — ${str(e.deny_message)}` : ""}
    </span>
  ),
  "user.interrupt": () => <span>interrupt</span>,
  "session.status_running": () => <span>running</span>,
  "session.status_idle": idle,
  "session.status_rescheduled": () => <span>rescheduled (will run again)</span>,
  "session.status_terminated": () => <span>terminated</span>,
  "session.error": sessionError,
  "session.usage": (e) => <span>usage {tokens(e.usage as Usage)}</span>,
  "session.thread_created": threadLine,
  "session.thread_status_running": threadLine,
  "session.thread_status_idle": threadLine,
  "session.thread_status_terminated": threadLine,
  "span.model_request_end": (e) => (
    <span>
      model request ended · {tokens(e.model_usage as Usage)}
      {e.is_error ? <span className="badge bad">error</span> : null}
    </span>
  ),
  "agent.thread_message_sent": (e) => <Collapsible text={textOf(e.content)} label="to thread" />,
  "agent.thread_message_received": (e) => <Collapsible text={textOf(e.content)} label="from thread" />,
};

/** The kind of row: its colour and weight in the timeline. */
export function kindOf(type: string): string {
  if (type === "session.error") return "error";
  if (type === "span.egress_blocked" || type === "span.sandbox_lost") return "warn";
  if (type.startsWith("user.")) return "user";
  if (type === "agent.message") return "agent";
  if (type === "agent.thinking") return "thinking";
  if (type.includes("tool_use") || type.includes("tool_result")) return "tool";
  if (type.startsWith("span.")) return "span";
  return "status";
}

const COMMON = new Set(["id", "type", "seq", "processed_at"]);

/** Spans and other events: their plain fields on one line, nested ones folded. */
const fallback: Render = (e) => {
  const rest = Object.fromEntries(Object.entries(e).filter(([k]) => !COMMON.has(k)));
  const plain = Object.entries(rest).filter(([, v]) => v === null || typeof v !== "object");
  const nested = Object.fromEntries(
    Object.entries(rest).filter(([, v]) => v !== null && typeof v === "object"),
  );
  return (
    <>
      <span className="fields">
        {plain.map(([k, v]) => (
          <span key={k}>
            {k} <code>{str(v)}</code>
          </span>
        ))}
      </span>
      {Object.keys(nested).length > 0 && <Collapsible text={pretty(nested)} limit={0} label="details" />}
    </>
  );
};

/** The id of the tool call an event answers or reports on, if any. */
export const callIdOf = (e: LogEvent): string | undefined => {
  const id = e.tool_use_id ?? e.mcp_tool_use_id ?? e.custom_tool_use_id;
  return typeof id === "string" ? id : undefined;
};

interface EventViewProps {
  event: LogEvent;
  ctx: EventContext;
  waiting: boolean;
  toolName: string | undefined;
  /** The position the reader jumped to. */
  focused?: boolean;
}

function EventRow({ event, ctx, waiting, toolName, focused }: EventViewProps) {
  const render = RENDERERS[event.type] ?? fallback;
  return (
    <li
      className={`event k-${kindOf(event.type)}${focused ? " focused" : ""}`}
      data-seq={event.seq}
      data-type={event.type}
      aria-current={focused ? "location" : undefined}
    >
      <div className="meta">
        <span className="seq">#{event.seq}</span>
        <span className="type">{event.type}</span>
        <time dateTime={event.processed_at}>{time(event.processed_at)}</time>
      </div>
      <div className="body">{render(event, { ...ctx, waiting, toolName })}</div>
    </li>
  );
}

/** One row per event; rows already shown are not rendered again when events are added. */
export const EventView = memo(EventRow);
