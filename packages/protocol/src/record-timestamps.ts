import { Timestamp } from "./primitives.js";

/** The last fields of every stored record: when it was created, last changed and archived (null while it is not). */
export const RecordTimestamps = {
  created_at: Timestamp,
  updated_at: Timestamp,
  archived_at: Timestamp.nullable(),
};
