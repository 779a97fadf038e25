'use strict';
// Tests of the Node host. TENET_MODULE names the example standard compiled by the tenet CLI
// (./test.sh compiles it: `tenet compile examples/standard -o target/node-example.wasm`).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { Standard, encodeValue, decodeValue, classify, render } = require('../index.js');

const root = path.join(__dirname, '..', '..', '..');
const modulePath = process.env.TENET_MODULE || path.join(root, 'target', 'node-example.wasm');
const NOW = Date.parse('2026-11-25T00:00:00Z') / 1000;

test('values round trip through the encoding', () => {
  const v = { a: [1, 2.5, 'x', null, true, false, { b: [] }], c: {}, u: { '$tenet.unknown': true } };
  assert.deepStrictEqual(decodeValue(encodeValue(v)), v);
  // An array of one string: tag, count, body length, then the string.
  assert.deepStrictEqual([...encodeValue(['ab'])], [5, 1, 0, 0, 0, 7, 0, 0, 0, 4, 2, 0, 0, 0, 97, 98]);
});

test('resources are identified like the Rust runtime does', () => {
  assert.deepStrictEqual(classify({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 's', namespace: 'ns' } }),
    { provider: 'kubernetes', kind: 'Secret', name: 's', id: 'ns/Secret/s', namespace: 'ns', location: undefined });
  assert.strictEqual(classify({ type: 'Microsoft.Web/sites', apiVersion: '2023-01-01', metadata: {}, name: 'w' }).provider, 'azure');
  assert.strictEqual(classify({ Type: 'AWS::S3::Bucket' }).id, 'AWS::S3::Bucket');
  assert.strictEqual(classify({ no: 'type' }), null);
  assert.strictEqual(render([1, 2.5, 'a', { x: 1 }]), '1, 2.5, a, {...}');
});

test('modules that are not tenet standards are refused', () => {
  assert.throws(() => new Standard(Buffer.from([0, 97, 115, 109, 1, 0, 0, 0])), /not a tenet standard/);
});

test('the example standard evaluates the example inventory', () => {
  const std = new Standard(fs.readFileSync(modulePath));
  assert.strictEqual(std.metadata.standard.id, 'example-baseline');
  const inventory = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'inventory.json'), 'utf8'));
  const findings = std.evaluate(inventory, { now: NOW });
  const https = findings.find((f) => f.recommendation === 'storage-secure-transfer' && f.resource.name === 'stlegacyexport');
  assert.strictEqual(https.state, 'not_compliant');
  assert.strictEqual(https.remediation, "Enable 'Secure transfer required' on storage account stlegacyexport.");
  assert.deepStrictEqual(https.fix, [{ op: 'set', path: '/properties/supportsHttpsTrafficOnly', value: true }]);
  assert.match(https.explanation.message, /is false/);
  // Cross-resource lookups: a pod without a matching NetworkPolicy.
  const np = findings.filter((f) => f.recommendation === 'pod-network-policy' && f.state === 'not_compliant');
  assert.deepStrictEqual(np.map((f) => f.resource.name).sort(), ['debug-shell', 'metrics-agent']);
});

test('a resource can exempt itself with a tenet-exempt tag, as in the Rust runtime', () => {
  const std = new Standard(fs.readFileSync(modulePath));
  const inventory = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'inventory.json'), 'utf8'));
  const web = inventory.find((d) => d.name === 'stwebassets');
  const tls = (docs) => std.evaluate(docs, { now: NOW })
    .find((f) => f.recommendation === 'storage-min-tls' && f.resource.name === 'stwebassets');
  assert.strictEqual(tls([web]).state, 'not_compliant');
  web.tags['TENET-EXEMPT-storage-min-tls'] = 'old clients move in Q3';
  const f = tls([web]);
  assert.strictEqual(f.state, 'exempt');
  assert.deepStrictEqual(f.exemption, { id: 'tag:TENET-EXEMPT-storage-min-tls', category: 'waiver', justification: 'old clients move in Q3' });
  assert.strictEqual(f.risk.level, 'medium');
});
