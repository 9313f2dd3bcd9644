import { z } from "zod";
import { CreatedAtRange, notSupported } from "@corral/protocol";

// Query strings carry text: numbers and booleans are coerced, a single value stands for a one-item list.
export const Limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);
export const Flag = z.enum(["true", "false"]).transform((v) => v === "true");
export const listOf = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(item).max(max));
export const Cursor = z.string().max(200);

export const PageQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  include_archived: Flag.default(false),
});
/** `created_at[gte]=…` arrives as `{created_at: {gte: …}}` (qs); an unknown bound is refused by name. */
export const CreatedAtQuery = CreatedAtRange.optional().meta({
  param: { style: "deepObject", explode: true },
});

/** A documented query parameter Corral does not serve: refused by name, never ignored. */
export const unservedQuery = (what: string) => notSupported(what).optional();

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_page: z.string().nullable() });
export const Deleted = z.object({ id: z.string(), type: z.string() });

export const StreamQuery = z.strictObject({
  event_deltas: listOf(z.enum(["agent.message", "agent.thinking"]), 2).optional(),
});
export type DeltaType = NonNullable<z.output<typeof StreamQuery>["event_deltas"]>[number];
