import { createHash } from "node:crypto";
import type { ObjectInfo } from "@nats-io/obj";
import type { Bus } from "./connect.js";

/** At most this many chunks (128 KiB each) are pulled ahead of a reader. */
const CHUNKS_AHEAD = 4;

/** Base64url with padding, as @nats-io/obj encodes object names in subjects and digests. */
export function paddedBase64Url(bytes: Buffer): string {
  const encoded = bytes.toString("base64url");
  return `${encoded}${"=".repeat((4 - (encoded.length % 4)) % 4)}`;
}

const digestOf = (bytes: Buffer) => `SHA-256=${paddedBase64Url(bytes)}`;

/**
 * An object's bytes, pulled from its chunks only as fast as the reader takes them (an ordered pull
 * consumer, a few chunks ahead), so a slow client never makes the whole object sit in memory. The size and
 * digest are checked at the end; a mismatch errors the stream.
 */
export async function readChunks(
  bus: Bus,
  stream: string,
  info: ObjectInfo,
): Promise<ReadableStream<Uint8Array>> {
  if (info.size === 0) return new Blob([]).stream();
  const subject = `$O.${info.bucket}.C.${info.nuid}`;
  const consumer = await bus.js.consumers.get(stream, { filter_subjects: subject });
  const messages = await consumer.consume({ max_messages: CHUNKS_AHEAD });
  const iterator = messages[Symbol.asyncIterator]();
  const hash = createHash("sha256");
  let received = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) return controller.error(new Error(`object ${info.name} ended early`));
        const chunk = next.value.data;
        hash.update(chunk);
        received += chunk.length;
        controller.enqueue(chunk);
        if (next.value.info.pending > 0) return;
        messages.stop();
        if (received !== info.size || digestOf(hash.digest()) !== info.digest)
          controller.error(new Error(`object ${info.name} does not match its size or digest`));
        else controller.close();
      },
      cancel() {
        messages.stop();
      },
    },
    { highWaterMark: 1 },
  );
}
