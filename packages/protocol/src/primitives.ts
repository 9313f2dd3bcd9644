import { z } from "zod";

/** RFC 3339 timestamp as the API writes it (`new Date().toISOString()`); an offset is accepted too. */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;

/** An API id with its prefix, e.g. `sevt_01J…`. The body is alphanumeric, as both Anthropic's and `newId`'s are. */
export function prefixedId(prefix: string) {
  return z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-Za-z]{10,40}$`), `must be an id starting with ${prefix}_`);
}

export const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);
