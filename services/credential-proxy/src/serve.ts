import { VAULT_QUEUE, type RpcDef } from "@corral/protocol";
import { serve, type Bus, type RpcHandler, type Subscription } from "@corral/bus";

/** Serves one RPC in the credential-proxy's queue group (on `subject` instead of the definition's, if given). */
export type Serve = <D extends RpcDef>(def: D, handler: RpcHandler<D>, subject?: string) => void;

/** A `Serve` that keeps each subscription, so that `stop()` can end them all. */
export function queueServer(bus: Bus): { serve: Serve; stop(): void } {
  const subscriptions: Subscription[] = [];
  return {
    serve: (def, handler, subject) =>
      void subscriptions.push(serve(bus, def, handler, { queue: VAULT_QUEUE, ...(subject && { subject }) })),
    stop: () => subscriptions.splice(0).forEach((sub) => sub.unsubscribe()),
  };
}
