import { z } from "zod";

const Count = z.number().int().min(0);

/** Money as the API writes it: integer minor units in a string (`"2500"` is $25.00), so no float rounding. */
export const MonetaryAmount = z.object({
  amount: z.string().regex(/^(0|[1-9][0-9]{0,17})$/, 'must be an integer number of minor units, e.g. "2500"'),
  currency: z.literal("USD"),
});
export type MonetaryAmount = z.infer<typeof MonetaryAmount>;

/** Token usage of one model request (`span.model_request_end`). */
export const ModelUsage = z.object({
  input_tokens: Count,
  output_tokens: Count,
  cache_creation_input_tokens: Count,
  cache_read_input_tokens: Count,
  speed: z.enum(["standard", "fast"]).nullish(),
});
export type ModelUsage = z.infer<typeof ModelUsage>;

/**
 * A session's cumulative usage. The four token totals are always present in Corral (the SDK marks them
 * optional); `cache_creation_input_tokens` is Corral's total next to the SDK's per-TTL breakdown.
 */
export const Usage = z.object({
  input_tokens: Count,
  output_tokens: Count,
  cache_read_input_tokens: Count,
  cache_creation_input_tokens: Count,
  cache_creation: z
    .object({ ephemeral_5m_input_tokens: Count.optional(), ephemeral_1h_input_tokens: Count.optional() })
    .optional(),
  server_tool_use: z
    .object({ web_search_requests: Count.optional(), web_fetch_requests: Count.optional() })
    .nullish(),
  list_cost: MonetaryAmount.nullish(),
  active_seconds: z.number().min(0).optional(),
});
export type Usage = z.infer<typeof Usage>;

/**
 * A hard ceiling checked before each model request. `max_list_cost` is the API's; `max_tokens`,
 * `max_turns` and `max_wall_clock_seconds` are Corral extensions.
 */
export const Budget = z
  .object({
    type: z.literal("limit"),
    max_list_cost: MonetaryAmount.optional(),
    max_tokens: z.number().int().min(1).optional(),
    max_turns: z.number().int().min(1).optional(),
    max_wall_clock_seconds: z.number().int().min(1).optional(),
  })
  .refine(
    (b) =>
      [b.max_list_cost, b.max_tokens, b.max_turns, b.max_wall_clock_seconds].some(
        (limit) => limit !== undefined,
      ),
    "a budget needs at least one limit",
  );
export type Budget = z.infer<typeof Budget>;
