import { errors as natsErrors } from "@nats-io/transport-node";
import { JetStreamApiError } from "@nats-io/jetstream";
import { CorralError } from "@corral/protocol";
import type { Bucket } from "./bucket.js";
import { retrying, type RetryOptions } from "./retry.js";

/** JetStream's "temporarily unavailable" (e.g. during a leader election): the call was not applied. */
const JS_TEMPORARILY_UNAVAILABLE = 10008;

/**
 * A NATS failure of a bucket call as a CorralError: UNAVAILABLE when the call never reached JetStream
 * (nobody answered: any call may be repeated), TIMEOUT when it may or may not have been applied. Any
 * other error is returned as it is.
 */
export function bucketFailure(error: unknown, bucket: string): unknown {
  const unavailable =
    // nats.js reports "no responders" on a JetStream request as JetStreamNotEnabled (not exported).
    (error instanceof Error && error.name === "JetStreamNotEnabled") ||
    error instanceof natsErrors.NoRespondersError ||
    (error instanceof natsErrors.RequestError && error.isNoResponders()) ||
    (error instanceof JetStreamApiError && error.code === JS_TEMPORARILY_UNAVAILABLE);
  if (unavailable) return new CorralError("UNAVAILABLE", `bucket ${bucket} is unavailable`, { cause: error });
  if (error instanceof natsErrors.TimeoutError)
    return new CorralError("TIMEOUT", `bucket ${bucket} did not answer in time`, { cause: error });
  return error;
}

/**
 * Runs one bucket call, retrying NATS outages within `options`. A conditional write (create, replace,
 * delete at a revision) that timed out is not repeated: it may have been applied, and a repeat would
 * then report a conflict that is not there. Its TIMEOUT is thrown as not retryable.
 */
function call<T>(name: string, fn: () => Promise<T>, options: RetryOptions, conditional = false): Promise<T> {
  return retrying(async () => {
    try {
      return await fn();
    } catch (error) {
      const failure = bucketFailure(error, name);
      if (conditional && failure instanceof CorralError && failure.code === "TIMEOUT")
        throw new CorralError("TIMEOUT", failure.message, { cause: error, retryable: false });
      throw failure;
    }
  }, options);
}

/**
 * The same bucket, with every call retried while NATS or JetStream is briefly away (a restart, a leader
 * election) for at most `options.deadlineMs`. `update`'s change may run again on a retry, so it must
 * compute the next value from the current one alone.
 */
export function retryingBucket<T>(bucket: Bucket<T>, options: RetryOptions): Bucket<T> {
  const { name } = bucket;
  return {
    name,
    get: (key) => call(name, () => bucket.get(key), options),
    create: (key, value) => call(name, () => bucket.create(key, value), options, true),
    put: (key, value) => call(name, () => bucket.put(key, value), options),
    replace: (key, value, revision) => call(name, () => bucket.replace(key, value, revision), options, true),
    update: (key, change) => call(name, () => bucket.update(key, change), options),
    delete: (key, revision) =>
      call(name, () => bucket.delete(key, revision), options, revision !== undefined),
    purge: (key) => call(name, () => bucket.purge(key), options),
    keys: (filter) => call(name, () => bucket.keys(filter), options),
    watch: (watchOptions) => bucket.watch(watchOptions),
  };
}
