'use strict';
// A host for compiled tenet standards, written from docs/abi.md: it loads a module with Node's
// built-in WebAssembly, encodes resources, calls the exports, decodes the outputs, and builds
// findings (states, explanations, remediation, fixes) exactly as the Rust runtime does.

const ABI_VERSION = 1;
const TAG = { NULL: 0, FALSE: 1, TRUE: 2, NUMBER: 3, STRING: 4, ARRAY: 5, OBJECT: 6, UNKNOWN: 7, ABSENT: 0xff };
const UNKNOWN_MARKER = '$tenet.unknown';
const OUTCOMES = ['not_applicable', 'compliant', 'not_compliant', 'error'];
const FAULTS = {
  1: 'a function received a value of the wrong type',
  2: 'values of different types cannot be ordered',
  3: 'a quantifier needs a list or a map',
};

// ---------------------------------------------------------------- value encoding

/**
 * The parts of a document a projection keeps (`{all, fields, each}` of the module metadata), as
 * the Rust runtime's `Projection::apply` does: the index of a lookup holds only what it reads.
 */
function project(p, v) {
  if (!p || p.all) return v;
  if (Array.isArray(v)) return v.map((x) => project(elementProjection(p), x));
  if (v === null || typeof v !== 'object' || isUnknown(v)) return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    const q = memberProjection(p, k);
    if (q !== undefined) out[k] = project(q, x);
  }
  return out;
}

/**
 * What a projection keeps of member `k` of an object (its own projection with what `each` asks
 * of every member; undefined when nothing), as the Rust `Projection::member`.
 */
function memberProjection(p, k) {
  if (!p || p.all) return p;
  const fields = p.fields ?? {};
  const f = Object.prototype.hasOwnProperty.call(fields, k) ? fields[k] : undefined;
  return f && p.each ? mergeProjections(f, p.each) : f ?? p.each;
}

/** What a projection keeps of each element of an array, as the Rust `Projection::element`. */
function elementProjection(p) {
  return !p || p.all ? p : p.each ?? p;
}

/** Two projections merged (what either keeps). */
function mergeProjections(a, b) {
  if (a.all || b.all) return { all: true };
  const fields = { ...(a.fields ?? {}) };
  for (const [k, v] of Object.entries(b.fields ?? {})) {
    fields[k] = Object.prototype.hasOwnProperty.call(fields, k) ? mergeProjections(fields[k], v) : v;
  }
  const each = a.each && b.each ? mergeProjections(a.each, b.each) : a.each ?? b.each;
  const out = { fields };
  if (each) out.each = each;
  return out;
}

function isUnknown(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) &&
    Object.keys(v).length === 1 && v[UNKNOWN_MARKER] === true;
}

class Writer {
  constructor() { this.buf = Buffer.alloc(1024); this.len = 0; }
  reserve(n) {
    if (this.len + n > this.buf.length) {
      const b = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(b, 0, 0, this.len);
      this.buf = b;
    }
  }
  u8(x) { this.reserve(1); this.buf[this.len++] = x; }
  u32(x) { this.reserve(4); this.buf.writeUInt32LE(x >>> 0, this.len); this.len += 4; }
  f64(x) { this.reserve(8); this.buf.writeDoubleLE(x, this.len); this.len += 8; }
  bytes(b) { this.reserve(b.length); b.copy(this.buf, this.len); this.len += b.length; }
  str(s) { const b = Buffer.from(s, 'utf8'); this.u32(b.length); this.bytes(b); }
  patch32(at, x) { this.buf.writeUInt32LE(x >>> 0, at); }
  value(v) {
    if (v === null || v === undefined) return this.u8(TAG.NULL);
    if (v === false) return this.u8(TAG.FALSE);
    if (v === true) return this.u8(TAG.TRUE);
    if (typeof v === 'number') { this.u8(TAG.NUMBER); return this.f64(v); }
    if (typeof v === 'string') { this.u8(TAG.STRING); return this.str(v); }
    if (Array.isArray(v)) {
      this.u8(TAG.ARRAY); this.u32(v.length);
      const at = this.len; this.u32(0);
      for (const x of v) this.value(x);
      return this.patch32(at, this.len - at - 4);
    }
    if (isUnknown(v)) return this.u8(TAG.UNKNOWN);
    const keys = Object.keys(v);
    this.u8(TAG.OBJECT); this.u32(keys.length);
    const at = this.len; this.u32(0);
    for (const k of keys) { this.str(k); this.value(v[k]); }
    this.patch32(at, this.len - at - 4);
  }
  done() { return this.buf.subarray(0, this.len); }
}

