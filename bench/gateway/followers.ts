import { connect, type Socket } from "node:net";

// SSE followers in a process of their own (forked by the bench, driven over IPC), so the clients never
// share an event loop with the bench's appends or the gateway. Each reads a raw socket and only looks
// for each frame's `id:` line, so measuring costs as little CPU as it can.
// Arrival times are CLOCK_MONOTONIC (process.hrtime), the same clock in every process of the machine.
// Parent → child: {type: "open", url, headers, count} | {type: "close"}.
// Child → parent: {type: "ready"} | {type: "all", seq} (every follower has `seq`) | {type: "arrivals", ...}.
type Command =
  | { type: "open"; url: string; headers: Record<string, string>; count: number }
  | { type: "close" };

const clock = () => Number(process.hrtime.bigint()) / 1e6;
const send = (message: unknown) => process.send!(message);

let sockets: Socket[] = [];
let seqs: number[] = [];
let times: number[] = [];
let followers = 0;
/** How many followers have each position so far; the bench waits for every one before the next append. */
const have = new Map<number, number>();

function arrived(seq: number, at: number): void {
  seqs.push(seq);
  times.push(at);
  const n = (have.get(seq) ?? 0) + 1;
  if (n < followers) return void have.set(seq, n);
  have.delete(seq);
  send({ type: "all", seq });
}

/** Finds each frame's `id: N` line in raw bytes (a frame's id line starts it, right after a blank line). */
function scan(text: string, at: number): void {
  for (let i = text.indexOf("\nid: "); i >= 0; i = text.indexOf("\nid: ", i + 5)) {
    const end = text.indexOf("\n", i + 5);
    if (end > 0) arrived(Number(text.slice(i + 5, end)), at);
  }
}

/**
 * One SSE stream on a raw TCP socket: the request written by hand and the response scanned as bytes, no
 * HTTP parser or stream machinery, so the followers' own cost stays small beside what they measure.
 */
function follow(url: string, headers: Record<string, string>): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((ready, fail) => {
    const socket = connect(Number(port), hostname);
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    socket.write(`GET ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n${head}\r\n`);
    socket.setEncoding("latin1");
    let started = false;
    let carry = "";
    socket.on("data", (chunk: string) => {
      const at = clock();
      if (!started) {
        started = true;
        if (!chunk.startsWith("HTTP/1.1 200")) return fail(new Error(`follower got ${chunk.slice(0, 12)}`));
        ready();
      }
      // A frame may be split between reads: keep the tail that could hold the start of an id line.
      const text = carry + chunk;
      const last = text.lastIndexOf("\n\n");
      scan(text.slice(0, last + 1), at);
      carry = text.slice(last + 1);
    });
    socket.on("error", fail);
    sockets.push(socket);
  });
}

process.on("message", (command: Command) => {
  if (command.type === "open") {
    followers = command.count;
    const opening = Array.from({ length: command.count }, () => follow(command.url, command.headers));
    Promise.all(opening).then(
      () => send({ type: "ready" }),
      (err: Error) => send({ type: "failed", message: err.message }),
    );
    return;
  }
  for (const socket of sockets) socket.destroy();
  send({ type: "arrivals", seqs, times });
  [sockets, seqs, times] = [[], [], []];
  have.clear();
});
process.on("disconnect", () => process.exit(0));
