import { expect, test } from "vitest";
import { z } from "zod";
import { unknownFields } from "./unknown-fields.js";

const Schema = z.object({
  name: z.string(),
  tools: z.array(z.object({ type: z.string() })).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  when: z.string().transform((s) => s.length),
});

test("names every key the schema dropped, at any depth, and none it kept", () => {
  const input = {
    name: "a",
    extra: 1,
    tools: [{ type: "t" }, { type: "u", config: {} }],
    metadata: { k: "v" },
    when: "now",
  };
  expect(unknownFields(input, Schema.parse(input))).toEqual(["extra", "tools.1.config"]);
  const clean = { name: "a", metadata: { any: "key" }, when: "x" };
  expect(unknownFields(clean, Schema.parse(clean))).toEqual([]);
});
