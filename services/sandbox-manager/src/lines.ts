/**
 * Calls `onLine` for each line of `stream`; one chunk may hold several lines or half of one. A line longer
 * than `maxBytes` is never buffered: `onOverflow` is called once and the stream is read no further.
 * Each byte is looked at once (chunks are kept as they came and joined only when a line ends).
 */
export function eachLine(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
  onLine: (line: string) => void,
  onOverflow: (bytes: number) => void,
): void {
  let parts: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf(0x0a, start)) >= 0) {
      if (size + newline - start > maxBytes) return overflow(size + newline - start);
      parts.push(chunk.subarray(start, newline));
      const line = Buffer.concat(parts).toString("utf8");
      parts = [];
      size = 0;
      start = newline + 1;
      onLine(line);
    }
    if (size + chunk.length - start > maxBytes) return overflow(size + chunk.length - start);
    if (start < chunk.length) parts.push(chunk.subarray(start));
    size += chunk.length - start;
  };
  const overflow = (bytes: number) => {
    parts = [];
    stream.removeListener("data", onData);
    // Keep the stream flowing into nothing, so the sender is not stalled while the channel is torn down.
    stream.resume();
    onOverflow(bytes);
  };
  stream.on("data", onData);
}
