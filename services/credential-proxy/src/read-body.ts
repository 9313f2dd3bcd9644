import type { IncomingMessage } from "node:http";
import { Refusal } from "./refusal.js";

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request's whole body, refused (413) past the proxy's limit. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new Refusal(413, `request bodies through the proxy are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
