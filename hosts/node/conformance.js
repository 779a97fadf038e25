'use strict';
// Conformance driver: `node conformance.js MODULE.wasm RESOURCES.json NOW` prints the findings
// of the resources, one canonical JSON line each (keys sorted), for comparison with the Rust runtime.
// With `--cases`, RESOURCES.json is a list of separate inventories (test cases): each is evaluated
// on its own and its lines are prefixed with its index.
const fs = require('node:fs');
const { Standard } = require('./index.js');

function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

const args = process.argv.slice(2);
const cases = args.includes('--cases');
const [wasm, resources, now] = args.filter((a) => a !== '--cases');
const std = new Standard(fs.readFileSync(wasm));
const input = JSON.parse(fs.readFileSync(resources, 'utf8'));
const lines = [];
if (cases) {
  input.forEach((docs, k) => {
    for (const f of std.evaluate(docs, { now: Number(now) })) lines.push(`${k} ${canonical(f)}\n`);
  });
} else {
  for (const f of std.evaluate(input, { now: Number(now) })) lines.push(canonical(f) + '\n');
}
process.stdout.write(lines.join(''));
