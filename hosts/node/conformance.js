'use strict';
// Conformance driver: `node conformance.js MODULE.wasm RESOURCES.json NOW` prints the findings
// of the resources, one canonical JSON line each (keys sorted), for comparison with the Rust runtime.
const fs = require('node:fs');
const { Standard } = require('./index.js');

function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

const [wasm, resources, now] = process.argv.slice(2);
const std = new Standard(fs.readFileSync(wasm));
const findings = std.evaluate(JSON.parse(fs.readFileSync(resources, 'utf8')), { now: Number(now) });
process.stdout.write(findings.map((f) => canonical(f) + '\n').join(''));

