import { describe, expect, test } from "vitest";
import { Readable } from "node:stream";
import { createScrubber, scrubHeaders, scrubStream } from "./response-scrub.js";

const SECRET = "s3cr3t-T0ken/with+odd=chars ü";
const PLACEHOLDER = "corral_ph_abc";
const scrubber = createScrubber(new Map([[SECRET, PLACEHOLDER]]))!;
const raw = Buffer.from(SECRET);

describe("scrubbing answers", () => {
  test.each([
    ["raw", SECRET],
    ["base64", raw.toString("base64")],
    ["base64 inside Basic credentials", Buffer.from(`user:${SECRET}`).toString("base64")],
    ["base64 at another offset", Buffer.from(`us:${SECRET}!`).toString("base64")],
    ["base64url", Buffer.from(`xy${SECRET}`).toString("base64url")],
    ["URL-encoded", encodeURIComponent(SECRET)],
    [
      "URL-encoded, lower-case escapes",
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    ],
    ["form-encoded", new URLSearchParams({ t: SECRET }).toString()],
    ["JSON", JSON.stringify({ t: SECRET })],
    ["hex", raw.toString("hex")],
    ["HEX", raw.toString("hex").toUpperCase()],
  ])("%s", (_name, form) => {
    const text = `before ${form} after`;
    const out = scrubber.text(text);
    expect(out).not.toContain(form.slice(2, -2));
    expect(out).toContain("before ");
  });

  test("a secret split across chunks, one byte at a time, is still found", async () => {
    const body = Buffer.from(`{"echo":"${SECRET}","again":"${SECRET}"} and base64 ${raw.toString("base64")}`);
    const chunks = [...body].map((b) => Buffer.from([b]));
    const out: Buffer[] = [];
    for await (const chunk of Readable.from(chunks).pipe(scrubStream(scrubber))) out.push(chunk as Buffer);
    const text = Buffer.concat(out).toString("utf8");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(raw.toString("base64").slice(1, -2));
    expect(text).toBe(`{"echo":"${PLACEHOLDER}","again":"${PLACEHOLDER}"} and base64 ${PLACEHOLDER}`);
  });

  test("headers are scrubbed and the body length dropped", () => {
    const headers = scrubHeaders(scrubber, {
      "x-echo": `Bearer ${SECRET}`,
      "set-cookie": [`a=${encodeURIComponent(SECRET)}`, "b=1"],
      "content-length": "10",
    });
    expect(JSON.stringify(headers)).not.toContain("s3cr3t");
    expect(headers["content-length"]).toBeUndefined();
    expect(headers["set-cookie"]).toEqual([`a=${PLACEHOLDER}`, "b=1"]);
  });

  test("nothing to scrub, no scrubber", () => {
    expect(createScrubber(new Map())).toBeNull();
  });
});
