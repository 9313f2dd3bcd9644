import type { RpcDef, RpcRequest, RpcResponse } from "@corral/protocol";
import { request, retrying, type Bus, type RetryOptions } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { TIMEOUTS } from "@corral/protocol";

/**
 * How long the proxy waits out its dependencies (NATS KV, the secret backend, the session-store) when
 * they fail in a way worth retrying. `rpc` bounds the verbs whose callers wait `TIMEOUTS.rpcMs`, so that
 * an answer still reaches them; `long` is for sandbox requests, MCP calls and start-up.
 */
export interface RetryPolicy {
  rpc: RetryOptions;
  long: RetryOptions;
}

export function retryPolicy(retryMs: number, logger: Logger): RetryPolicy {
  const onRetry: RetryOptions["onRetry"] = (error, attempt, delay_ms) =>
    logger.info({ code: error.code, attempt, delay_ms }, "a dependency did not answer; retrying");
  return {
    rpc: { deadlineMs: Math.min(retryMs, TIMEOUTS.rpcMs / 2), onRetry },
    long: { deadlineMs: retryMs, onRetry },
  };
}

/** A read from another service, retried while it is away (UNAVAILABLE, TIMEOUT). */
export function requestRetrying<D extends RpcDef>(
  bus: Bus,
  def: D,
  body: RpcRequest<D>,
  retry: RetryOptions,
): Promise<RpcResponse<D>> {
  return retrying(() => request(bus, def, body), retry);
}
