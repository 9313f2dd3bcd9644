import { z } from "zod";
import { RpcError } from "./errors.js";

/** One RPC: its subject and the schemas of what goes in and what comes back. */
export interface RpcDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly subject: string;
  readonly request: Req;
  readonly response: Res;
}

export function defineRpc<Req extends z.ZodType, Res extends z.ZodType>(
  subject: string,
  request: Req,
  response: Res,
): RpcDef<Req, Res> {
  return { subject, request, response };
}

export type RpcRequest<D extends RpcDef> = z.input<D["request"]>;
export type RpcParsedRequest<D extends RpcDef> = z.output<D["request"]>;
export type RpcResponse<D extends RpcDef> = z.output<D["response"]>;

/** Every reply on the bus: a value or a typed error, never a bare timeout. */
export function rpcReply<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: RpcError }),
  ]);
}
