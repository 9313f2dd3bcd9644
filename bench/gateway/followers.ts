import { get } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

// A share of the SSE followers, in its own thread, reading with node:http and only looking for each
// frame's `id:` line, so the measuring clients cost as little CPU as they can on a shared machine.
// Records, per frame, the wall-clock time it arrived (performance.timeOrigin + now, shared by threads).
const { url, key, sid, count, counter } = workerData as {
  url: string;
  key: string;
  sid: string;
  count: number;
  counter: Int32Array;
};
const stops: (() => void)[] = [];
// Arrivals are kept here and reported once at the end, so reporting costs nothing while measuring.
const arrivals: { seq: number; at: number }[] = [];
parentPort!.on("message", (m: string) => {
  if (m !== "stop") return;
  stops.forEach((stop) => stop());
  parentPort!.postMessage({ arrivals });
});

function follow(): Promise<void> {
  return new Promise((ready, fail) => {
    const req = get(`${url}/v1/sessions/${sid}/events/stream`, { headers: { "x-api-key": key } }, (res) => {
      res.setEncoding("utf8");
      let carry = "";
      res.on("data", (chunk: string) => {
        const at = performance.timeOrigin + performance.now();
        const text = carry + chunk;
        let i = 0;
        for (;;) {
          const found = text.indexOf("id: ", i);
          if (found < 0) break;
          const end = text.indexOf("\n", found);
          if (end < 0) break;
          arrivals.push({ seq: Number(text.slice(found + 4, end)), at });
          Atomics.add(counter, 0, 1);
          i = end;
        }
        carry = text.slice(Math.max(i, text.length - 64));
      });
      res.on("error", () => undefined);
      ready();
    });
    req.on("error", fail);
    stops.push(() => req.destroy());
  });
}

await Promise.all(Array.from({ length: count }, follow));
parentPort!.postMessage({ ready: true });
