import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { SCHEMAS_DIR, renderSchemas } from "../scripts/export-schemas.js";
import { SESSION_EVENT_TYPES } from "./events.js";

const HINT = "docs/schemas/ is out of date: run `npm run schemas` and commit the result";

test("docs/schemas holds exactly the JSON Schemas the protocol renders", () => {
  const rendered = renderSchemas();
  const onDisk = existsSync(SCHEMAS_DIR) ? readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith(".json")) : [];
  expect(onDisk.sort(), HINT).toEqual([...rendered.keys()].sort());
  for (const [name, text] of rendered) {
    expect(readFileSync(join(SCHEMAS_DIR, name), "utf8"), `${name}: ${HINT}`).toBe(text);
  }
});

test("renders the same text every time", () => {
  expect([...renderSchemas()]).toEqual([...renderSchemas()]);
});

test("the rendered SessionEvent schema has one branch per event type", () => {
  const schema = JSON.parse(renderSchemas().get("SessionEvent.json") ?? "{}") as {
    oneOf?: { properties: { type: { const: string } } }[];
  };
  expect(schema.oneOf?.map((o) => o.properties.type.const)).toEqual([...SESSION_EVENT_TYPES]);
});
