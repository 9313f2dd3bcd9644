import { beforeAll, expect, test } from "vitest";
import { newId, STORE_RPC, type SessionId } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { makeSession, startStoreStack, text } from "./testing.js";
import { noteSession } from "./gate-cache.js";
import type { StoredSession } from "./records/stored-records.js";
import type { StoreState } from "./state.js";

let bus: Bus;

beforeAll(async () => {
  const stack = await startStoreStack();
  bus = stack.bus;
  return () => stack.stop();
});

const send = (sessionId: string) =>
  request(bus, STORE_RPC.eventsSend, { session_id: sessionId, events: [text("x")] });

test("a send right after an archive or a delete is refused, though the session took the send before", async () => {
  const archived = await makeSession(bus);
  await send(archived.id);
  await request(bus, STORE_RPC.sessionsArchive, { session_id: archived.id });
  await expect(send(archived.id)).rejects.toMatchObject({ code: "ARCHIVED" });
  const deleted = await makeSession(bus);
  await send(deleted.id);
  await request(bus, STORE_RPC.sessionsDelete, { session_id: deleted.id });
  await expect(send(deleted.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
});

test("what the append path knows of a session is never replaced by an older revision", () => {
  const state = { gate: { sessions: new Map() } } as unknown as StoreState;
  const sid = newId("session") as SessionId;
  const stored = (revision: number, archived: boolean) => ({
    revision,
    value: {
      record: { archived_at: archived ? new Date().toISOString() : null, status: "idle" },
    } as StoredSession,
  });
  expect(noteSession(state, sid, stored(5, true))).toMatchObject({ archived: true, revision: 5 });
  // A watch event or read from before the archive, arriving late.
  expect(noteSession(state, sid, stored(4, false))).toMatchObject({ archived: true, revision: 5 });
  expect(noteSession(state, sid, stored(6, false))).toMatchObject({ archived: false, revision: 6 });
  expect(noteSession(state, sid, null)).toBeNull();
  expect(state.gate.sessions.has(sid)).toBe(false);
});