/** Encodes a JSON value in the module's value encoding. */
function encodeValue(v) { const w = new Writer(); w.value(v); return w.done(); }

// A JSON number as serde_json holds a decoded f64: integral values as integers.
function number(f) {
  if (!Number.isFinite(f)) return null;
  if (Number.isInteger(f) && Math.abs(f) < 9007199254740992) return f === 0 ? 0 : f;
  return f;
}

class Reader {
  constructor(bytes, pos) { this.b = bytes; this.pos = pos || 0; }
  u8() { return this.b[this.pos++]; }
  u32() { const x = this.b.readUInt32LE(this.pos); this.pos += 4; return x; }
  i32() { const x = this.b.readInt32LE(this.pos); this.pos += 4; return x; }
  str() { const n = this.u32(); const s = this.b.toString('utf8', this.pos, this.pos + n); this.pos += n; return s; }
  // A value, or undefined for the absent marker.
  value() {
    if (this.b[this.pos] === TAG.ABSENT) { this.pos++; return undefined; }
    return this.any(0);
  }
  any(depth) {
    if (depth > 128) throw new Error('value nested too deeply');
    const t = this.u8();
    switch (t) {
      case TAG.NULL: return null;
      case TAG.FALSE: return false;
      case TAG.TRUE: return true;
      case TAG.NUMBER: { const f = this.b.readDoubleLE(this.pos); this.pos += 8; return number(f); }
      case TAG.STRING: return this.str();
      case TAG.ARRAY: { const n = this.u32(); this.u32(); const out = []; for (let i = 0; i < n; i++) out.push(this.any(depth + 1)); return out; }
      case TAG.OBJECT: {
        const n = this.u32(); this.u32(); const out = {};
        for (let i = 0; i < n; i++) { const k = this.str(); out[k] = this.any(depth + 1); }
        return out;
      }
      case TAG.UNKNOWN: return { [UNKNOWN_MARKER]: true };
      default: throw new Error(`unknown value tag ${t}`);
    }
  }
}

/** Decodes one encoded value. */
function decodeValue(bytes) { return new Reader(Buffer.from(bytes)).any(0); }

// ---------------------------------------------------------------- resources

function str(v) { return typeof v === 'string' ? v : undefined; }

/** Provider, type, name, id, namespace and location of a document (null without a type). */
function classify(doc) {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  const location = str(doc.location) ?? str(doc.region);
  const api = str(doc.apiVersion);
  const meta = doc.metadata;
  const k8s = meta !== null && typeof meta === 'object' && !Array.isArray(meta) &&
    (doc.type === undefined || (api !== undefined && !/^[0-9]/.test(api)));
  const kind = str(doc.kind);
  if (k8s && api !== undefined && kind !== undefined) {
    const name = str(meta.name) ?? '';
    const ns = str(meta.namespace);
    return { provider: 'kubernetes', kind, name, id: `${ns ?? 'default'}/${kind}/${name}`, namespace: ns, location };
  }
  let ty; let field;
  for (const f of ['type', 'assetType', 'Type']) { if (str(doc[f]) !== undefined) { ty = doc[f]; field = f; break; } }
  if (ty === undefined) return null;
  const lower = ty.toLowerCase();
  const provider = str(doc.provider) ?? (
    (lower.startsWith('microsoft.') || lower.startsWith('azurerm_') || lower.startsWith('azuread_')) ? 'azure'
      : (lower.startsWith('aws::') || lower.startsWith('aws_')) ? 'aws'
        : (lower.includes('.googleapis.com/') || lower.startsWith('google_') || field === 'assetType') ? 'gcp'
          : 'unknown');
  let name = str(doc.name) ?? str(doc.Name) ?? '';
  // A Terraform resource is named by its address without the type (`web[1]`, `module.net.this`),
  // as the Rust runtime does.
  const address = str(doc.address);
  if (address !== undefined) {
    const at = address.indexOf(`${ty}.`);
    if (at === 0 || (at > 0 && address.slice(0, at).endsWith('.'))) {
      name = address.slice(0, at) + address.slice(at + ty.length + 1);
    }
  }
  if (field === 'assetType') {
    const data = doc.resource && doc.resource.data;
    const short = str(data && typeof data === 'object' ? data.name : undefined) ?? name.split('/').pop();
    return { provider, kind: ty, name: short, id: name, namespace: undefined, location };
  }
  const id = str(doc.id) ?? str(doc.address) ?? str(doc.arn) ?? str(doc.Arn) ?? str(doc.selfLink) ?? (name === '' ? ty : name);
  return { provider, kind: ty, name, id, namespace: undefined, location };
}

