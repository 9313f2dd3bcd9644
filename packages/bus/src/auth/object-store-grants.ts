import { ownStream, readStream, type Grant } from "./grants.js";

/** An object store's stream: its chunks are `$O.<store>.C.<nuid>`, its objects' records `$O.<store>.M.<name>`. */
const objStream = (store: string) => `OBJ_${store}`;
const api = (verb: string) => `$JS.API.${verb}`;

/**
 * Read an object store: its records and chunks (an ordered consumer per read). A reader may create the
 * store if it starts before the owner, as with buckets (same config from the same code); writing stays
 * the owner's.
 */
export function readObjectStore(store: string): Grant {
  const read = readStream(objStream(store));
  return { publish: [...read.publish, api(`STREAM.CREATE.${objStream(store)}`)], subscribe: [] };
}

/** Own an object store: create it, put and delete objects (publishes and purges of its stream). */
export function ownObjectStore(store: string): Grant {
  const own = ownStream(objStream(store));
  return { publish: [...own.publish, `$O.${store}.>`], subscribe: [] };
}
