/**
 * The forms a secret may come back in: as sent, base64 and base64url (at each of the three alignments it
 * can have inside a longer encoded text, e.g. `user:secret` in Basic credentials), URL-encoded (with
 * `%20` or `+`, upper- or lower-case escapes), JSON-escaped, and hex (lower and upper case). Each as bytes.
 */
export function secretVariants(secret: string): Buffer[] {
  const raw = Buffer.from(secret, "utf8");
  const texts = new Set<string>([secret]);
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), raw]);
    // Only the characters that encode the secret's bits alone, whatever surrounds it.
    const from = Math.ceil((8 * shift) / 6);
    const to = Math.floor((8 * (shift + raw.length)) / 6);
    for (const encoding of ["base64", "base64url"] as const)
      texts.add(padded.toString(encoding).slice(from, to));
  }
  const encoded = encodeURIComponent(secret);
  texts.add(encoded);
  texts.add(encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
  texts.add(encoded.replace(/%20/g, "+"));
  texts.add(JSON.stringify(secret).slice(1, -1));
  texts.add(raw.toString("hex"));
  texts.add(raw.toString("hex").toUpperCase());
  // Variants too short to mean anything (a secret of one or two bytes) would scrub noise, not secrets.
  return [...texts].filter((t) => t.length >= Math.min(4, secret.length)).map((t) => Buffer.from(t, "utf8"));
}