// Glob (case-insensitive, `*` crosses `/`) or literal type match, as the Rust runtime does.
function typeMatcher(t) {
  if (!/[*?[{]/.test(t)) { const l = t.toLowerCase(); return (k) => k.toLowerCase() === l; }
  let re = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') { const j = t.indexOf(']', i); re += t.slice(i, j + 1).replace(/^\[!/, '[^'); i = j; }
    else if (c === '{') { const j = t.indexOf('}', i); re += '(' + t.slice(i + 1, j).split(',').map(escapeRe).join('|') + ')'; i = j; }
    else re += escapeRe(c);
  }
  const rx = new RegExp('^' + re + '$', 'is');
  return (k) => rx.test(k);
}
function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'); }

// ---------------------------------------------------------------- explanations

function formatNumber(f) {
  if (!Number.isFinite(f)) return 'null';
  const neg = f < 0;
  const scaled = roundTiesEven(Math.abs(f) * 1e6);
  if (scaled >= 1e18) return (neg ? '-' : '') + '1e18+';
  const big = BigInt(scaled);
  const int = big / 1000000n; const frac = big % 1000000n;
  let out = (neg && big !== 0n ? '-' : '') + int.toString();
  if (frac !== 0n) out += '.' + frac.toString().padStart(6, '0').replace(/0+$/, '');
  return out;
}
function roundTiesEven(x) {
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
}

/** Renders a value as text, as remediation messages do. */
function render(v) {
  if (v === undefined) return '(missing)';
  if (isUnknown(v)) return '(unknown)';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(render).join(', ');
  return '{...}';
}

function oneLine(text) {
  const t = text.split(/\s+/u).filter((x) => x !== '').join(' ');
  const chars = Array.from(t);
  return chars.length > 90 ? chars.slice(0, 89).join('') + '…' : t;
}

function concretePath(path, bindings) {
  const m = /^[\p{L}\p{N}_]*/u.exec(path);
  const head = m ? m[0] : '';
  for (let i = bindings.length - 1; i >= 0; i--) {
    if (bindings[i].name === head) return head === '' ? path : bindings[i].path + path.slice(head.length);
  }
  return path;
}

function explain(meta, outcome, reason) {
  if (!reason) return undefined;
  const secrets = [];
  const bindings = [];
  for (const b of reason.bindings) {
    const v = meta.vars[b.var];
    if (!v) continue;
    const path = v.source.startsWith('[') ? v.name : `${concretePath(v.source, bindings)}[${b.index}]`;
    const value = b.value === undefined ? null : b.value;
    bindings.push({ name: v.name, path, value: redact(value, undefined, secrets) ?? value });
  }
  const clause = reason.clause === null ? undefined : meta.clauses[reason.clause];
  const path = clause && clause.path !== '' ? concretePath(clause.path, bindings) : undefined;
  const clauseValue = ['false', 'true', 'missing'][reason.leaf];
  const holder = path === undefined ? undefined : path.replace(/[\]\[0-9]+$/, '').split('.').pop();
  const actual = reason.actual === undefined ? undefined : (redact(reason.actual, holder, secrets) ?? reason.actual);
  const shown = render(actual);
  let message;
  if (outcome === 'error') {
    const fault = FAULTS[reason.fault] ?? 'evaluation failed';
    message = clause ? `evaluation failed at \`${oneLine(clause.text)}\`: ${fault}` : `evaluation failed: ${fault}`;
  } else if (!clause) {
    message = 'the condition is false';
  } else {
    let what;
    if (path !== undefined && reason.leaf === 2 && actual === undefined) what = `: \`${path}\` is missing`;
    else if (path !== undefined && reason.leaf === 2) what = `: \`${path}\` is ${shown}`;
    else if (path !== undefined) what = ` (\`${path}\` is ${typeof actual === 'string' ? `"${shown}"` : shown})`;
    else if (reason.leaf === 2) what = ': a value it needs is missing';
    else what = '';
    const text = oneLine(clause.text);
    message = reason.leaf === 2 ? `\`${text}\` could not be decided${what}`
      : reason.leaf === 1 ? `\`${text}\` is true${what}` : `\`${text}\` is false${what}`;
  }
  const out = { message };
  if (clause) out.clause = clause.text;
  out.clause_value = clauseValue;
  if (path !== undefined) out.path = path;
  if (actual !== undefined) out.actual = actual;
  if (bindings.length > 0) out.bindings = bindings;
  if (clause) out.policy = `${clause.span.file}:${clause.span.line}:${clause.span.col}`;
  Object.defineProperty(out, 'secrets', { value: secrets, enumerable: false });
  return out;
}

// ---------------------------------------------------------------- secrets
// Values that look like secrets are masked in explanations, remediation and fixes, by the rules
// of the Rust stdlib (`stdlib/src/secret.rs`, docs/security.md), so both hosts print the same.

const crypto = require('node:crypto');

const either = (w) => Array.from(w).map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join('');
const KNOWN_SOURCE = [
  '\\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\\b',
  '-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----',
  '\\bgh[pousr]_[A-Za-z0-9]{36,}',
  '\\bgithub_pat_[A-Za-z0-9_]{22,}',
  '\\bxox[abposr]-[A-Za-z0-9-]{10,}',
  '\\bAIza[0-9A-Za-z_-]{35}',
  '\\b[sr]k_live_[0-9A-Za-z]{20,}',
  '\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}',
  `\\b(?:${['AccountKey', 'SharedAccessKey', 'Password', 'Pwd'].map(either).join('|')})=[^; \\t\\r\\n]{6,}`,
].join('|');
const KNOWN = new RegExp(KNOWN_SOURCE);
const KNOWN_ALL = new RegExp(KNOWN_SOURCE, 'g');
const SECRET_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'accesskey',
  'privatekey', 'credential', 'connectionstring', 'sharedkey', 'sastoken'];
