import { expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { replySchemaOf } from "./reply-schema.js";

test("a response schema's reply schema is made once and reads both kinds of reply", () => {
  const schema = replySchemaOf(STORE_RPC.logAppend.response);
  expect(replySchemaOf(STORE_RPC.logAppend.response)).toBe(schema);
  expect(replySchemaOf(STORE_RPC.sessionsGet.response)).not.toBe(schema);
  expect(schema.safeParse({ ok: true, value: { events: [] } }).success).toBe(true);
  const refused = { ok: false, error: { code: "CONFLICT", message: "moved on", retryable: false } };
  expect(schema.safeParse(refused).success).toBe(true);
  expect(schema.safeParse({ ok: true, value: { events: "none" } }).success).toBe(false);
});
