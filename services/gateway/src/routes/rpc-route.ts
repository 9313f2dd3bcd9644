import type { z } from "zod";
import type { RpcDef, RpcRequest, RpcResponse } from "@corral/protocol";
import type { Route, RouteContext } from "./route.js";

type Obj = z.ZodObject;
type Out<S> = S extends z.ZodType ? z.output<S> : object;

/**
 * What a route hands its RPC: the path's ids and the query's fields; a body goes alone, or under `params`
 * beside the ids of the record it is for (`{agent_id, params}`).
 */
export type RpcInput<P, Q, B> = [B] extends [undefined]
  ? Out<P> & Out<Q>
  : keyof Out<P> extends never
    ? Out<B>
    : Out<P> & { params: Out<B> };

/** The RPC itself when it accepts `In` and answers an `Out`; anything else is refused at compile time. */
export type Fits<D extends RpcDef, In, Out> = D &
  ([In] extends [RpcRequest<D>] ? ([RpcResponse<D>] extends [Out] ? unknown : never) : never);

export interface RpcRouteSpec<P, Q, B, R extends z.ZodType, D extends RpcDef> {
  method: "GET" | "POST" | "DELETE";
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  rpc: Fits<D, RpcInput<P, Q, B>, z.input<R>>;
}

function rpcInput(withBody: boolean, input: { params?: object; query?: object; body?: unknown }) {
  if (!withBody) return { ...input.params, ...input.query };
  return input.params && Object.keys(input.params).length > 0
    ? { ...input.params, params: input.body }
    : input.body;
}

/** A route that is one RPC: its validated input becomes the RPC's request, its answer the response. */
export function rpcRoute<
  R extends z.ZodType,
  D extends RpcDef,
  P extends Obj | undefined = undefined,
  Q extends Obj | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RpcRouteSpec<P, Q, B, R, D>): Route {
  const { rpc, ...info } = spec;
  const withBody = spec.body !== undefined;
  // The input's and the answer's shapes were checked against the RPC above (`Fits`).
  const handler = (input: object, { call }: RouteContext) =>
    call(rpc, rpcInput(withBody, input) as RpcRequest<D>);
  return { kind: "json", ...info, handler } as Route;
}