const NOT_SECRET_ENDINGS = ['name', 'names', 'ref', 'reference', 'arn', 'id', 'ids', 'uri', 'url',
  'path', 'file', 'enabled', 'type', 'version', 'policy', 'length', 'expiry', 'expiration',
  'rotation', 'source', 'ttl', 'duration', 'mode', 'required', 'provider', 'store', 'count',
  'secrets', 'keyvault', 'vault', 'format', 'audience', 'issuer', 'endpoint', 'lifetime', 'days',
  'seconds'];

function secretName(name) {
  const n = name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return (SECRET_WORDS.some((w) => n.includes(w)) || n.endsWith('pwd')) &&
    !NOT_SECRET_ENDINGS.some((e) => n.endsWith(e));
}

function literal(s) {
  const t = s.trim();
  return !(t === '' || t.toLowerCase() === 'true' || t.toLowerCase() === 'false' ||
    t.startsWith('{{resolve:') || t.startsWith('${') || t.startsWith('$(') ||
    (t.startsWith('[') && t.endsWith(']')) || t.startsWith('@Microsoft.KeyVault(') ||
    t.startsWith('arn:') || (t.startsWith('<') && t.endsWith('>')) || t === '(known after apply)');
}

function randomToken(s) {
  if (s.length < 32 || s.length > 4096 || s[0] === '/') return false;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(s) || !/[A-Z]/.test(s) || !/[a-z]/.test(s) || !/[0-9]/.test(s)) return false;
  const counts = new Array(128).fill(0);
  for (let i = 0; i < s.length; i++) counts[s.charCodeAt(i)]++;
  let bits = 0;
  for (const k of counts) {
    if (k > 0) { const p = k / s.length; bits += -p * Math.log2(p); }
  }
  return bits >= 4.0;
}

