// The shape the code keeps (issue "thin service shells"): no source function over 60 lines and no source
// file over 300, tests aside. Prints each breach and exits 1 if there is one.
import ts from "typescript";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX_FUNCTION_LINES = 60;
const MAX_FILE_LINES = 300;
const files = execFileSync("git", ["ls-files", "services/*.ts", "packages/*.ts"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => f && !f.endsWith(".test.ts"));
const breaches = [];
const isFunction = (n) =>
  ts.isFunctionDeclaration(n) ||
  ts.isArrowFunction(n) ||
  ts.isFunctionExpression(n) ||
  ts.isMethodDeclaration(n);
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n").length - 1;
  if (lines > MAX_FILE_LINES) breaches.push(`${file}: ${lines} lines (at most ${MAX_FILE_LINES})`);
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const line = (pos) => src.getLineAndCharacterOfPosition(pos).line;
  const visit = (node) => {
    if (isFunction(node)) {
      const length = line(node.getEnd()) - line(node.getStart()) + 1;
      if (length > MAX_FUNCTION_LINES)
        breaches.push(
          `${file}:${line(node.getStart()) + 1}: a function of ${length} lines (at most ${MAX_FUNCTION_LINES})`,
        );
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
for (const b of breaches) console.log(b);
process.exit(breaches.length ? 1 : 0);
