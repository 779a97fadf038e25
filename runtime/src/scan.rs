//! Reading JSON text straight into the tenet value encoding, keeping only what a projection names.
//!
//! This is the hot path of `tenet check`: a resource costs what its rules read. Members nobody
//! reads are validated (strings, escapes, numbers, literals, nesting) and skipped without building
//! anything; members that are read are written in the encoding of `docs/abi.md` as they are met,
//! so no `serde_json::Value` tree is ever made. The result equals
//! `value::to_bytes(&projection.apply(&serde_json::from_str(text)?))` (a property the differential
//! tests check), except that a member read by a rule that appears twice in one object is an
//! error here: different parsers keep different copies, and a policy must not be bypassed by
//! an ambiguous document.

use tenet_stdlib::abi::Projection;
use tenet_stdlib::value::{self, tag, MAX_DEPTH, UNKNOWN_MARKER};

/// A projection prepared for scanning: member lookups by bytes, `each` folded into named members.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    all: bool,
    fields: Vec<(Box<[u8]>, Plan)>,
    each: Option<Box<Plan>>,
}

static ALL: Plan = Plan {
    all: true,
    fields: Vec::new(),
    each: None,
};

impl Plan {
    /// Prepares `p`.
    pub fn new(p: &Projection) -> Plan {
        if p.all {
            return Plan {
                all: true,
                ..Plan::default()
            };
        }
        let fields = p
            .fields
            .iter()
            .map(|(k, child)| {
                // A member named explicitly also gets what `each` asks of every member.
                let child = match &p.each {
                    Some(e) => {
                        let mut m = child.clone();
                        m.merge(e);
                        Plan::new(&m)
                    }
                    None => Plan::new(child),
                };
                (k.as_bytes().to_vec().into_boxed_slice(), child)
            })
            .collect();
        Plan {
            all: false,
            fields,
            each: p.each.as_deref().map(|e| Box::new(Plan::new(e))),
        }
    }

    fn member(&self, key: &[u8]) -> Option<&Plan> {
        if self.all {
            return Some(&ALL);
        }
        self.fields
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, p)| p)
            .or(self.each.as_deref())
    }

    fn element(&self) -> &Plan {
        self.each.as_deref().unwrap_or(self)
    }
}

/// A syntax error: byte offset into the scanned text and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong, as a phrase ("expected `,` or `}`").
    pub message: String,
}

/// Encodes the JSON value that makes up all of `text` (surrounding white space allowed), keeping
/// what `plan` names, appending to `out`. On error `out` may hold a partial value.
pub fn encode(text: &[u8], plan: &Plan, out: &mut Vec<u8>) -> Result<(), ScanError> {
    let mut s = Scanner {
        b: text,
        i: 0,
        depth: 0,
        out,
        keys: Vec::new(),
    };
    s.ws();
    s.emit(plan)?;
    s.ws();
    if s.i < s.b.len() {
        return Err(s.err("trailing characters after the value"));
    }
    Ok(())
}

/// Checks that `text` is one JSON value, without building anything.
pub fn validate(text: &[u8]) -> Result<(), ScanError> {
    let mut sink = Vec::new();
    let mut s = Scanner {
        b: text,
        i: 0,
        depth: 0,
        out: &mut sink,
        keys: Vec::new(),
    };
    s.ws();
    s.skip()?;
    s.ws();
    if s.i < s.b.len() {
        return Err(s.err("trailing characters after the value"));
    }
    Ok(())
}

struct Scanner<'t, 'o> {
    b: &'t [u8],
    i: usize,
    depth: usize,
    out: &'o mut Vec<u8>,
    /// Offsets in `out` of the keys written for the objects being scanned (duplicate checks).
    keys: Vec<usize>,
}

/// Bytes that end the fast run of a string: quote, backslash.
fn string_stop(b: &[u8]) -> Option<usize> {
    memchr::memchr2(b'"', b'\\', b)
}

impl Scanner<'_, '_> {
    fn err(&self, message: &str) -> ScanError {
        ScanError {
            offset: self.i,
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), ScanError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else if self.i >= self.b.len() {
            Err(self.err("unexpected end of the document"))
        } else {
            Err(self.err(what))
        }
    }