function looksSecret(s) { return randomToken(s.trim()) || KNOWN.test(s); }

function mask(secret) {
  return `<secret sha256:${crypto.createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8)}>`;
}

/** `v` with every string that looks like a secret masked, or undefined when none does. */
function redact(v, name, found) {
  if (typeof v === 'string') {
    if (heldSecret(v, name) || found.includes(v) || looksSecret(v)) {
      if (!found.includes(v)) found.push(v);
      return mask(v);
    }
    return undefined;
  }
  if (Array.isArray(v)) {
    let out;
    v.forEach((item, i) => {
      const r = redact(item, name, found);
      if (r !== undefined) { out = out ?? v.slice(); out[i] = r; }
    });
    return out;
  }
  if (v !== null && typeof v === 'object' && !isUnknown(v)) {
    const pair = typeof v.name === 'string' ? v.name : undefined;
    let out;
    for (const k of Object.keys(v)) {
      const r = redact(v[k], holder(k, pair), found);
      if (r !== undefined) { out = out ?? { ...v }; out[k] = r; }
    }
    return out;
  }
  return undefined;
}

/** `text` with the secrets found, known credentials and random tokens masked. */
/**
 * Adds to `found` the strings of a document held under a secret's name, walking only what the
 * projection keeps (the Rust `secret::named`): masked in every remediation and fix.
 */
function namedSecrets(v, p, name, found) {
  if (typeof v === 'string') {
    if (heldSecret(v, name) && !found.includes(v)) found.push(v);
  } else if (Array.isArray(v)) {
    for (const x of v) namedSecrets(x, elementProjection(p), name, found);
  } else if (v !== null && typeof v === 'object' && !isUnknown(v)) {
    const pair = typeof v.name === 'string' ? v.name : undefined;
    for (const [k, x] of Object.entries(v)) {
      const q = memberProjection(p, k);
      if (q !== undefined) namedSecrets(x, q, holder(k, pair), found);
    }
  }
}

/** Whether a string held under member `name` is a secret by that name. */
function heldSecret(s, name) {
  return name !== undefined && secretName(name) && literal(s);
}

/** The name a member's value is held under: its key, or the secret's `name` beside a `value`. */
function holder(k, pair) {
  return k === 'value' && pair !== undefined && secretName(pair) ? pair : k;
}

function scrub(text, found) {
  let out = text;
  for (const f of found) if (out.includes(f)) out = out.split(f).join(mask(f));
  out = out.replace(KNOWN_ALL, (m) => mask(m));
  return out.replace(/[A-Za-z0-9+/=_\-.:@%]+/g, (w) => {
    const t = w.replace(/[.:]+$/, '');
    return randomToken(t) ? mask(t) + w.slice(t.length) : w;
  });
}

function scrubValue(v, found) {
  if (typeof v === 'string') return scrub(v, found);
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, found));
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = scrubValue(v[k], found);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------- the standard

class Standard {
  /**
   * Loads a compiled standard (module bytes); throws when it is not a tenet module of ABI 1.
   * @param {Uint8Array} bytes
   */
  constructor(bytes) {
    this.module = new WebAssembly.Module(bytes);
    const sections = WebAssembly.Module.customSections(this.module, 'tenet.metadata');
    if (sections.length === 0) throw new Error('this is not a tenet standard: it has no `tenet.metadata` section');
    this.metadata = JSON.parse(Buffer.from(sections[0]).toString('utf8'));
    for (const k of ['controls', 'recommendations', 'clauses', 'vars', 'lookups']) this.metadata[k] ??= [];
    for (const r of this.metadata.recommendations) {
      r.refs ??= {}; r.applies ??= [];
    }
    if (this.metadata.abi !== ABI_VERSION) throw new Error(`this standard uses module ABI version ${this.metadata.abi}; this host supports ${ABI_VERSION}`);
    if (WebAssembly.Module.imports(this.module).length !== 0) throw new Error('this is not a tenet standard: it has imports');
  }

