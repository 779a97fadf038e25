//! The binary value encoding shared by hosts and compiled modules.
//!
//! Every value a module reads (the resource, the inventory index), builds (lists, strings, fixes) or
//! writes (actual values in explanations) uses this encoding. All integers are little-endian and no
//! field is aligned. `docs/abi.md` is the normative description; this module is its implementation.
//!
//! | tag | value   | payload                                                              |
//! |-----|---------|----------------------------------------------------------------------|
//! | 0   | null    | none                                                                 |
//! | 1   | false   | none                                                                 |
//! | 2   | true    | none                                                                 |
//! | 3   | number  | f64                                                                  |
//! | 4   | string  | u32 byte length, UTF-8 bytes                                         |
//! | 5   | array   | u32 element count, u32 body length, elements                          |
//! | 6   | object  | u32 entry count, u32 body length, entries (u32 key length, key, value) |
//! | 7   | unknown | none (a value known only at deploy time)                             |
//!
//! In outputs, the single byte `0xFF` stands for an absent value.

use serde_json::{Map, Number, Value};

/// Tag bytes of the encoding.
pub mod tag {
    /// JSON null.
    pub const NULL: u8 = 0;
    /// Boolean false.
    pub const FALSE: u8 = 1;
    /// Boolean true.
    pub const TRUE: u8 = 2;
    /// A number, stored as an IEEE 754 double.
    pub const NUMBER: u8 = 3;
    /// A UTF-8 string.
    pub const STRING: u8 = 4;
    /// An array.
    pub const ARRAY: u8 = 5;
    /// An object, entries in document order.
    pub const OBJECT: u8 = 6;
    /// A value that exists but is not known until deployment (infrastructure-as-code plans).
    pub const UNKNOWN: u8 = 7;
    /// Marks an absent value in module outputs.
    pub const ABSENT: u8 = 0xFF;
}

/// Maximum nesting depth a host encodes and a decoder accepts.
pub const MAX_DEPTH: usize = 128;

/// The key under which an unknown value is represented in JSON documents handed to tenet
/// (`{"$tenet.unknown": true}`); infrastructure-as-code adapters produce it.
pub const UNKNOWN_MARKER: &str = "$tenet.unknown";

/// Error decoding a value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// The buffer ended inside a value.
    #[error("encoded value truncated at byte {0}")]
    Truncated(usize),
    /// An unknown tag byte.
    #[error("unknown value tag {tag} at byte {at}")]
    BadTag {
        /// The tag found.
        tag: u8,
        /// Its offset.
        at: usize,
    },
    /// A string was not UTF-8.
    #[error("string at byte {0} is not UTF-8")]
    Utf8(usize),
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Returns true when `v` is the JSON form of an unknown value.
pub fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Object(m) if m.len() == 1 && m.get(UNKNOWN_MARKER) == Some(&Value::Bool(true)))
}

/// The JSON form of an unknown value.
pub fn unknown() -> Value {
    let mut m = Map::new();
    m.insert(UNKNOWN_MARKER.to_string(), Value::Bool(true));
    Value::Object(m)
}

/// Appends the encoding of `v` to `out`.
pub fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(tag::NULL),
        Value::Bool(false) => out.push(tag::FALSE),
        Value::Bool(true) => out.push(tag::TRUE),
        Value::Number(n) => {
            out.push(tag::NUMBER);
            out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_le_bytes());
        }
        Value::String(s) => encode_str(s, out),
        Value::Array(items) => {
            let start = begin_container(tag::ARRAY, items.len(), out);
            for item in items {
                encode(item, out);
            }
            end_container(start, out);
        }
        Value::Object(_) if is_unknown(v) => out.push(tag::UNKNOWN),
        Value::Object(map) => {
            let start = begin_container(tag::OBJECT, map.len(), out);
            for (k, item) in map {
                put_u32(out, k.len());
                out.extend_from_slice(k.as_bytes());
                encode(item, out);
            }
            end_container(start, out);
        }
    }
}

/// Appends an encoded string.
pub fn encode_str(s: &str, out: &mut Vec<u8>) {
    out.push(tag::STRING);
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Writes a container header with a placeholder body length; returns the offset to patch.
pub fn begin_container(t: u8, count: usize, out: &mut Vec<u8>) -> usize {
    out.push(t);
    put_u32(out, count);
    let at = out.len();
    put_u32(out, 0);
    at
}

/// Patches the body length written by [`begin_container`].
pub fn end_container(at: usize, out: &mut [u8]) {
    let body = out.len().saturating_sub(at + 4);
    if let Some(slot) = out.get_mut(at..at + 4) {
        slot.copy_from_slice(&(body as u32).to_le_bytes());
    }
}

/// Appends a little-endian u32 (lengths are bounded by the 4 GiB wasm memory).
pub fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

/// Encodes a value into a fresh buffer.
pub fn to_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode(v, &mut out);
    out
}