    fn enter(&mut self) -> Result<(), ScanError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        Ok(())
    }

    /// After a member or element: true at `,` (more follow), false at `close` (consumed).
    fn more(&mut self, close: u8) -> Result<bool, ScanError> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(false)
            }
            None => Err(self.err("unexpected end of the document")),
            Some(_) => Err(self.err(if close == b'}' {
                "expected `,` or `}`"
            } else {
                "expected `,` or `]`"
            })),
        }
    }

    /// Checks that a member name starts at the cursor.
    fn name_start(&mut self) -> Result<(), ScanError> {
        self.ws();
        match self.peek() {
            Some(b'"') => Ok(()),
            None => Err(self.err("unexpected end of the document")),
            Some(_) => Err(self.err("expected a member name in double quotes")),
        }
    }

    /// Writes the value at the cursor as `plan` says.
    fn emit(&mut self, plan: &Plan) -> Result<(), ScanError> {
        match self.peek() {
            Some(b'{') => self.emit_object(plan),
            Some(b'[') => self.emit_array(plan),
            Some(b'"') => {
                let start = self.out.len();
                self.out.push(tag::STRING);
                value::put_u32(self.out, 0);
                self.string(true)?;
                let n = self.out.len() - start - 5;
                self.out[start + 1..start + 5].copy_from_slice(&(n as u32).to_le_bytes());
                Ok(())
            }
            Some(b't') => self.literal(b"true", tag::TRUE, true),
            Some(b'f') => self.literal(b"false", tag::FALSE, true),
            Some(b'n') => self.literal(b"null", tag::NULL, true),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                self.number()?;
                let text = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("0");
                let f: f64 = text.parse().unwrap_or(f64::INFINITY);
                if !f.is_finite() {
                    self.i = start;
                    return Err(self.err("number out of range"));
                }
                self.out.push(tag::NUMBER);
                self.out.extend_from_slice(&f.to_le_bytes());
                Ok(())
            }
            None => Err(self.err("unexpected end of the document")),
            Some(_) => Err(self.err("expected a value")),
        }
    }

    fn literal(&mut self, word: &[u8], t: u8, write: bool) -> Result<(), ScanError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            if write {
                self.out.push(t);
            }
            Ok(())
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn emit_array(&mut self, plan: &Plan) -> Result<(), ScanError> {
        self.enter()?;
        self.i += 1;
        let at = value::begin_container(tag::ARRAY, 0, self.out);
        let elem = plan.element();
        let mut count = 0usize;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                self.emit(elem)?;
                count += 1;
                if !self.more(b']')? {
                    break;
                }
            }
        }
        self.out[at - 4..at].copy_from_slice(&(count as u32).to_le_bytes());
        value::end_container(at, self.out);
        self.depth -= 1;
        Ok(())
    }

    fn emit_object(&mut self, plan: &Plan) -> Result<(), ScanError> {
        self.enter()?;
        let open = self.i;
        self.i += 1;
        let tag_at = self.out.len();
        let at = value::begin_container(tag::OBJECT, 0, self.out);
        let keys_base = self.keys.len();
        let (mut count, mut members) = (0usize, 0usize);
        // Whether the object is exactly `{"$tenet.unknown": true}`.
        let mut marker = false;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                self.name_start()?;
                // The key is written tentatively; it is dropped when nobody reads the member.
                let entry = self.out.len();
                value::put_u32(self.out, 0);
                self.string(true)?;
                let klen = self.out.len() - entry - 4;
                self.out[entry..entry + 4].copy_from_slice(&(klen as u32).to_le_bytes());
                self.expect(b':', "expected `:` after the member name")?;
                self.ws();
                members += 1;
                let key = &self.out[entry + 4..];
                let is_marker = key == UNKNOWN_MARKER.as_bytes();
                match plan.member(key) {
                    Some(child) => {
                        self.keys.push(entry);
                        self.emit(child)?;
                        count += 1;
                        if is_marker && members == 1 {
                            marker = self.out.last() == Some(&tag::TRUE);
                        }
                    }
                    None => {
                        self.out.truncate(entry);
                        if is_marker && members == 1 {
                            marker = self.b[self.i..].starts_with(b"true");
                        }
                        self.skip()?;
                    }
                }
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        if marker && members == 1 {
            self.keys.truncate(keys_base);
            self.out.truncate(tag_at);
            self.out.push(tag::UNKNOWN);
            return Ok(());
        }
        if count > 1 {
            if let Some(k) = self.duplicate(keys_base) {
                self.i = open;
                return Err(self.err(&format!(
                    "member `{k}` appears twice in this object; parsers disagree on which copy counts, so remove one"
                )));
            }
        }
        self.keys.truncate(keys_base);
        self.out[at - 4..at].copy_from_slice(&(count as u32).to_le_bytes());
        value::end_container(at, self.out);
        Ok(())
    }

    /// A key written twice since `base` in [`Self::keys`], if any.
    fn duplicate(&self, base: usize) -> Option<String> {
        let out = &*self.out;
        let key = |e: &usize| -> &[u8] {
            let n = u32::from_le_bytes([out[*e], out[e + 1], out[e + 2], out[e + 3]]) as usize;
            &out[e + 4..e + 4 + n]
        };
        let entries = &self.keys[base..];
        let mut ks: Vec<&[u8]> = entries.iter().map(key).collect();
        ks.sort_unstable();
        ks.windows(2)
            .find(|w| w[0] == w[1])
            .map(|w| String::from_utf8_lossy(w[0]).into_owned())
    }

    /// Validates and skips the value at the cursor.
    fn skip(&mut self) -> Result<(), ScanError> {
        match self.peek() {
            Some(b'{') => {
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        self.name_start()?;
                        self.string(false)?;
                        self.expect(b':', "expected `:` after the member name")?;
                        self.ws();
                        self.skip()?;
                        if !self.more(b'}')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b'[') => {
                self.enter()?;
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        self.skip()?;
                        if !self.more(b']')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            Some(b'"') => self.string(false),
            Some(b't') => self.literal(b"true", 0, false),
            Some(b'f') => self.literal(b"false", 0, false),
            Some(b'n') => self.literal(b"null", 0, false),
            Some(b'-' | b'0'..=b'9') => self.number(),
            None => Err(self.err("unexpected end of the document")),
            Some(_) => Err(self.err("expected a value")),
        }
    }

    /// Validates the string at the cursor (a `"`); with `write`, appends its unescaped bytes.
    fn string(&mut self, write: bool) -> Result<(), ScanError> {
        self.i += 1;
        loop {
            let rest = &self.b[self.i..];
            let Some(n) = string_stop(rest) else {
                self.i = self.b.len();
                return Err(self.err("unterminated string"));
            };
            let run = &rest[..n];
            if let Some(c) = run.iter().position(|&c| c < 0x20) {
                self.i += c;
                return Err(self.err("control character in a string; escape it"));
            }
            if write {
                self.out.extend_from_slice(run);
            }
            self.i += n;
            if self.b[self.i] == b'"' {
                self.i += 1;
                return Ok(());
            }
            self.escape(write)?;
        }
    }

    /// One escape sequence at the cursor (a `\`).
    fn escape(&mut self, write: bool) -> Result<(), ScanError> {
        let c = self.b.get(self.i + 1).copied();
        let simple = match c {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 8,
            Some(b'f') => 12,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let hi = self.hex4(self.i + 2)?;
                self.i += 6;
                let ch = if (0xD800..0xDC00).contains(&hi) {
                    if self.b.get(self.i) != Some(&b'\\') || self.b.get(self.i + 1) != Some(&b'u') {
                        return Err(self.err("lone leading surrogate in a \\u escape"));
                    }
                    let lo = self.hex4(self.i + 2)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err("invalid low surrogate in a \\u escape"));
                    }
                    self.i += 6;
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(self.err("lone trailing surrogate in a \\u escape"));
                } else {
                    char::from_u32(hi)
                };
                let ch = ch.ok_or_else(|| self.err("invalid \\u escape"))?;
                if write {
                    let mut buf = [0u8; 4];
                    self.out
                        .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                return Ok(());
            }
            _ => return Err(self.err("invalid escape in a string")),
        };
        if write {
            self.out.push(simple);
        }
        self.i += 2;
        Ok(())
    }

    fn hex4(&self, at: usize) -> Result<u32, ScanError> {
        let digits = self
            .b
            .get(at..at + 4)
            .ok_or_else(|| self.err("unterminated \\u escape"))?;
        let mut n = 0u32;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            n = n * 16 + v;
        }
        Ok(n)
    }

    /// Validates a number at the cursor: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<(), ScanError> {
        let b = self.b;
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > s
        };
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => {
                self.i = i;
                return Err(self.err("invalid number"));
            }
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                self.i = i;
                return Err(self.err("invalid number"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                self.i = i;
                return Err(self.err("invalid number"));
            }
        }
        self.i = i;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn proj(paths: &[&str]) -> Projection {
        let mut p = Projection::default();
        for path in paths {
            let parts: Vec<String> = path.split('.').map(str::to_string).collect();
            p.add(&parts, true);
        }
        p
    }

    fn agrees(text: &str, p: &Projection) {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut out = Vec::new();
        encode(text.as_bytes(), &Plan::new(p), &mut out).unwrap();
        assert_eq!(out, value::to_bytes(&p.apply(&v)), "{text}");
    }

    #[test]
    fn equals_apply_then_encode() {
        let doc = r#" {"a": {"b": 1, "c": [1, {"d": 2, "e": 3}]}, "m": {"k": {"x": 1, "y": 2}, "j": {"x": 3}},
            "u": {"$tenet.unknown": true}, "v": {"$tenet.unknown": true, "w": 1}, "z": "skip \" \\ \u00e9",
            "s": "caf\u00e9 \ud83d\ude00 \n", "n": [-0.5e3, 0, 12345678901234567890, 1E-2], "t": [true, false, null]} "#;
        let p = proj(&[
            "a.c.*.d", "m.*.x", "m.k.y", "u.v", "a.b", "v", "s", "n", "t",
        ]);
        agrees(doc, &p);
        agrees(doc, &Projection::default());
        agrees(doc, &proj(&["a"]));
        agrees(doc, &proj(&["u", "z"]));
        agrees("[1, {\"a\": 2}, []]", &proj(&["a"]));
        agrees("\"top\"", &Projection::default());
    }

    #[test]
    fn skipped_parts_are_validated() {
        let p = Plan::new(&proj(&["a"]));
        let bad = [
            (r#"{"a": 1, "b": [1,]}"#, "expected a value"),
            (r#"{"a": 1, "b": "x\q"}"#, "invalid escape in a string"),
            (r#"{"a": 1, "b": 01}"#, "expected `,` or `}`"),
            (r#"{"a": 1, "b": tru}"#, "expected a value"),
            (
                "{\"a\": 1, \"b\": \"tab\there\"}",
                "control character in a string; escape it",
            ),
            (
                r#"{"a": 1, "b": "\ud800"}"#,
                "lone leading surrogate in a \\u escape",
            ),
            (r#"{"a": 1} x"#, "trailing characters after the value"),
            (
                r#"{"a": 1, "b": {"c" 1}}"#,
                "expected `:` after the member name",
            ),
            (r#"{"a": 1e999}"#, "number out of range"),
            (r#"{"a": 1, "b": [1, 2"#, "unexpected end of the document"),
        ];
        for (text, msg) in bad {
            let e = encode(text.as_bytes(), &p, &mut Vec::new()).unwrap_err();
            assert_eq!(e.message, msg, "{text}");
            // Validation alone checks syntax, not the range of numbers it does not read.
            if msg != "number out of range" {
                assert!(validate(text.as_bytes()).is_err(), "{text}");
            }
        }
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(200), "]".repeat(200));
        let e = encode(deep.as_bytes(), &p, &mut Vec::new()).unwrap_err();
        assert_eq!(e.message, "nested too deeply");
        let e = encode(deep.as_bytes(), &Plan::new(&proj(&["b"])), &mut Vec::new()).unwrap_err();
        assert_eq!(e.message, "nested too deeply", "skipped parts count too");
    }

    #[test]
    fn duplicate_members_that_are_read_are_errors() {
        let p = Plan::new(&proj(&["a"]));
        let e = encode(br#"{"a": 1, "b": 2, "a": 3}"#, &p, &mut Vec::new()).unwrap_err();
        assert!(e.message.contains("`a` appears twice"), "{}", e.message);
        assert_eq!(e.offset, 0);
        // Members nobody reads may repeat.
        let mut out = Vec::new();
        encode(br#"{"a": 1, "b": 2, "b": 3}"#, &p, &mut out).unwrap();
        assert_eq!(out, value::to_bytes(&json!({"a": 1})));
    }
}
