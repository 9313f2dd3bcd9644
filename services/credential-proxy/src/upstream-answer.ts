import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline, type Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { endToEndHeaders } from "./hop-by-hop.js";
import { scrubHeaders, scrubStream, type Scrubber } from "./response-scrub.js";

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Passes an upstream's answer to the sandbox. With secrets to hide, headers and body are scrubbed of every
 * form of them first (a compressed body is decompressed to be searched; an encoding the proxy cannot
 * read is refused rather than passed on unsearched).
 */
export function relayAnswer(
  answer: IncomingMessage,
  res: ServerResponse,
  scrubber: Scrubber | null,
  bodyless = false,
): void {
  const headers = endToEndHeaders(answer.headers);
  if (!scrubber) {
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(res);
    return;
  }
  const status = answer.statusCode ?? 502;
  if (bodyless || status === 204 || status === 304) {
    // No body to decode or search (a HEAD answer's encoding header describes a body never sent).
    res.writeHead(status, scrubHeaders(scrubber, headers));
    answer.resume();
    res.end();
    return;
  }
  const encoding = String(answer.headers["content-encoding"] ?? "identity").toLowerCase();
  const decoder = encoding === "identity" ? null : DECODERS[encoding];
  if (decoder === undefined) {
    answer.destroy();
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(
      `corral egress: the answer's content-encoding ${encoding.slice(0, 40)} cannot be checked for secrets\n`,
    );
    return;
  }
  delete headers["content-encoding"];
  res.writeHead(status, scrubHeaders(scrubber, headers));
  const scrub = scrubStream(scrubber);
  const done = (err: Error | null | undefined) => err && res.destroy();
  if (decoder) pipeline(answer, decoder(), scrub, res, done);
  else pipeline(answer, scrub, res, done);
}