/// A cursor over encoded bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    /// Current offset.
    pub pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at `pos`.
    pub fn new(bytes: &'a [u8], pos: usize) -> Self {
        Reader { bytes, pos }
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or(DecodeError::Truncated(self.pos))?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads a little-endian u32.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads `n` raw bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DecodeError::Truncated(self.pos))?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(DecodeError::Truncated(self.pos))?;
        self.pos = end;
        Ok(s)
    }

    /// Reads a length-prefixed UTF-8 string (no tag).
    pub fn str(&mut self) -> Result<&'a str, DecodeError> {
        let n = self.u32()? as usize;
        let at = self.pos;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| DecodeError::Utf8(at))
    }

    /// Reads one encoded value, or `None` for the absent marker.
    pub fn value(&mut self) -> Result<Option<Value>, DecodeError> {
        if self.bytes.get(self.pos) == Some(&tag::ABSENT) {
            self.pos += 1;
            return Ok(None);
        }
        self.value_at_depth(0).map(Some)
    }

    fn value_at_depth(&mut self, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let at = self.pos;
        Ok(match self.u8()? {
            tag::NULL => Value::Null,
            tag::FALSE => Value::Bool(false),
            tag::TRUE => Value::Bool(true),
            tag::NUMBER => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                number(f64::from_le_bytes(a))
            }
            tag::STRING => Value::String(self.str()?.to_string()),
            tag::ARRAY => {
                let n = self.u32()?;
                self.u32()?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.value_at_depth(depth + 1)?);
                }
                Value::Array(items)
            }
            tag::OBJECT => {
                let n = self.u32()?;
                self.u32()?;
                let mut map = Map::new();
                for _ in 0..n {
                    let k = self.str()?.to_string();
                    let v = self.value_at_depth(depth + 1)?;
                    map.insert(k, v);
                }
                Value::Object(map)
            }
            tag::UNKNOWN => unknown(),
            t => return Err(DecodeError::BadTag { tag: t, at }),
        })
    }
}

/// Converts an f64 into a JSON number, as an integer when it is integral and exactly representable.
pub fn number(f: f64) -> Value {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Value::Number(Number::from(f as i64))
    } else {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// Length in bytes of the encoded value at the start of `b`, if it is complete.
pub fn encoded_len(b: &[u8]) -> Option<usize> {
    let word = |at: usize| -> Option<usize> {
        let w = b.get(at..at + 4)?;
        Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
    };
    let n = match *b.first()? {
        tag::NULL | tag::FALSE | tag::TRUE | tag::UNKNOWN | tag::ABSENT => 1,
        tag::NUMBER => 9,
        tag::STRING => 5 + word(1)?,
        tag::ARRAY | tag::OBJECT => 9 + word(5)?,
        _ => return None,
    };
    (n <= b.len()).then_some(n)
}

/// The encoded value of member `key` of the encoded object at the start of `obj`, without
/// decoding anything else.
pub fn member<'a>(obj: &'a [u8], key: &str) -> Option<&'a [u8]> {
    if *obj.first()? != tag::OBJECT {
        return None;
    }
    let count = u32::from_le_bytes(obj.get(1..5)?.try_into().ok()?) as usize;
    let mut at = 9;
    for _ in 0..count {
        let klen = u32::from_le_bytes(obj.get(at..at + 4)?.try_into().ok()?) as usize;
        let k = obj.get(at + 4..at + 4 + klen)?;
        at += 4 + klen;
        let v = obj.get(at..)?;
        let n = encoded_len(v)?;
        if k == key.as_bytes() {
            return v.get(..n);
        }
        at += n;
    }
    None
}

/// The text of an encoded string.
pub fn as_str(v: &[u8]) -> Option<&str> {
    if *v.first()? != tag::STRING {
        return None;
    }
    let n = u32::from_le_bytes(v.get(1..5)?.try_into().ok()?) as usize;
    std::str::from_utf8(v.get(5..5 + n)?).ok()
}

/// Decodes one value from the start of `bytes`.
pub fn from_bytes(bytes: &[u8]) -> Result<Value, DecodeError> {
    Reader::new(bytes, 0).value_at_depth(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_every_kind() {
        let v = json!({"a": [1, 2.5, "x", null, true, false, {"b": []}], "c": {}, "u": unknown()});
        let bytes = to_bytes(&v);
        assert_eq!(from_bytes(&bytes).unwrap(), v);
    }

    #[test]
    fn container_lengths_cover_the_body() {
        let bytes = to_bytes(&json!(["ab"]));
        // tag, count=1, body=1+4+2
        assert_eq!(
            bytes,
            vec![5, 1, 0, 0, 0, 7, 0, 0, 0, 4, 2, 0, 0, 0, b'a', b'b']
        );
    }

    #[test]
    fn members_are_found_without_decoding() {
        let b = to_bytes(&json!({"a": [1, {"x": 2}], "b": "hi", "c": {"d": null}}));
        assert_eq!(as_str(member(&b, "b").unwrap()), Some("hi"));
        assert_eq!(
            member(member(&b, "c").unwrap(), "d"),
            Some(&[tag::NULL][..])
        );
        assert_eq!(member(&b, "z"), None);
        assert_eq!(encoded_len(&b), Some(b.len()));
        assert_eq!(encoded_len(&b[..b.len() - 1]), None);
    }

    #[test]
    fn truncated_and_bad_tags_are_errors() {
        assert_eq!(
            from_bytes(&[4, 5, 0, 0, 0, b'a']),
            Err(DecodeError::Truncated(5))
        );
        assert!(matches!(
            from_bytes(&[9]),
            Err(DecodeError::BadTag { tag: 9, .. })
        ));
    }
}
