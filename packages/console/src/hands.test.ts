import { expect, test } from "vitest";
import { foldHands } from "./hands.js";
import type { LogEvent } from "./types.js";

// Who holds which sandbox, folded from the sandbox spans of a session's log and its threads' logs.
let seq = 0;
const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, "0")}Z`;
const span = (second: number, type: string, fields: Record<string, unknown>): LogEvent => ({
  id: `sevt_${seq}`,
  seq: seq++,
  type,
  processed_at: at(second),
  ...fields,
});
const provisioned = (s: number, id: string) =>
  span(s, "span.sandbox_provision_end", { sandbox_id: id, is_error: false });
const handoff = (s: number, id: string, mode: string, direction: string, peer: string | null) =>
  span(s, "span.sandbox_handoff", { sandbox_id: id, mode, direction, peer_thread_id: peer });
const holders = (hands: ReturnType<typeof foldHands>, id: string) =>
  hands.find((h) => h.id === id)?.holders.map((h) => [h.thread, h.how, h.since]);

test("a transfer moves the sandbox to the thread; its return brings it back to the primary thread", () => {
  const primary = [
    provisioned(1, "sbx_a"),
    handoff(2, "sbx_a", "transfer", "out", "sthr_t"),
    handoff(5, "sbx_a", "return", "in", "sthr_t"),
  ];
  const thread = [handoff(2, "sbx_a", "transfer", "in", null), handoff(5, "sbx_a", "return", "out", null)];
  const during = foldHands([
    { thread: null, events: primary.slice(0, 2) },
    { thread: "sthr_t", events: thread.slice(0, 1) },
  ]);
  expect(holders(during, "sbx_a")).toEqual([["sthr_t", "transfer from primary", at(2)]]);
  const after = foldHands([
    { thread: null, events: primary },
    { thread: "sthr_t", events: thread },
  ]);
  expect(holders(after, "sbx_a")).toEqual([[null, "return from sthr_t", at(5)]]);
  expect(after[0]!.handoffs.map((h) => [h.from, h.to, h.mode])).toEqual([
    [null, "sthr_t", "transfer"],
    ["sthr_t", null, "return"],
  ]);
});

test("a share leaves both holding; a lost sandbox is held by nobody; a failed provision is no sandbox", () => {
  const hands = foldHands([
    {
      thread: null,
      events: [
        provisioned(1, "sbx_a"),
        handoff(2, "sbx_a", "share", "out", "sthr_t"),
        span(3, "span.sandbox_provision_end", { is_error: true, error_message: "no host" }),
      ],
    },
    {
      thread: "sthr_t",
      events: [
        handoff(2, "sbx_a", "share", "in", null),
        provisioned(4, "sbx_b"),
        span(6, "span.sandbox_lost", { sandbox_id: "sbx_b", reason: "killed" }),
      ],
    },
  ]);
  expect(holders(hands, "sbx_a")).toEqual([
    [null, "provisioned", at(1)],
    ["sthr_t", "share from primary", at(2)],
  ]);
  expect(holders(hands, "sbx_b")).toEqual([]);
  expect(hands.find((h) => h.id === "sbx_b")?.lost).toBe("killed");
  expect(hands).toHaveLength(2);
});

test("a sandbox's host comes from its provision span; an older log without one shows none", () => {
  const hands = foldHands([
    {
      thread: null,
      events: [
        span(1, "span.sandbox_provision_end", { sandbox_id: "sbx_a", is_error: false, host: "dock-1" }),
      ],
    },
    { thread: "sthr_t", events: [provisioned(2, "sbx_b"), handoff(3, "sbx_a", "share", "in", null)] },
  ]);
  expect(hands.map((h) => [h.id, h.host])).toEqual([
    ["sbx_a", "dock-1"],
    ["sbx_b", null],
  ]);
});
