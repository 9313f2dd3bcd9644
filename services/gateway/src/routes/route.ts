import type { z } from "zod";
import type { ApiKeyId, FileId, FileRecord, LogId, RpcDef, RpcRequest, RpcResponse } from "@corral/protocol";
import { StreamQuery } from "./schemas.js";

export interface CallOptions {
  /** The request carries an idempotency key, so a write may be retried as safely as a read. */
  idempotent?: boolean;
}

/** Calls an RPC of another Corral service, retrying what is retryable for this request. */
export type Call = <D extends RpcDef>(
  def: D,
  body: RpcRequest<D>,
  options?: CallOptions,
) => Promise<RpcResponse<D>>;

/** Everything a handler may use; routes reach the rest of Corral only through `call`. */
export interface RouteContext {
  call: Call;
  headers: Record<string, string | string[] | undefined>;
  /** The id of the API key the request was made with (the actor a memory version names). */
  apiKeyId?: ApiKeyId | undefined;
  /** A live file of the caller's workspace (the gateway owns files); NOT_FOUND otherwise. */
  findFile(id: FileId): Promise<FileRecord>;
}

type Obj = z.ZodObject;

interface RouteInfo {
  /** Fastify syntax: `/v1/agents/:agent_id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
}

/** A JSON route: the validated input in, one JSON value out. */
export interface JsonRoute<
  P extends Obj = Obj,
  Q extends Obj = Obj,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> extends RouteInfo {
  kind: "json";
  method: "GET" | "POST" | "DELETE";
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  handler(
    input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> },
    ctx: RouteContext,
  ): Promise<z.input<R>>;
}

/** An SSE route: `open` checks the request and names the log to follow; the gateway streams it. */
export interface StreamRoute<P extends Obj = Obj> extends RouteInfo {
  kind: "stream";
  method: "GET";
  params: P;
  query: typeof StreamQuery;
  open(input: { params: z.output<P> }, ctx: RouteContext): Promise<LogId>;
}

export type Route = JsonRoute | StreamRoute;

/** Checks a route against its own schemas, then forgets them so routes of every shape share one table. */
export const route = <P extends Obj, Q extends Obj, B extends z.ZodType, R extends z.ZodType>(
  r: Omit<JsonRoute<P, Q, B, R>, "kind">,
): Route => ({ kind: "json", ...r }) as unknown as Route;

export const streamRoute = <P extends Obj>(r: Omit<StreamRoute<P>, "kind" | "method" | "query">) =>
  ({ kind: "stream", method: "GET", query: StreamQuery, ...r }) as unknown as Route;
