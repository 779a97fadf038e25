//! Multi-document YAML read into JSON values, with the line each document starts on.

use crate::error::{err, InputError};
use serde::Deserializer as _;
use serde_json::Value;

/// Parses multi-document YAML into documents with the line each starts on.
pub fn yaml_documents(file: &str, text: &str) -> Result<Vec<(Value, usize)>, InputError> {
    // Line where each document starts (after a `---` separator, or at the top).
    let mut starts = vec![1];
    for (i, l) in text.lines().enumerate() {
        if l.starts_with("---") && i > 0 {
            starts.push(i + 2);
        } else if l.starts_with("---") {
            starts[0] = 2;
        }
    }
    let mut out = Vec::new();
    for (k, doc) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let yaml_error = |e: serde_yaml::Error| {
            let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            err(file, line, col, format!("invalid YAML: {e}"))
        };
        let v = doc.deserialize_any(YamlVisitor).map_err(yaml_error)?;
        let line = starts.get(k).copied().unwrap_or(0);
        out.push((v, line));
    }
    Ok(out)
}

/// Builds JSON from YAML: keys become strings; a tagged value `!Tag x` becomes `{"!Tag": x}`
/// (CloudFormation's short intrinsics, read by [`crate::iac::cloudformation`]); merge keys
/// (`<<: *base`) add the members the mapping does not have; a repeated key keeps its last value,
/// as JSON parsers do; numbers JSON cannot hold (`.nan`, `.inf`) become strings.
struct YamlVisitor;

impl<'de> serde::de::Visitor<'de> for YamlVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::from(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::from(u))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        let mut merged = Vec::new();
        while let Some(k) = map.next_key_seed(Seed)? {
            let v = map.next_value_seed(Seed)?;
            let key = match k {
                Value::String(s) => s,
                other => other.to_string(),
            };
            if key == "<<" {
                match v {
                    Value::Array(items) => merged.extend(items),
                    v => merged.push(v),
                }
            } else {
                out.insert(key, v);
            }
        }
        for m in merged {
            if let Value::Object(m) = m {
                for (k, v) in m {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess;
        let (tag, variant): (String, _) = data.variant()?;
        let v = variant.newtype_variant_seed(Seed)?;
        let mut m = serde_json::Map::new();
        m.insert(format!("!{}", tag.trim_start_matches('!')), v);
        Ok(Value::Object(m))
    }
}

/// [`YamlVisitor`] as a seed, for nested values.
struct Seed;

impl<'de> serde::de::DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
}
