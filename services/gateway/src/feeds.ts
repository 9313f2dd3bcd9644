import type { ServerResponse } from "node:http";
import type { LogId } from "@corral/protocol";
import type { Bus, SessionLog } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { LogFeed, type FeedOptions } from "./log-feed.js";
import type { DeltaType } from "./routes/schemas.js";

export type { FeedOptions } from "./log-feed.js";
export type { DeltaType } from "./routes/schemas.js";

export interface Feeds {
  /** Streams the log's events to `res` from `from` (or from now, when null) until it closes. */
  follow(
    logId: LogId,
    res: ServerResponse,
    from: number | null,
    deltas: ReadonlySet<DeltaType>,
  ): Promise<void>;
  /** Logs with at least one follower in this process. */
  sessions(): number;
  close(): void;
}

/** One shared feed per followed log (a session's or a thread's), made on its first follower. */
export function createFeeds(deps: {
  bus: Bus;
  log: SessionLog;
  logger: Logger;
  options: FeedOptions;
}): Feeds {
  const feeds = new Map<LogId, LogFeed>();
  async function feedOf(logId: LogId): Promise<LogFeed> {
    const existing = feeds.get(logId);
    if (existing) return existing;
    const head = await deps.log.head(logId);
    const raced = feeds.get(logId); // another follower may have started it meanwhile
    if (raced) return raced;
    const onIdle = () => feeds.get(logId) === created && feeds.delete(logId);
    const created: LogFeed = new LogFeed({ ...deps, onIdle }, logId, (head?.lastSeq ?? -1) + 1);
    feeds.set(logId, created);
    return created;
  }
  return {
    follow: async (logId, res, from, deltas) => (await feedOf(logId)).attach(res, from, deltas),
    sessions: () => feeds.size,
    close() {
      for (const feed of [...feeds.values()]) feed.close();
    },
  };
}
