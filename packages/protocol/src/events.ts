import { z } from "zod";
import { stored } from "./event-base.js";
import { CLIENT_EVENT_INPUTS, USER_EVENT_INPUTS } from "./events-user.js";
import { AGENT_EVENT_INPUTS } from "./events-agent.js";
import { SESSION_EVENT_INPUTS } from "./events-session.js";
import { SPAN_EVENT_INPUTS } from "./events-span.js";

/**
 * Every event input, family by family. The type list, the input and stored unions and the JSON Schemas
 * all derive from this one list: a new event type is added to its family's list and nowhere else.
 */
const EVENT_INPUTS = [
  ...USER_EVENT_INPUTS,
  ...AGENT_EVENT_INPUTS,
  ...SESSION_EVENT_INPUTS,
  ...SPAN_EVENT_INPUTS,
] as const;

type AnyEventInput = z.ZodObject<{ type: z.ZodLiteral<string> }>;
type TypeOf<S> =
  S extends z.ZodObject<infer Shape> ? (Shape extends { type: z.ZodLiteral<infer T> } ? T : never) : never;
type TypesOf<List extends readonly unknown[]> = { -readonly [K in keyof List]: TypeOf<List[K]> };
type StoredOf<S> =
  S extends z.ZodObject<infer Shape, infer Config> ? ReturnType<typeof stored<Shape, Config>> : never;
type StoredAll<List extends readonly unknown[]> = { -readonly [K in keyof List]: StoredOf<List[K]> };

const typesOf = <List extends readonly AnyEventInput[]>(list: List) =>
  list.map((schema) => schema.shape.type.value) as TypesOf<List>;

export const SESSION_EVENT_TYPES = typesOf(EVENT_INPUTS);

export const SessionEventType = z.enum(SESSION_EVENT_TYPES);
export type SessionEventType = z.infer<typeof SessionEventType>;

export const CLIENT_EVENT_TYPES = typesOf(CLIENT_EVENT_INPUTS) satisfies readonly SessionEventType[];
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

export const SessionEventInput = z.discriminatedUnion("type", [...EVENT_INPUTS]);
export type SessionEventInput = z.infer<typeof SessionEventInput>;

export const SessionEvent = z.discriminatedUnion(
  "type",
  EVENT_INPUTS.map((input: AnyEventInput) => stored(input)) as StoredAll<typeof EVENT_INPUTS>,
);
export type SessionEvent = z.infer<typeof SessionEvent>;

/**
 * What a client may send. Answers to tool calls carry no `session_thread_id` here: the server routes
 * them to the thread that asked and records it on the stored event.
 */
export const ClientEventInput = z.discriminatedUnion("type", [...CLIENT_EVENT_INPUTS]);
export type ClientEventInput = z.infer<typeof ClientEventInput>;

// Compile-time proofs that the type list, the unions and the client subset agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsEveryInput: Same<SessionEventType, SessionEventInput["type"]> = true;
const listsEveryEvent: Same<SessionEventType, SessionEvent["type"]> = true;
const listsEveryClientEvent: Same<ClientEventType, ClientEventInput["type"]> = true;
void [listsEveryInput, listsEveryEvent, listsEveryClientEvent];
