import { setTimeout as sleep } from "node:timers/promises";
import { STORE_RPC, type SessionEvent } from "@corral/protocol";
import { openSessionLog, request, tailEvents, type Bus } from "@corral/bus";
import { clock, type FollowerProcess } from "./child-processes.js";

/** Appends not counted while connections, caches and the JIT warm up. */
const WARMUP = 10;
/** A pause between appends, so each one's fan-out is measured alone. */
const GAP_MS = 5;

export interface FanOutRun {
  /** Append → arrival at each SSE follower of the gateway, ms. */
  sse: number[];
  /** Append → arrival at one NATS subscriber on the same log (in the bench's process), ms. */
  nats: number[];
  /** The same frames written by a bare node:http server to the same follower process, ms. */
  bare: number[];
}

const say = (text: string) => ({ type: "user.message" as const, content: [{ type: "text" as const, text }] });

function delays(arrivals: { seqs: number[]; times: number[] }, sentAt: Map<number, number>): number[] {
  const out: number[] = [];
  arrivals.seqs.forEach((seq, i) => {
    const t0 = sentAt.get(seq);
    if (t0 !== undefined && seq >= WARMUP) out.push(arrivals.times[i]! - t0);
  });
  return out;
}

/** `appends` appends to a fresh session followed by `count` SSE streams through the gateway and one NATS tail. */
async function throughGateway(
  deps: { bus: Bus; url: string; key: string; followers: FollowerProcess; sid: string },
  count: number,
  appends: number,
): Promise<{ sse: number[]; nats: number[]; stored: SessionEvent[] }> {
  const { bus, followers, sid } = deps;
  await followers.open(`${deps.url}/v1/sessions/${sid}/events/stream`, { "x-api-key": deps.key }, count);
  const sentAt = new Map<number, number>();
  const nats: number[] = [];
  const stored: SessionEvent[] = [];
  const controller = new AbortController();
  const log = await openSessionLog(bus);
  const direct = (async () => {
    for await (const event of tailEvents(log, sid, 0, controller.signal)) {
      const t0 = sentAt.get(event.seq);
      if (t0 !== undefined && event.seq >= WARMUP) nats.push(clock() - t0);
    }
  })().catch(() => undefined); // aborted at the end
  await sleep(500);
  for (let i = 0; i < appends; i++) {
    // A fresh session with one writer: the i-th append gets position i, known before any follower has it.
    sentAt.set(i, clock());
    const reply = await request(bus, STORE_RPC.eventsAppend, {
      session_id: sid,
      events: [say(`append ${i}`)],
    });
    const event = reply.events[0]!;
    if (event.seq !== i) throw new Error(`append ${i} got position ${event.seq}`);
    stored.push(event);
    await followers.allHave(i);
    await sleep(GAP_MS);
  }
  controller.abort();
  await direct;
  return { sse: delays(await followers.close(), sentAt), nats, stored };
}

/** The same frames (the gateway's SSE text of the same stored events) from the bare server. */
async function throughBare(
  bare: { url: string; send(text: string): void },
  followers: FollowerProcess,
  count: number,
  stored: SessionEvent[],
): Promise<number[]> {
  await followers.open(bare.url, {}, count);
  await sleep(500);
  const sentAt = new Map<number, number>();
  for (const event of stored) {
    const text = `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    sentAt.set(event.seq, clock());
    bare.send(text);
    await followers.allHave(event.seq);
    await sleep(GAP_MS);
  }
  return delays(await followers.close(), sentAt);
}

/** One level: `count` followers in the follower process, first on the gateway, then on the bare server. */
export async function measureFanOut(
  deps: {
    bus: Bus;
    url: string;
    key: string;
    followers: FollowerProcess;
    bare: { url: string; send(text: string): void };
    newSession(): Promise<string>;
  },
  count: number,
  appends: number,
): Promise<FanOutRun> {
  const sid = await deps.newSession();
  const gateway = await throughGateway({ ...deps, sid }, count, appends);
  const bare = await throughBare(deps.bare, deps.followers, count, gateway.stored);
  return { sse: gateway.sse, nats: gateway.nats, bare };
}
