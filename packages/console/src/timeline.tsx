import { useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from "react";
import { callIdOf, EventView, type EventContext } from "./event-view.js";
import type { Draft } from "./log-state.js";
import type { LogEvent } from "./types.js";

interface TimelineProps {
  events: LogEvent[];
  drafts: Draft[];
  hasEarlier: boolean;
  loadEarlier: () => void;
  ctx: EventContext;
  /** Tool calls the agent waits on. */
  pending: ReadonlySet<string>;
}

function toolNamesOf(events: LogEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events) if (e.type.endsWith("tool_use")) names.set(e.id, String(e.name));
  return names;
}

/** Keeps the view pinned to the newest event while the reader is at the bottom, and still when earlier ones are added. */
function useScrollKeeping(box: RefObject<HTMLDivElement | null>, firstSeq: number, size: number) {
  const atBottom = useRef(true);
  const before = useRef({ firstSeq, height: 0, top: 0 });
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      before.current = { ...before.current, height: el.scrollHeight, top: el.scrollTop };
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    // The box itself changes size (a chart opened above it, the window resized): stay pinned to the end.
    const resized = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    resized.observe(el);
    return () => {
      el.removeEventListener("scroll", onScroll);
      resized.disconnect();
    };
  }, [box]);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (firstSeq < before.current.firstSeq && !atBottom.current)
      el.scrollTop = before.current.top + (el.scrollHeight - before.current.height);
    else if (atBottom.current) el.scrollTop = el.scrollHeight;
    before.current = { firstSeq, height: el.scrollHeight, top: el.scrollTop };
  }, [box, firstSeq, size]);
}

export function Timeline({ events, drafts, hasEarlier, loadEarlier, ctx, pending }: TimelineProps) {
  const box = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const toolNames = useMemo(() => toolNamesOf(events), [events]);
  const draftSize = drafts.reduce((n, d) => n + d.text.length, 0);
  useScrollKeeping(box, events[0]?.seq ?? 0, events.length + draftSize);

  useEffect(() => {
    const root = box.current;
    const sentinel = top.current;
    if (!root || !sentinel || !hasEarlier) return;
    const seen = new IntersectionObserver(
      (entries) => entries.some((e) => e.isIntersecting) && loadEarlier(),
      {
        root,
        rootMargin: "200px 0px 0px 0px",
      },
    );
    seen.observe(sentinel);
    return () => seen.disconnect();
  }, [hasEarlier, loadEarlier, events.length]);

  return (
    <div className="timeline" ref={box} tabIndex={0} aria-label="timeline">
      <div ref={top} className="earlier">
        {hasEarlier ? (
          <button type="button" className="secondary" onClick={loadEarlier}>
            Load earlier events (before #{events[0]?.seq})
          </button>
        ) : (
          <span className="muted">start of the log</span>
        )}
      </div>
      <ol className="events">
        {events.map((e) => (
          <EventView
            key={e.seq}
            event={e}
            ctx={ctx}
            waiting={pending.has(e.id)}
            toolName={toolNames.get(callIdOf(e) ?? "")}
          />
        ))}
        {drafts.map((d) => (
          <li key={d.id} className="event k-agent streaming" aria-live="polite" data-draft={d.id}>
            <div className="meta">
              <span className="seq">…</span>
              <span className="type">agent.message (streaming)</span>
            </div>
            <div className="body">
              <div className="text">{d.text}</div>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
