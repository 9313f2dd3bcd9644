import { z } from "zod";

const Bound = z.iso.datetime({ offset: true });

/** `created_at[gt|gte|lt|lte]` of the API's list queries: RFC 3339 times, each bound optional. */
export const CreatedAtRange = z.object({
  gt: Bound.optional(),
  gte: Bound.optional(),
  lt: Bound.optional(),
  lte: Bound.optional(),
});
export type CreatedAtRange = z.infer<typeof CreatedAtRange>;

/** Whether an RFC 3339 time lies within every bound the range gives (instants compared, not strings). */
export function inCreatedAtRange(range: CreatedAtRange | undefined, time: string): boolean {
  if (!range) return true;
  const t = Date.parse(time);
  const at = (bound: string | undefined) => (bound === undefined ? undefined : Date.parse(bound));
  const [gt, gte, lt, lte] = [at(range.gt), at(range.gte), at(range.lt), at(range.lte)];
  return (
    (gt === undefined || t > gt) &&
    (gte === undefined || t >= gte) &&
    (lt === undefined || t < lt) &&
    (lte === undefined || t <= lte)
  );
}
