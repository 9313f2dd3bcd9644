import { openObjectStore, type ObjectStore, type ObjectStoreName } from "@corral/bus";
import type { ManagerContext } from "./context.js";

const opened = new WeakMap<object, Map<ObjectStoreName, Promise<ObjectStore>>>();

/** An object store opened once per bus connection (opened again after a failed open). */
export function objectStore(ctx: ManagerContext, name: ObjectStoreName): Promise<ObjectStore> {
  let stores = opened.get(ctx.bus);
  if (!stores) opened.set(ctx.bus, (stores = new Map()));
  let store = stores.get(name);
  if (!store) {
    store = openObjectStore(ctx.bus, name);
    store.catch(() => stores.delete(name));
    stores.set(name, store);
  }
  return store;
}
