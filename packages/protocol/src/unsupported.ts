import { z } from "zod";

/** How every refusal of a documented but unimplemented field or value begins (the gateway quotes its path). */
export const NOT_SUPPORTED = "not supported by Corral";

export const isNotSupported = (issue: { message: string }) => issue.message.startsWith(NOT_SUPPORTED);

/**
 * A field the API documents and Corral does not implement: any value is refused, naming the field (its path)
 * and saying so, rather than dropped in silence. Used as `field: notSupported("…").optional()`; its JSON
 * Schema says that no value is valid.
 */
export const notSupported = (what: string) => z.never({ error: `${NOT_SUPPORTED}: ${what}` });

/**
 * Accepts only the values that mean the API's default (stored as nothing), refusing any other by name. The
 * JSON Schema of such a field is open; its description names what is accepted.
 */
export const onlyDefault = <T extends z.ZodType>(accepted: T, what: string) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      if (!accepted.safeParse(value).success)
        ctx.addIssue({ code: "custom", message: `${NOT_SUPPORTED}: ${what}` });
    })
    .describe(`only the API's default is accepted; ${NOT_SUPPORTED}: ${what}`);
