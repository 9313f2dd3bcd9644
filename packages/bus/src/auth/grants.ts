/**
 * The NATS subjects behind each kind of access a service may be granted. JetStream and KV are driven by
 * requests on `$JS.API.*` subjects, so least privilege on a stream or a bucket is a list of API subjects.
 * Every grant is a pair of allow lists; a user's permissions are the union of its grants.
 */
export interface Grant {
  publish: string[];
  subscribe: string[];
}

const api = (verb: string) => `$JS.API.${verb}`;
const kvStream = (bucket: string) => `KV_${bucket}`;

/** Read a stream: its info, direct and stored-message gets, and ephemeral (ordered) consumers on it. */
export function readStream(stream: string): Grant {
  return {
    publish: [
      api(`STREAM.INFO.${stream}`),
      api(`STREAM.MSG.GET.${stream}`),
      api(`DIRECT.GET.${stream}`),
      api(`DIRECT.GET.${stream}.>`),
      api(`CONSUMER.CREATE.${stream}`),
      api(`CONSUMER.CREATE.${stream}.>`),
      api(`CONSUMER.INFO.${stream}.*`),
      api(`CONSUMER.DELETE.${stream}.*`),
      api(`CONSUMER.MSG.NEXT.${stream}.*`),
      `$JS.FC.${stream}.>`,
    ],
    subscribe: [],
  };
}

/** Create a stream, bring its config up to date and purge it: what only its owner may do. */
export function ownStream(stream: string): Grant {
  const read = readStream(stream);
  return {
    publish: [
      ...read.publish,
      api(`STREAM.CREATE.${stream}`),
      api(`STREAM.UPDATE.${stream}`),
      api(`STREAM.PURGE.${stream}`),
    ],
    subscribe: [],
  };
}

/** A durable consumer shared by one service's replicas: create it, pull from it, acknowledge. */
export function consume(stream: string, durable: string): Grant {
  return {
    publish: [
      api(`STREAM.INFO.${stream}`),
      api(`CONSUMER.CREATE.${stream}.${durable}`),
      api(`CONSUMER.CREATE.${stream}.${durable}.>`),
      api(`CONSUMER.DURABLE.CREATE.${stream}.${durable}`),
      api(`CONSUMER.INFO.${stream}.${durable}`),
      api(`CONSUMER.MSG.NEXT.${stream}.${durable}`),
      `$JS.ACK.${stream}.${durable}.>`,
    ],
    subscribe: [],
  };
}

/**
 * Read a KV bucket: open it, get keys, list and watch them. A reader may also create the bucket if it
 * starts before the owner (every service creates a bucket with the same config, so nobody's differs):
 * it must not wait for a service it only reads from. Writing stays the owner's.
 */
export function readBucket(bucket: string): Grant {
  const read = readStream(kvStream(bucket));
  return { publish: [...read.publish, api(`STREAM.CREATE.${kvStream(bucket)}`)], subscribe: [] };
}

/** Own a KV bucket: create it and write it (put, create, update, delete, purge are publishes). */
export function ownBucket(bucket: string): Grant {
  const own = ownStream(kvStream(bucket));
  return { publish: [...own.publish, `$KV.${bucket}.>`], subscribe: [] };
}

/** Answer requests on these subjects (replies are allowed by the user's `allow_responses`). */
export function serve(...subjects: string[]): Grant {
  return { publish: [], subscribe: subjects };
}

/** Send requests (or plain messages) on these subjects. */
export function send(...subjects: string[]): Grant {
  return { publish: subjects, subscribe: [] };
}

/** Receive plain messages on these subjects (no replies). */
export function listen(...subjects: string[]): Grant {
  return { publish: [], subscribe: subjects };
}

export function union(grants: Grant[]): Grant {
  const publish = new Set<string>();
  const subscribe = new Set<string>();
  for (const grant of grants) {
    for (const subject of grant.publish) publish.add(subject);
    for (const subject of grant.subscribe) subscribe.add(subject);
  }
  return { publish: [...publish].sort(), subscribe: [...subscribe].sort() };
}
