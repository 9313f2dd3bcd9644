import { useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from "react";
import { callIdOf, EventView, type EventContext } from "./event-view.js";
import type { Draft } from "./log-state.js";
import { rowRange } from "./row-window.js";
import type { LogEvent } from "./types.js";

interface TimelineProps {
  events: LogEvent[];
  drafts: Draft[];
  /** Where the rows on the page end (null: the end of what is loaded). */
  shownTo: number | null;
  /** The API has events before the loaded ones. */
  moreInApi: boolean;
  /** The API has events after the loaded ones (the reader jumped back; the live end is further on). */
  moreLater: boolean;
  /** The position jumped to: marked and brought into view. */
  focus: number | null;
  loadEarlier: () => void;
  loadLater: () => void;
  showNewer: () => void;
  ctx: EventContext;
  /** Tool calls the agent waits on. */
  pending: ReadonlySet<string>;
}

function toolNamesOf(events: LogEvent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events) if (e.type.endsWith("tool_use")) names.set(e.id, String(e.name));
  return names;
}

interface Anchor {
  seq: string;
  /** Its distance from the top of the view. */
  offset: number;
}

/** The row at the top of the view (a binary search over the rows' offsets). */
function topRow(el: HTMLDivElement): Anchor | null {
  const rows = el.querySelector("ol.events")?.children;
  if (!rows?.length) return null;
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const row = rows[mid] as HTMLElement;
    if (row.offsetTop + row.offsetHeight <= el.scrollTop) lo = mid + 1;
    else hi = mid;
  }
  const row = rows[lo] as HTMLElement;
  return row.dataset.seq ? { seq: row.dataset.seq, offset: row.offsetTop - el.scrollTop } : null;
}

/**
 * Keeps the view pinned to the newest event while the reader is at the bottom; when the rows change at the
 * top (earlier ones added, or the window moved), the row the reader was looking at stays where it was.
 */
function useScrollKeeping(
  box: RefObject<HTMLDivElement | null>,
  firstSeq: number,
  size: number,
  following: boolean,
) {
  const atBottom = useRef(true);
  // Away from the end (a jump), rows added below must not pull the view down to load yet more.
  const pin = useRef(following);
  pin.current = following;
  const shownFirst = useRef(firstSeq);
  const anchor = useRef<Anchor | null>(null);
  const wasFollowing = useRef(following);
  // Read from the page as it still is, before this render changes its rows.
  if (firstSeq !== shownFirst.current && box.current && !atBottom.current)
    anchor.current = topRow(box.current);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    // The box itself changes size (a chart opened above it, the window resized): stay pinned to the end.
    const resized = new ResizeObserver(() => {
      if (atBottom.current && pin.current) el.scrollTop = el.scrollHeight;
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
    // Back to the live end (from a jump): the view goes to the newest event, not to where the reader was
    // (left near the top, it would load the page before the live window at once).
    const returned = pin.current && !wasFollowing.current;
    wasFollowing.current = pin.current;
    const kept = anchor.current && el.querySelector<HTMLElement>(`li[data-seq="${anchor.current.seq}"]`);
    if (returned) atBottom.current = true;
    if (!returned && kept && anchor.current) el.scrollTop = kept.offsetTop - anchor.current.offset;
    else if (atBottom.current && pin.current) el.scrollTop = el.scrollHeight;
    anchor.current = null;
    shownFirst.current = firstSeq;
  }, [box, firstSeq, size, following]);
}

/** Calls `onSeen` whenever `target` comes near the top (or the bottom) of `root`'s view. */
function useNear(
  root: RefObject<HTMLDivElement | null>,
  target: RefObject<HTMLDivElement | null>,
  onSeen: (() => void) | null,
  rows: number,
  edge: "top" | "bottom" = "top",
) {
  useEffect(() => {
    if (!root.current || !target.current || !onSeen) return;
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && onSeen(), {
      root: root.current,
      rootMargin: edge === "top" ? "200px 0px 0px 0px" : "0px 0px 200px 0px",
    });
    seen.observe(target.current);
    return () => seen.disconnect();
  }, [root, target, onSeen, rows, edge]);
}

/** Brings the position jumped to into view once its row is on the page. */
function useFocus(box: RefObject<HTMLDivElement | null>, focus: number | null) {
  useLayoutEffect(() => {
    if (focus === null) return;
    box.current?.querySelector<HTMLElement>(`li[data-seq="${focus}"]`)?.scrollIntoView({ block: "center" });
  }, [box, focus]);
}

function Drafts({ drafts }: { drafts: Draft[] }) {
  return drafts.map((d) => (
    <li key={d.id} className="event k-agent streaming" aria-live="polite" data-draft={d.id}>
      <div className="meta">
        <span className="seq">…</span>
        <span className="type">agent.message (streaming)</span>
      </div>
      <div className="body">
        <div className="text">{d.text}</div>
      </div>
    </li>
  ));
}

export function Timeline(props: TimelineProps) {
  const { events, drafts, shownTo, ctx, pending, focus } = props;
  const box = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const toolNames = useMemo(() => toolNamesOf(events), [events]);
  const [start, end] = rowRange(events, shownTo);
  const rows = events.slice(start, end);
  const hasEarlier = start > 0 || props.moreInApi;
  const draftSize = drafts.reduce((n, d) => n + d.text.length, 0);
  useScrollKeeping(box, rows[0]?.seq ?? 0, rows.length + draftSize, !props.moreLater);
  const hasLater = end < events.length || props.moreLater;
  useNear(box, top, hasEarlier ? props.loadEarlier : null, rows.length);
  useNear(
    box,
    bottom,
    props.moreLater && end === events.length ? props.loadLater : null,
    rows.length,
    "bottom",
  );
  useFocus(box, focus);
  return (
    <div className="timeline" ref={box} tabIndex={0} aria-label="timeline">
      <div ref={top} className="earlier">
        {hasEarlier ? (
          <button type="button" className="secondary" onClick={props.loadEarlier}>
            Load earlier events (before #{rows[0]?.seq})
          </button>
        ) : (
          <span className="muted">start of the log</span>
        )}
      </div>
      <ol className="events">
        {rows.map((e) => (
          <EventView
            key={e.seq}
            event={e}
            ctx={ctx}
            waiting={pending.has(e.id)}
            toolName={toolNames.get(callIdOf(e) ?? "")}
            focused={e.seq === focus}
          />
        ))}
        {shownTo === null && !props.moreLater && <Drafts drafts={drafts} />}
      </ol>
      <div ref={bottom} className="earlier">
        {end < events.length ? (
          <button type="button" className="secondary" onClick={props.showNewer}>
            Show newer events ({events.length - end} more loaded, up to #{events.at(-1)?.seq})
          </button>
        ) : hasLater ? (
          <button type="button" className="secondary" onClick={props.loadLater}>
            Show newer events (after #{events.at(-1)?.seq})
          </button>
        ) : null}
      </div>
    </div>
  );
}