  /**
   * Evaluates resources (JSON values; lists and containers are expanded as `tenet check` does)
   * and returns one finding per applicable (recommendation, resource), in resource then
   * standard order.
   * @param {unknown[]} resources
   * @param {{now?: number}} [options] evaluation time in seconds since 1970
   */
  evaluate(resources, options = {}) {
    const now = options.now ?? Math.floor(Date.now() / 1000);
    const docs = [];
    const expand = (v) => {
      if (v === null || v === undefined) return;
      if (Array.isArray(v)) { v.forEach(expand); return; }
      docs.push(v);
    };
    resources.forEach(expand);
    const items = [];
    for (const doc of docs) {
      const id = classify(doc);
      if (id) items.push({ doc, id });
    }
    const instance = new WebAssembly.Instance(this.module, {});
    const ex = instance.exports;
    if (ex.tenet_abi_version() !== ABI_VERSION) throw new Error('unsupported module ABI version');
    const lookups = this.metadata.lookups;
    if (lookups.length > 0) {
      const index = new Writer();
      index.u32(lookups.length);
      const tables = lookups.map((l) => {
        const ms = (l.types ?? []).map(typeMatcher);
        return items
          .filter((it) => ms.some((m) => m(it.id.kind)))
          .map((it) => ({ doc: project(l.projection, it.doc) }));
      });
      // Offsets are from the start of the index: write tables and entries in order.
      for (const entries of tables) {
        index.u32(entries.length);
        const table = index.len;
        for (let i = 0; i < entries.length; i++) index.u32(0);
        entries.forEach((e, i) => {
          index.patch32(table + 4 * i, index.len);
          index.u32(0);
          index.value(e.doc);
        });
      }
      const bytes = index.done();
      const at = ex.tenet_index_reserve(bytes.length) >>> 0;
      new Uint8Array(ex.memory.buffer, at, bytes.length).set(bytes);
    }
    const meta = this.metadata;
    const findings = [];
    for (const { doc, id } of items) {
      const w = new Writer();
      w.f64(now); w.str(id.provider); w.str(id.kind); w.value(doc);
      const input = w.done();
      const at = ex.tenet_reserve(input.length) >>> 0;
      new Uint8Array(ex.memory.buffer, at, input.length).set(input);
      const out = ex.tenet_eval(at, input.length) >>> 0;
      const mem = Buffer.from(ex.memory.buffer);
      const r = new Reader(mem, out);
      r.u32();
      const n = r.u32();
      const factors = meta.risk_factors ?? [];
      const expected = meta.recommendations.length + factors.length;
      if (n !== expected) throw new Error(`module reported ${n} outcomes, metadata lists ${meta.recommendations.length} recommendations and ${factors.length} risk factors`);
      const results = [];
      for (let i = 0; i < n; i++) {
        const outcome = OUTCOMES[r.u8()];
        let reason;
        if (outcome === 'not_compliant' || outcome === 'error') {
          const clause = r.u32();
          const leaf = Math.min(r.u8(), 2);
          const fault = r.u8();
          const actual = r.value();
          const nb = r.u32();
          const bindings = [];
          for (let k = 0; k < nb; k++) bindings.push({ var: r.u32(), index: r.i32(), value: r.value() });
          const remediation = r.value();
          const fix = r.value();
          reason = { clause: clause === 0xffffffff ? null : clause, leaf, fault, actual, bindings, remediation: typeof remediation === 'string' ? remediation : undefined, fix };
        }
        results.push({ outcome, reason });
      }
      // Outcomes after the recommendations' are the risk factors': compliant means present.
      const present = [];
      for (let k = 0; k < factors.length; k++) {
        if (results[meta.recommendations.length + k].outcome === 'compliant') present.push(factors[k].id);
      }
      // The secrets the document holds, found once for all its findings that need them.
      let docSecrets = null;
      for (let i = 0; i < meta.recommendations.length; i++) {
        const { outcome, reason } = results[i];
        if (outcome === 'not_applicable') continue;
        const rec = meta.recommendations[i];
        const resource = { id: id.id, type: id.kind, name: id.name, provider: id.provider };
        if (id.namespace !== undefined) resource.namespace = id.namespace;
        if (id.location !== undefined) resource.location = id.location;
        const f = { recommendation: rec.id, title: rec.title, severity: rec.severity, category: rec.category ?? 'misconfiguration', state: outcome, refs: rec.refs, resource };
        const e = explain(meta, outcome, reason);
        if (e) f.explanation = e;
        let secrets = e ? e.secrets : [];
        if (reason && (reason.remediation !== undefined || reason.fix !== undefined)) {
          if (docSecrets === null) {
            docSecrets = [];
            namedSecrets(doc, meta.projection ?? { all: true }, undefined, docSecrets);
          }
          if (docSecrets.length > 0) secrets = secrets.concat(docSecrets);
        }
        if (reason && reason.remediation !== undefined) f.remediation = scrub(reason.remediation, secrets);
        if (reason && reason.fix !== undefined) f.fix = scrubValue(reason.fix, secrets);
        if (outcome === 'not_compliant' || outcome === 'error') {
          const x = inlineExemption(rec, doc, meta.standard.inline_exemptions);
          if (x) { f.state = 'exempt'; f.exemption = x; }
          f.risk = risk(rec, present);
        }
        findings.push(f);
      }
    }
    return findings;
  }
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2 };

