//! Where each node of a small input file is: an index from JSON Pointer to line and column, built
//! here from JSON text (a structural walk), and by [`super::yaml`] from YAML as it reads it, so a
//! finding can point at the property that decided it, not just at its resource.
//!
//! Indexes are built for files read whole (YAML, and infrastructure-as-code templates); large JSON
//! inventories, which are streamed, keep resource-level locations only.

use crate::pointer::escape;
use std::sync::Arc;

/// The positions of the nodes of one file: `(pointer, line, column)` sorted by pointer. A
/// member's position is that of its key; an element's, that of its first character.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Index {
    entries: Vec<(String, u32, u32)>,
}

impl Index {
    pub(crate) fn from_unsorted(mut entries: Vec<(String, u32, u32)>) -> Index {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|a, b| a.0 == b.0);
        Index { entries }
    }

    /// The line and column of the node at `pointer`.
    pub fn get(&self, pointer: &str) -> Option<(usize, usize)> {
        let i = self
            .entries
            .binary_search_by(|e| e.0.as_str().cmp(pointer))
            .ok()?;
        let (_, l, c) = &self.entries[i];
        Some((*l as usize, *c as usize))
    }
}

/// A resource's places: the index of its file and the pointer of the resource in it.
#[derive(Clone, Debug)]
pub struct Places {
    /// The file's index.
    pub index: Arc<Index>,
    /// Pointer of the resource's document in the file.
    pub base: String,
}

impl PartialEq for Places {
    fn eq(&self, other: &Places) -> bool {
        Arc::ptr_eq(&self.index, &other.index) && self.base == other.base
    }
}

/// A property's place in its file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    /// The property, as far as it was found (`properties.securityRules[2]`).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Places {
    /// The place of the deepest node of `path` (a path as explanations write it:
    /// `properties.securityRules[2].sourceAddressPrefix`) that is in the file; `None` when not
    /// even its first member is (a computed or added value).
    pub fn find(&self, path: &str) -> Option<Place> {
        let segs = segments(path);
        let mut best = None;
        let mut ptr = self.base.clone();
        let mut shown = String::new();
        for s in &segs {
            ptr.push('/');
            escape(s.text(), &mut ptr);
            match s {
                Seg::Key(k) if shown.is_empty() => shown.push_str(k),
                Seg::Key(k) => {
                    shown.push('.');
                    shown.push_str(k);
                }
                Seg::Index(i) => shown.push_str(&format!("[{i}]")),
            }
            match self.index.get(&ptr) {
                Some((line, column)) => {
                    best = Some(Place {
                        path: shown.clone(),
                        line,
                        column,
                    })
                }
                None => break,
            }
        }
        best
    }
}

#[derive(Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(String),
}

impl Seg {
    fn text(&self) -> &str {
        match self {
            Seg::Key(k) | Seg::Index(k) => k,
        }
    }
}

/// The leading members and indexes of an explanation path; stops at anything else (a call).
fn segments(path: &str) -> Vec<Seg> {
    let b = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'-';
    while i < b.len() {
        match b[i] {
            b'.' if !out.is_empty() => i += 1,
            b'[' => {
                let Some(close) = path[i..].find(']') else {
                    break;
                };
                let inner = &path[i + 1..i + close];
                if inner.bytes().all(|c| c.is_ascii_digit()) && !inner.is_empty() {
                    out.push(Seg::Index(inner.to_string()));
                } else if let Ok(k) = serde_json::from_str::<String>(inner) {
                    out.push(Seg::Key(k));
                } else {
                    break;
                }
                i += close + 1;
            }
            c if ident(c) => {
                let start = i;
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
                if b.get(i) == Some(&b'(') {
                    break;
                }
                out.push(Seg::Key(path[start..i].to_string()));
            }
            _ => break,
        }
    }
    out
}

