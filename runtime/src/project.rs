//! Parsing JSON straight into the projection a standard reads: fields no recommendation looks at
//! are skipped by the parser (validated, not built), so a resource costs what its rules read.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use tenet_stdlib::abi::Projection;
use tenet_stdlib::value::UNKNOWN_MARKER;

/// Parses `text` keeping only what `proj` names (see [`Projection::apply`], which this equals).
pub fn parse(text: &str, proj: &Projection) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Seed(proj).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

struct Seed<'p>(&'p Projection);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0.all {
            return serde::Deserialize::deserialize(d);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let elem = self.0.each.as_deref().unwrap_or(self.0);
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed(elem))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let child = match (self.0.fields.get(key.as_ref()), &self.0.each) {
                (Some(p), _) => Some(p),
                (None, Some(e)) => Some(e.as_ref()),
                (None, None) if key == UNKNOWN_MARKER => Some(&ALL),
                (None, None) => None,
            };
            match child {
                Some(p) => {
                    let v = map.next_value_seed(Seed(p))?;
                    out.insert(key.into_owned(), v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

static ALL: Projection = Projection {
    all: true,
    fields: std::collections::BTreeMap::new(),
    each: None,
};

/// The fields `inventory::classify` reads to identify a resource.
pub fn identity() -> Projection {
    let mut p = Projection::default();
    for path in [
        &["type"][..],
        &["assetType"],
        &["Type"],
        &["apiVersion"],
        &["kind"],
        &["name"],
        &["Name"],
        &["id"],
        &["arn"],
        &["Arn"],
        &["selfLink"],
        &["location"],
        &["region"],
        &["provider"],
        &["metadata", "name"],
        &["metadata", "namespace"],
        &["resource", "data", "name"],
    ] {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        p.add(&path, true);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equals_apply_on_the_full_value() {
        let doc = json!({"a": {"b": 1, "c": [1, {"d": 2, "e": 3}]}, "m": {"k": {"x": 1, "y": 2}}, "u": {"$tenet.unknown": true}, "z": "skip"});
        let mut p = Projection::default();
        p.add(&["a".into(), "c".into(), "*".into(), "d".into()], true);
        p.add(&["m".into(), "*".into(), "x".into()], true);
        p.add(&["u".into(), "v".into()], true);
        p.add(&["a".into(), "b".into()], true);
        let parsed = parse(&doc.to_string(), &p).unwrap();
        assert_eq!(parsed, p.apply(&doc));
        assert_eq!(
            parsed,
            json!({"a": {"b": 1, "c": [1, {"d": 2}]}, "m": {"k": {"x": 1}}, "u": {"$tenet.unknown": true}})
        );
        assert!(
            parse("{\"a\": [1,}", &p).is_err(),
            "skipped parts are still validated"
        );
    }
}
