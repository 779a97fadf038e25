// The package is publishable as is: its metadata names the licence and the repository, and its
// `exports` resolve (a package may refer to itself by name once it has them).
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

test('package metadata and exports', () => {
  const pkg = require('../package.json');
  assert.strictEqual(pkg.license, 'Apache-2.0');
  assert.ok(pkg.repository && pkg.repository.directory === 'hosts/node');
  for (const f of pkg.files) {
    assert.ok(fs.existsSync(path.join(__dirname, '..', f)), `${f} is listed but missing`);
  }
  const self = require('@tenet/host');
  assert.strictEqual(self, require('..'));
  assert.strictEqual(typeof self.Standard, 'function');
});
