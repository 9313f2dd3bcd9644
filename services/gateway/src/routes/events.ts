import { z } from "zod";
import { ClientEventInput, SessionEvent, STORE_RPC } from "@corral/protocol";
import { EventsListQuery, listLog } from "./log-page.js";
import { route, streamRoute, type RouteContext } from "./route.js";
import { page } from "./schemas.js";
import { SessionPath } from "./sessions.js";

const EventsSendBody = z.strictObject({ events: z.array(ClientEventInput).min(1).max(100) });

/** An idempotency key makes a retried send land once (`Idempotency-Key`, as in Stripe and others). */
function idempotencyKey(headers: RouteContext["headers"]): string | undefined {
  const value = headers["idempotency-key"];
  return typeof value === "string" && value ? value : undefined;
}

export const EVENT_ROUTES = [
  route({
    method: "GET",
    path: "/v1/sessions/:session_id/events",
    operationId: "sessions.events.list",
    summary: "List a session's events",
    tag: "events",
    params: SessionPath,
    query: EventsListQuery,
    response: page(SessionEvent),
    handler: ({ params, query }, { call }) => listLog(call, params.session_id, query),
  }),
  route({
    method: "POST",
    path: "/v1/sessions/:session_id/events",
    operationId: "sessions.events.send",
    summary: "Send events (messages, interrupts, confirmations, tool results)",
    tag: "events",
    params: SessionPath,
    body: EventsSendBody,
    response: z.object({ data: z.array(SessionEvent) }),
    handler: async ({ params, body }, { call, headers }) => {
      const key = idempotencyKey(headers);
      const request = { session_id: params.session_id, events: body.events };
      const result = key
        ? await call(STORE_RPC.eventsSend, { ...request, idempotency_key: key }, { idempotent: true })
        : await call(STORE_RPC.eventsSend, request);
      return { data: result.events };
    },
  }),
  streamRoute({
    path: "/v1/sessions/:session_id/events/stream",
    operationId: "sessions.events.stream",
    summary:
      "Follow a session's events live (SSE). Each frame's id is the event's position; reconnect with Last-Event-ID to resume without loss.",
    tag: "events",
    params: SessionPath,
    open: async ({ params }, { call }) => {
      await call(STORE_RPC.sessionsGet, params);
      return params.session_id;
    },
  }),
];
