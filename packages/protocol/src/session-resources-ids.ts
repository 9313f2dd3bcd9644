import { z } from "zod";
import { newId } from "./ids.js";

/** A file, repository or memory store attached to a session: `sesrsc_…`, as the API names them. */
export type SessionResourceId = `sesrsc_${string}`;
export const SessionResourceId: z.ZodType<SessionResourceId, string> = z
  .string()
  .regex(/^sesrsc_[0-9A-Za-z]{1,64}$/, "must be an id starting with sesrsc_") as never;

/** A new time-ordered resource id: the same body as every id of ours, under the API's `sesrsc_` prefix. */
export const newSessionResourceId = (): SessionResourceId => `sesrsc_${newId("event").slice("sevt_".length)}`;
