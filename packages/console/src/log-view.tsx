import { useEffect, useMemo } from "react";
import { pendingActions } from "./log-state.js";
import { JumpBar } from "./jump-bar.js";
import { RequestChart } from "./request-chart.js";
import { Timeline } from "./timeline.js";
import { useLog, type LogPaths } from "./use-log.js";

/** A log's timeline, live: the newest page, the stream, earlier pages on scroll. */
export function LogView(props: { paths: LogPaths; sessionId: string; onStatus?: () => void }) {
  const { paths, sessionId, onStatus } = props;
  const log = useLog(paths);
  const last = log.events.at(-1);
  // A status or usage event: the record shown above the timeline is stale, read it again now.
  useEffect(() => {
    if (last?.type.startsWith("session.")) onStatus?.();
  }, [last?.seq]);
  const pending = useMemo(() => pendingActions(log.events), [log.events]);
  const ctx = useMemo(
    () => ({ sessionId, threadLink: (threadId: string) => `#/sessions/${sessionId}/threads/${threadId}` }),
    [sessionId],
  );
  return (
    <section className="log" aria-label="events">
      <div className="log-status" role="status">
        {log.loading ? "loading…" : `${log.events.length} events loaded`} ·{" "}
        <span className={log.live ? "live on" : "live"}>{log.live ? "live" : "not live"}</span>
        {pending.size > 0 && <strong className="waits"> · waiting on {pending.size} action(s)</strong>}
        {log.focus !== null && <span> · at #{log.focus}</span>}
        {log.error && <span className="error-text"> · {log.error}</span>}
      </div>
      <JumpBar jumpTo={log.jumpTo} awayFromEnd={log.focus !== null && !log.live} toLiveEnd={log.toLiveEnd} />
      <RequestChart events={log.events} />
      <Timeline
        events={log.events}
        drafts={log.drafts}
        shownTo={log.shownTo}
        moreInApi={log.earlier !== null}
        moreLater={log.later !== null}
        focus={log.focus}
        loadEarlier={log.loadEarlier}
        loadLater={log.loadLater}
        showNewer={log.showNewer}
        ctx={ctx}
        pending={pending}
      />
    </section>
  );
}
