/**
 * The fields of a request body that its schema does not know: every key of an input object that its parsed
 * output lacks, as a dotted path (`tools.0.config`). zod drops such keys without a word; the API refuses
 * them instead, so a field a client believes set is never silently ignored. Output that is not an object
 * where the input was one (a transform) is not compared.
 */
export function unknownFields(input: unknown, output: unknown, path = ""): string[] {
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (Array.isArray(input) && Array.isArray(output) && input.length === output.length)
    return input.flatMap((item, i) => unknownFields(item, output[i], at(i)));
  if (!isPlainObject(input) || !isPlainObject(output)) return [];
  return Object.keys(input).flatMap((key) =>
    key in output ? unknownFields(input[key], output[key], at(key)) : [at(key)],
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
