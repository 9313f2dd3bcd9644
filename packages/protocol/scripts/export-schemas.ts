import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { WIRE_SCHEMAS } from "../src/schema-registry.js";

export const SCHEMAS_DIR = fileURLToPath(new URL("../../../docs/schemas/", import.meta.url));

/**
 * One JSON Schema file per registered schema, keyed by file name. Describes what a parser accepts
 * (`io: "input"`), so fields with defaults are optional.
 */
export function renderSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of Object.keys(WIRE_SCHEMAS).sort()) {
    const { $schema, ...schema } = z.toJSONSchema(WIRE_SCHEMAS[name]!, {
      io: "input",
      target: "draft-2020-12",
    });
    files.set(`${name}.json`, `${JSON.stringify({ $schema, title: name, ...schema }, null, 2)}\n`);
  }
  return files;
}

/** Writes every rendered schema and removes files no schema renders any more. */
export function writeSchemas(dir = SCHEMAS_DIR): Map<string, string> {
  const files = renderSchemas();
  mkdirSync(dir, { recursive: true });
  for (const existing of readdirSync(dir)) {
    if (existing.endsWith(".json") && !files.has(existing)) rmSync(join(dir, existing));
  }
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = writeSchemas();
  process.stdout.write(`wrote ${files.size} schemas to ${SCHEMAS_DIR}\n`);
}
