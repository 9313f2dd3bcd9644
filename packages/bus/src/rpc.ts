import {
  errors as natsErrors,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type Subscription,
} from "@nats-io/transport-node";
import {
  CorralError,
  describeZodError,
  MAX_PAYLOAD_BYTES,
  type RpcDef,
  type RpcParsedRequest,
  type RpcRequest,
  type RpcResponse,
  type RpcError,
} from "@corral/protocol";
import type { Bus } from "./connect.js";
import { timeServed } from "./rpc-metrics.js";
import { replySchemaOf } from "./reply-schema.js";
import { injectTrace, traceServed, traceOptions } from "./trace-context.js";
import { bucketFailure } from "./retrying-bucket.js";

export type RpcHandler<D extends RpcDef> = (
  request: RpcParsedRequest<D>,
  msg: Msg,
) => Promise<RpcResponse<D>>;

export interface ServeOptions {
  /** Queue group; replicas in one group share the subject. Omit for a subject only this process serves. */
  queue?: string;
  /** Serve this concrete subject instead of the definition's (e.g. one sandbox's exec subject). */
  subject?: string;
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new CorralError("INVALID_REQUEST", "request body is not valid JSON");
  }
}

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function toRpcError(error: unknown, bus: Bus, subject: string): RpcError {
  if (error instanceof CorralError) return error.toJSON();
  // JetStream away for a moment (a leader election, a restart): the caller may ask again, and is told so.
  const outage = bucketFailure(error, "JetStream");
  if (outage instanceof CorralError) {
    bus.logger?.warn({ err: error, subject }, "rpc handler met a NATS outage");
    return { code: outage.code, message: "JetStream is briefly unavailable; try again", retryable: true };
  }
  bus.logger?.error({ err: error, subject }, "rpc handler failed");
  return { code: "INTERNAL", message: "internal error", retryable: true };
}

async function handle<D extends RpcDef>(bus: Bus, def: D, handler: RpcHandler<D>, msg: Msg): Promise<void> {
  const timed = timeServed(def.subject);
  const traced = traceServed(def.subject, msg);
  const served = (code: string) => (timed(code), traced.end(code));
  let reply: unknown;
  try {
    const parsed = def.request.safeParse(parseJson(msg.data));
    if (!parsed.success) throw new CorralError("INVALID_REQUEST", describeZodError(parsed.error));
    const value = await traced.run(() => handler(parsed.data as RpcParsedRequest<D>, msg));
    reply = { ok: true, value: def.response.parse(value) };
    served("OK");
  } catch (error) {
    const rpcError = toRpcError(error, bus, def.subject);
    served(rpcError.code);
    reply = { ok: false, error: rpcError };
  }
  const body = encode(reply);
  if (body.length > MAX_PAYLOAD_BYTES) {
    msg.respond(
      encode({
        ok: false,
        error: { code: "PAYLOAD_TOO_LARGE", message: "reply too large; ask for less", retryable: false },
      }),
    );
    return;
  }
  if (msg.reply) msg.respond(body);
}

/** Serves one RPC: every request is validated, every reply is `{ok, value} | {ok:false, error}`. */
export function serve<D extends RpcDef>(
  bus: Bus,
  def: D,
  handler: RpcHandler<D>,
  options: ServeOptions = {},
): Subscription {
  return bus.nc.subscribe(options.subject ?? def.subject, {
    ...(options.queue ? { queue: options.queue } : {}),
    callback: (err, msg) => {
      if (err) {
        bus.logger?.error({ err, subject: def.subject }, "rpc subscription failed");
        return;
      }
      void handle(bus, def, handler, msg);
    },
  });
}

function mapRequestError(error: unknown, subject: string): CorralError {
  if (
    error instanceof natsErrors.NoRespondersError ||
    (error instanceof natsErrors.RequestError && error.isNoResponders())
  ) {
    return new CorralError("UNAVAILABLE", `no service answers ${subject}`, { cause: error });
  }
  if (error instanceof natsErrors.TimeoutError || (error instanceof Error && error.name === "TimeoutError")) {
    return new CorralError("TIMEOUT", `no reply on ${subject} in time`, { cause: error });
  }
  if (
    error instanceof natsErrors.InvalidArgumentError ||
    (error instanceof Error && /payload/i.test(error.message))
  ) {
    return new CorralError("PAYLOAD_TOO_LARGE", "request exceeds the maximum message size", { cause: error });
  }
  return new CorralError("UNAVAILABLE", `request on ${subject} failed`, { cause: error });
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Send to this subject instead of the definition's (for per-instance subjects such as a sandbox's exec). */
  subject?: string;
  /** Headers to send with the request (e.g. the workspace a client's request acts for). */
  headers?: Record<string, string>;
}

function headersOf(values: Record<string, string> | undefined) {
  if (!values) return traceOptions().headers;
  const h = natsHeaders();
  for (const [name, value] of Object.entries(values)) h.set(name, value);
  return injectTrace(h);
}

const withHeaders = (headers: MsgHdrs | undefined) => (headers ? { headers } : {});

/** Calls an RPC; resolves with the typed value or throws a CorralError (never a raw NATS error). */
export async function request<D extends RpcDef>(
  bus: Bus,
  def: D,
  body: RpcRequest<D>,
  options: RequestOptions = {},
): Promise<RpcResponse<D>> {
  const subject = options.subject ?? def.subject;
  const checked = def.request.safeParse(body);
  if (!checked.success) throw new CorralError("INVALID_REQUEST", describeZodError(checked.error));
  const payload = encode(body);
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new CorralError(
      "PAYLOAD_TOO_LARGE",
      `request is ${payload.length} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
    );
  }
  let msg: Msg;
  try {
    msg = await bus.nc.request(subject, payload, {
      timeout: options.timeoutMs ?? bus.requestTimeoutMs,
      ...withHeaders(headersOf(options.headers)),
    });
  } catch (error) {
    throw mapRequestError(error, subject);
  }
  const reply = replySchemaOf(def.response).safeParse(parseJson(msg.data));
  if (!reply.success)
    throw new CorralError("INTERNAL", `malformed reply on ${subject}: ${describeZodError(reply.error)}`);
  if (!reply.data.ok) throw CorralError.from(reply.data.error);
  return reply.data.value as RpcResponse<D>;
}

/**
 * Sends raw bytes to a subject and returns the raw reply, parsed as JSON: what a client in another
 * language sees. For tests of what a service does with input no typed caller could send.
 */
export async function requestRaw(
  bus: Bus,
  subject: string,
  payload: string,
  timeoutMs?: number,
): Promise<unknown> {
  const msg = await bus.nc.request(subject, payload, { timeout: timeoutMs ?? bus.requestTimeoutMs });
  return parseJson(msg.data);
}
