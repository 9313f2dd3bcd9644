import { ApiError, authHeaders } from "./api.js";

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

function parseFrame(raw: string): SseFrame {
  const frame: SseFrame = { data: "" };
  for (const line of raw.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") frame.id = value;
    else if (field === "event") frame.event = value;
    else if (field === "data") frame.data += value;
  }
  return frame;
}

/**
 * Reads an SSE stream with fetch() (EventSource cannot send the key in a header). Resolves when the server
 * ends the stream; rejects on a network error or a refused request.
 */
export async function readEventStream(
  path: string,
  options: { lastEventId: number | null; signal: AbortSignal; onFrame: (frame: SseFrame) => void },
): Promise<void> {
  const headers: Record<string, string> = { ...authHeaders(), accept: "text/event-stream" };
  if (options.lastEventId !== null) headers["last-event-id"] = String(options.lastEventId);
  const res = await fetch(path, { headers, signal: options.signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, `stream answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      options.onFrame(parseFrame(raw));
    }
  }
}
