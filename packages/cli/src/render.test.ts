import { expect, test } from "vitest";
import { SessionEvent } from "@corral/protocol";
import { renderEvent } from "./render.js";

const T = "sthr_0123456789abcdef0123456789";
const stored = (input: Record<string, unknown>, seq: number) =>
  SessionEvent.parse({
    ...input,
    id: `sevt_${String(seq).padStart(26, "0")}`,
    seq,
    processed_at: "2026-11-26T00:00:00.000Z",
  });

test("corral run shows threads as they start, reply and finish", () => {
  const lines = [
    stored({ type: "session.thread_created", session_thread_id: T, agent_name: "researcher" }, 1),
    stored(
      {
        type: "span.sandbox_handoff",
        sandbox_id: "sbx_0123456789abcdef01234567",
        mode: "share",
        direction: "out",
        peer_thread_id: T,
      },
      2,
    ),
    stored(
      {
        type: "agent.thread_message_received",
        from_session_thread_id: T,
        from_agent_name: "researcher",
        content: [{ type: "text", text: "found\nthree papers" }],
      },
      3,
    ),
    stored(
      {
        type: "session.thread_status_idle",
        session_thread_id: T,
        agent_name: "researcher",
        stop_reason: { type: "end_turn" },
      },
      4,
    ),
  ].map(renderEvent);
  expect(lines).toEqual([
    `  ⑂ thread ${T} started (researcher)`,
    `  ⇢ sandbox sbx_0123456789abcdef01234567 shared with ${T}`,
    "  ⑂ researcher: found three papers",
    `  ⑂ thread ${T} (researcher) finished: end_turn`,
  ]);
});

test("corral run names the host a sandbox started on, when the log says", () => {
  const sandbox = {
    type: "span.sandbox_provision_end",
    sandbox_id: "sbx_0123456789abcdef01234567",
    is_error: false,
  };
  expect(renderEvent(stored({ ...sandbox, host: "docker-a" }, 1))).toBe(
    "  ✓ sandbox sbx_0123456789abcdef01234567 ready on docker-a",
  );
  expect(renderEvent(stored(sandbox, 2))).toBe("  ✓ sandbox sbx_0123456789abcdef01234567 ready");
});