/**
 * The tags (or labels and annotations) of a document, as the Rust runtime reads them: `tags` and
 * `Tags` maps or CloudFormation `Key`/`Value` lists, `Properties.Tags`, `values.tags`, Kubernetes
 * `metadata.labels` and `metadata.annotations`, GCP `resource.data.labels` and `labels`.
 */
function tagsOf(doc) {
  const get = (o, k) => (o !== null && typeof o === 'object' && !Array.isArray(o) ? o[k] : undefined);
  const candidates = [
    get(doc, 'tags'), get(doc, 'Tags'), get(get(doc, 'Properties'), 'Tags'), get(get(doc, 'values'), 'tags'),
    get(get(doc, 'metadata'), 'labels'), get(get(doc, 'metadata'), 'annotations'),
    get(get(get(doc, 'resource'), 'data'), 'labels'), get(doc, 'labels'),
  ];
  const out = [];
  for (const c of candidates) {
    if (Array.isArray(c)) {
      for (const t of c) {
        const k = get(t, 'Key'); const v = get(t, 'Value');
        if (typeof k === 'string' && typeof v === 'string') out.push([k, v]);
      }
    } else if (c !== null && typeof c === 'object') {
      // Keys in sorted order, as the Rust runtime's maps hold them.
      for (const k of Object.keys(c).sort()) if (typeof c[k] === 'string') out.push([k, c[k]]);
    }
  }
  return out;
}

/**
 * A resource's own exemption from a recommendation (docs/exemptions.md): a tag, label or
 * annotation `tenet-exempt-<id>` (any case) whose value is the reason, honoured up to the
 * standard's `inline_exemptions` severity (default high).
 */
function inlineExemption(rec, doc, allowed) {
  if (SEVERITY_RANK[rec.severity] > SEVERITY_RANK[allowed ?? 'high']) return undefined;
  const key = `tenet-exempt-${rec.id}`.toLowerCase();
  const hit = tagsOf(doc).find(([k]) => k.toLowerCase() === key);
  if (!hit) return undefined;
  return { id: `tag:${hit[0]}`, category: 'waiver', justification: hit[1] };
}

/**
 * The risk level of a finding (docs/exemptions.md): severity (low 0, medium 1, high 2) plus the
 * risk factors present on the resource (at most 2; only those the recommendation lists, if it
 * lists any) gives low, medium, high or critical.
 */
function risk(rec, present) {
  const wanted = rec.risk_factors ?? [];
  const factors = present.filter((f) => wanted.length === 0 || wanted.includes(f));
  const base = rec.severity === 'high' ? 2 : rec.severity === 'medium' ? 1 : 0;
  const score = Math.min(3, base + Math.min(2, factors.length));
  const out = { level: ['low', 'medium', 'high', 'critical'][score] };
  if (factors.length > 0) out.factors = factors;
  return out;
}

module.exports = { Standard, classify, encodeValue, decodeValue, render, risk, ABI_VERSION };
