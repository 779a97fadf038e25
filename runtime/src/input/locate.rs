//! Where each node of a small input file is: an index from JSON Pointer to line and column, built
//! here from JSON text (a structural walk), and by [`super::yaml`] from YAML as it reads it, so a
//! finding can point at the property that decided it, not just at its resource.
//!
//! Indexes are built for files read whole (YAML, infrastructure-as-code templates, Terraform) and,
//! lazily, for the resources of JSON inventories up to [`SMALL`]; larger JSON inventories, which
//! are streamed, keep resource-level locations only.

use crate::pointer::escape;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The positions of the nodes of one file: line and column by JSON Pointer. A member's position
/// is that of its key; an element's, that of its first character.
///
/// Built as a file is read (YAML, templates, Terraform), or on first use from the text of one
/// JSON resource, so files whose resources all pass never pay for it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Index {
    table: OnceLock<Table>,
    text: Option<Lazy>,
}

/// Line and column by pointer (looked up whole, never in order, so no sorting to build it),
/// hashed with foldhash: several times faster than the standard SipHash on these short keys, and
/// seeded at random per process, so a file cannot be written to make its pointers collide.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table(HashMap<String, (u32, u32), foldhash::fast::RandomState>);

impl Table {
    /// The table of nodes given in any order; the first of repeated pointers stands.
    fn new(entries: Vec<(String, u32, u32)>) -> Table {
        let mut m = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
        for (p, l, c) in entries {
            m.entry(p).or_insert((l, c));
        }
        Table(m)
    }
}

/// A JSON resource's text, indexed when a finding first asks where a property is.
#[derive(Debug, PartialEq, Eq)]
struct Lazy {
    /// The whole file (shared by its resources).
    file: Arc<[u8]>,
    /// The resource's bytes in it.
    range: (usize, usize),
    /// Where the resource starts (1-based).
    line: u32,
    col: u32,
}

impl Index {
    pub(crate) fn from_unsorted(entries: Vec<(String, u32, u32)>) -> Index {
        Index {
            table: OnceLock::from(Table::new(entries)),
            text: None,
        }
    }

    /// The index of the JSON value `file[range]`, which starts at `line`:`col` of its file,
    /// built on first use; pointers are relative to that value.
    pub(crate) fn lazy(file: Arc<[u8]>, range: (usize, usize), line: usize, col: usize) -> Index {
        Index {
            table: OnceLock::new(),
            text: Some(Lazy {
                file,
                range,
                line: line as u32,
                col: col as u32,
            }),
        }
    }

    fn table(&self) -> &Table {
        self.table.get_or_init(|| {
            let Some(t) = &self.text else {
                return Table::default();
            };
            let text = t
                .file
                .get(t.range.0..t.range.1)
                .and_then(|b| std::str::from_utf8(b).ok());
            let Some(mut table) = text.and_then(json_table) else {
                return Table::default();
            };
            for (l, c) in table.0.values_mut() {
                // Nodes on the resource's first line are shifted by its column.
                if *l == 1 {
                    *c += t.col - 1;
                }
                *l += t.line - 1;
            }
            table
        })
    }

    /// The line and column of the node at `pointer`.
    pub fn get(&self, pointer: &str) -> Option<(usize, usize)> {
        let (l, c) = self.table().0.get(pointer)?;
        Some((*l as usize, *c as usize))
    }
}

/// The largest JSON inventory whose resources get property locations.
pub const SMALL: usize = 1 << 20;

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
        self.find_segs(&segments(path))
    }

    /// [`Places::find`] for a path already split into members and indexes.
    pub(super) fn find_segs(&self, segs: &[Seg]) -> Option<Place> {
        // The whole pointer and path once, then the deepest prefix the file has: most paths are
        // there whole or nearly, so this asks the index once or twice.
        let mut ptr = self.base.clone();
        let mut shown = String::new();
        let mut cuts = Vec::with_capacity(segs.len());
        for s in segs {
            ptr.push('/');
            escape(s.text(), &mut ptr);
            match s {
                Seg::Key(k) => {
                    if !shown.is_empty() {
                        shown.push('.');
                    }
                    shown.push_str(k);
                }
                Seg::Index(i) => {
                    shown.push('[');
                    shown.push_str(i);
                    shown.push(']');
                }
            }
            cuts.push((ptr.len(), shown.len()));
        }
        cuts.iter().rev().find_map(|&(p, s)| {
            let (line, column) = self.index.get(&ptr[..p])?;
            Some(Place {
                path: shown[..s].to_string(),
                line,
                column,
            })
        })
    }
}

/// A member or an element index (as text) of a path.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Seg {
    Key(String),
    Index(String),
}

impl Seg {
    pub(super) fn text(&self) -> &str {
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
    Some(Index {
        table: OnceLock::from(json_table(text)?),
        text: None,
    })
}

fn json_table(text: &str) -> Option<Table> {
    let mut nodes: Vec<(String, usize)> = Vec::new();
    let b = text.as_bytes();
    let i = skip_ws(b, 0);
    let mut ptr = String::new();
    walk_json(text, i, &mut ptr, &mut nodes, 0)?;
    let at: Vec<usize> = nodes.iter().map(|n| n.1).collect();
    let pos = super::split::positions(text, &at);
    Some(Table::new(
        nodes
            .into_iter()
            .zip(pos)
            .map(|((p, _), (l, c))| (p, l as u32, c as u32))
            .collect(),
    ))
}

/// Appends a decimal index without allocating.
fn push_index(ptr: &mut String, k: usize) {
    use std::fmt::Write as _;
    let _ = write!(ptr, "{k}");
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
                let raw = text.get(j + 1..kend.checked_sub(1)?)?;
                let len = ptr.len();
                ptr.push('/');
                if raw.contains('\\') {
                    let key: String = serde_json::from_str(&text[j..kend]).ok()?;
                    escape(&key, ptr);
                } else {
                    escape(raw, ptr);
                }
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
                push_index(ptr, k);
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

    #[test]
    fn a_lazy_index_places_one_resource_of_a_file() {
        let file = "[{\"a\": 1},\n  {\"type\": \"t\",\n   \"spec\": {\"x\": [1, 2]}}]\n";
        let start = file.find("{\"type").unwrap();
        let end = file.rfind(']').unwrap();
        let index = Index::lazy(Arc::from(file.as_bytes()), (start, end), 2, 3);
        let p = places(index, "");
        // A member on the resource's first line is shifted by its column; the others by lines.
        assert_eq!(p.find("type").map(|p| (p.line, p.column)), Some((2, 4)));
        assert_eq!(
            p.find("spec.x[1]").map(|p| (p.line, p.column)),
            Some((3, 22))
        );
        // Not valid JSON: no places, no panic.
        let broken = Index::lazy(Arc::from(&b"{\"a\": "[..]), (0, 6), 1, 1);
        assert_eq!(broken.get("/a"), None);
    }
}
