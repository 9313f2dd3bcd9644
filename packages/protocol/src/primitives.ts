import { z } from "zod";

/** RFC 3339 timestamp as the API writes it (`new Date().toISOString()`); an offset is accepted too. */
export const Timestamp = z.iso.datetime({ offset: true });
export type Timestamp = z.infer<typeof Timestamp>;

export const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);