/// The index of a JSON text (already known to be valid JSON); `None` if it is not.
pub fn json(text: &str) -> Option<Index> {
    let mut offsets: Vec<(String, usize)> = Vec::new();
    let b = text.as_bytes();
    let i = skip_ws(b, 0);
    let mut ptr = String::new();
    walk_json(text, i, &mut ptr, &mut offsets, 0)?;
    let at: Vec<usize> = offsets.iter().map(|o| o.1).collect();
    let pos = super::split::positions(text, &at);
    Some(Index::from_unsorted(
        offsets
            .into_iter()
            .zip(pos)
            .map(|((p, _), (l, c))| (p, l as u32, c as u32))
            .collect(),
    ))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// Records the members and elements under the value at `text[i]`; returns one past its end.
fn walk_json(
    text: &str,
    i: usize,
    ptr: &mut String,
    out: &mut Vec<(String, usize)>,
    depth: usize,
) -> Option<usize> {
    let b = text.as_bytes();
    if depth > 256 {
        return None;
    }
    match *b.get(i)? {
        b'{' => {
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b'}') {
                return Some(j + 1);
            }
            loop {
                let kend = super::split::value_end_at(b, j)?;
                let key: String = serde_json::from_str(&text[j..kend]).ok()?;
                let len = ptr.len();
                ptr.push('/');
                escape(&key, ptr);
                out.push((ptr.clone(), j));
                j = skip_ws(b, kend);
                if b.get(j) != Some(&b':') {
                    return None;
                }
                j = skip_ws(b, j + 1);
                j = walk_json(text, j, ptr, out, depth + 1)?;
                ptr.truncate(len);
                j = skip_ws(b, j);
                match b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    b'}' => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b'[' => {
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return Some(j + 1);
            }
            let mut k = 0usize;
            loop {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&k.to_string());
                out.push((ptr.clone(), j));
                j = walk_json(text, j, ptr, out, depth + 1)?;
                ptr.truncate(len);
                k += 1;
                j = skip_ws(b, j);
                match b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    b']' => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => super::split::value_end_at(b, i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Option<Index> {
        super::super::yaml::read("f", text).ok().map(|d| d.index)
    }

    fn places(index: Index, base: &str) -> Places {
        Places {
            index: Arc::new(index),
            base: base.into(),
        }
    }

    #[test]
    fn json_and_yaml_give_the_same_pointers() {
        let j = "{\"resources\": [\n  {\"type\": \"t\",\n   \"properties\": {\"rules\": [{\"port\": 22}, {\"port\": 80}]}}\n]}";
        let y = "resources:\n  - type: t\n    properties:\n      rules:\n        - port: 22\n        - {port: 80}\n";
        let (ji, yi) = (json(j).unwrap(), yaml(y).unwrap());
        assert_eq!(ji.get("/resources/0/type"), Some((2, 4)));
        assert_eq!(yi.get("/0/resources/0/type"), Some((2, 5)));
        let p = places(ji, "/resources/0")
            .find("properties.rules[1].port")
            .unwrap();
        assert_eq!(
            (p.path.as_str(), p.line, p.column),
            ("properties.rules[1].port", 3, 44)
        );
        let p = places(yi, "/0/resources/0")
            .find("properties.rules[1].port")
            .unwrap();
        assert_eq!((p.line, p.column), (6, 12));
    }

    #[test]
    fn finds_the_deepest_known_node() {
        let y = "a: 1\n---\nkind: Pod\nspec:\n  containers:\n  - name: c\n    image: x\n";
        let p = places(yaml(y).unwrap(), "/1");
        let got = p
            .find("spec.containers[0].securityContext.privileged")
            .unwrap();
        assert_eq!((got.path.as_str(), got.line), ("spec.containers[0]", 6));
        assert!(p.find("concat(spec, x)").is_none());
        assert!(p.find("missing.x").is_none());
        assert_eq!(
            segments("a[\"b.c\"][0].d"),
            vec![
                Seg::Key("a".into()),
                Seg::Key("b.c".into()),
                Seg::Index("0".into()),
                Seg::Key("d".into())
            ]
        );
    }
}
