//! The layout of a JSON or YAML text as a tree of byte spans: where each mapping, sequence,
//! member, item and scalar starts and ends, so a fix can change one value in place and keep
//! every other byte (comments, quoting, indentation, key order) of the file.
//!
//! Only the layout is kept here; the values come from the readers in [`crate::input`], which have
//! already accepted the text (so the walks below may stop at the first thing they do not
//! expect: the caller then writes less in place, never something wrong).

use saphyr_parser::{Event, Parser, ScalarStyle};

/// A node of the text: its bytes are `start..end` (for a block collection, from its first key
/// or dash to the end of its last value; trailing comments are not part of it).
#[derive(Debug)]
pub struct Node {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// A YAML node with a tag, an anchor, or an alias: the text does not hold its value as
    /// written, or other nodes share it, so nothing is changed inside it.
    pub opaque: bool,
}

/// What a node is.
#[derive(Debug)]
pub enum Kind {
    Scalar(Style),
    /// A mapping: `flow` when written `{…}` (and always in JSON).
    Map {
        flow: bool,
        members: Vec<Member>,
    },
    /// A sequence: `flow` when written `[…]` (and always in JSON).
    Seq {
        flow: bool,
        items: Vec<Node>,
    },
}

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` or `>`.
    Block,
    /// A JSON string, number, boolean or null.
    Json,
}

/// A member of a mapping: its key (as read), where the key starts, and its value.
#[derive(Debug)]
pub struct Member {
    pub key: String,
    pub key_start: usize,
    pub value: Node,
}

impl Node {
    /// The node at a JSON Pointer below this one.
    pub fn find(&self, pointer: &str) -> Option<&Node> {
        let mut n = self;
        for t in crate::pointer::tokens(pointer) {
            n = match &n.kind {
                Kind::Map { members, .. } => &members.iter().find(|m| m.key == t)?.value,
                Kind::Seq { items, .. } => items.get(t.parse::<usize>().ok()?)?,
                Kind::Scalar(_) => return None,
            };
        }
        Some(n)
    }

    /// Whether the node is written `{…}` or `[…]` (every JSON collection).
    pub fn is_flow(&self) -> bool {
        matches!(
            self.kind,
            Kind::Map { flow: true, .. } | Kind::Seq { flow: true, .. }
        )
    }
}

/// The layout of a JSON text, or `None` when it is not one JSON value.
pub fn json(text: &str) -> Option<Node> {
    let b = text.as_bytes();
    let start = ws(b, 0);
    let (node, end) = json_value(b, text, start, 0)?;
    (ws(b, end) == b.len()).then_some(node)
}

const MAX_DEPTH: usize = 160;

fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end of the JSON string starting at `i` (after its closing quote).
fn json_string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn json_value(b: &[u8], text: &str, i: usize, depth: usize) -> Option<(Node, usize)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let node = |end, kind| Node {
        start: i,
        end,
        kind,
        opaque: false,
    };
    match *b.get(i)? {
        b'{' => {
            let mut members = Vec::new();
            let mut j = ws(b, i + 1);
            if b.get(j) == Some(&b'}') {
                return Some((node(j + 1, map(true, members)), j + 1));
            }
            loop {
                let key_end = json_string_end(b, j).filter(|_| b[j] == b'"')?;
                let key: String = serde_json::from_str(&text[j..key_end]).ok()?;
                let colon = ws(b, key_end);
                (b.get(colon) == Some(&b':')).then_some(())?;
                let (value, end) = json_value(b, text, ws(b, colon + 1), depth + 1)?;
                members.push(Member {
                    key,
                    key_start: j,
                    value,
                });
                j = ws(b, end);
                match b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b'}' => return Some((node(j + 1, map(true, members)), j + 1)),
                    _ => return None,
                }
            }
        }
        b'[' => {
            let mut items = Vec::new();
            let mut j = ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return Some((node(j + 1, seq(true, items)), j + 1));
            }
            loop {
                let (value, end) = json_value(b, text, j, depth + 1)?;
                items.push(value);
                j = ws(b, end);
                match b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    b']' => return Some((node(j + 1, seq(true, items)), j + 1)),
                    _ => return None,
                }
            }
        }
        b'"' => {
            let end = json_string_end(b, i)?;
            Some((node(end, Kind::Scalar(Style::Json)), end))
        }
        _ => {
            let mut end = i;
            while end < b.len()
                && !matches!(b[end], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                end += 1;
            }
            (end > i).then(|| (node(end, Kind::Scalar(Style::Json)), end))
        }
    }
}

fn map(flow: bool, members: Vec<Member>) -> Kind {
    Kind::Map { flow, members }
}

fn seq(flow: bool, items: Vec<Node>) -> Kind {
    Kind::Seq { flow, items }
}

/// A collection being read from YAML events.
struct Open {
    start: usize,
    flow: bool,
    opaque: bool,
    map: bool,
    members: Vec<Member>,
    items: Vec<Node>,
    /// The key read, waiting for its value: text and start.
    key: Option<(String, usize)>,
}

/// The layout of each document of a YAML text, or `None` when it does not parse.
pub fn yaml(text: &str) -> Option<Vec<Node>> {
    // The parser counts characters; the tree counts bytes.
    let bytes: Option<Vec<usize>> = (!text.is_ascii()).then(|| {
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        v
    });
    let at = |chars: usize| match &bytes {
        Some(v) => v.get(chars).copied().unwrap_or(text.len()),
        None => chars.min(text.len()),
    };
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.ok()?;
        let (s, e) = (at(span.start.index()), at(span.end.index()));
        let is_map = matches!(ev, Event::MappingStart(..));
        let node = match ev {
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                // A flow collection's span ends after its bracket; a block one's is empty.
                let flow = text[s..e].contains(['{', '[']);
                stack.push(Open {
                    start: s,
                    flow,
                    opaque: anchor != 0 || tag.is_some(),
                    map: is_map,
                    members: Vec::new(),
                    items: Vec::new(),
                    key: None,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let o = stack.pop()?;
                let end = if o.flow {
                    // The event starts at the closing bracket (its end may run on past comments).
                    if text[s..].starts_with(['}', ']']) {
                        s + 1
                    } else {
                        e
                    }
                } else {
                    // A block collection ends where its last value does.
                    let last = if o.map {
                        o.members.last().map(|m| m.value.end)
                    } else {
                        o.items.last().map(|n| n.end)
                    };
                    last.unwrap_or(o.start)
                };
                let mut start = o.start;
                if !o.flow && !o.map {
                    // A block sequence starts at its first dash (the event may place it after).
                    if let Some(d) = o.items.first().and_then(|n| dash(text, n.start)) {
                        start = start.min(d);
                    }
                }
                Node {
                    start,
                    end,
                    kind: if o.map {
                        map(o.flow, o.members)
                    } else {
                        seq(o.flow, o.items)
                    },
                    opaque: o.opaque,
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if let Some(Open {
                    map: true,
                    key: key @ None,
                    ..
                }) = stack.last_mut()
                {
                    *key = Some((value.to_string(), s));
                    continue;
                }
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    _ => Style::Block,
                };
                Node {
                    start: s,
                    end: e,
                    kind: Kind::Scalar(style),
                    opaque: anchor != 0 || tag.is_some(),
                }
            }
            Event::Alias(_) => Node {
                start: s,
                end: e,
                kind: Kind::Scalar(Style::Plain),
                opaque: true,
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => docs.push(node),
            Some(o) if !o.map => o.items.push(node),
            Some(o) => match o.key.take() {
                Some((key, key_start)) => o.members.push(Member {
                    key,
                    key_start,
                    value: node,
                }),
                // A collection used as a key: the mapping cannot be edited member by member.
                None => {
                    o.opaque = true;
                    o.key = Some((String::new(), node.start));
                }
            },
        }
    }
    Some(docs)
}

/// The dash of the block sequence item starting at `start`: the `-` before it, across spaces.
pub fn dash(text: &str, start: usize) -> Option<usize> {
    let before = text[..start].trim_end_matches([' ', '\t', '\n', '\r']);
    before.ends_with('-').then(|| before.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'a>(t: &'a str, n: &Node) -> &'a str {
        &t[n.start..n.end]
    }

    #[test]
    fn yaml_spans_cover_what_is_written() {
        let t = "# c\na: 1   # x\nb:\n  - name: é\n    v: [1, 2]\n  - k: |\n      text\n\nc: {x: 'y'}\n";
        let docs = yaml(t).unwrap();
        let d = &docs[0];
        assert_eq!(text_of(t, d.find("/a").unwrap()), "1");
        assert_eq!(
            text_of(t, d.find("/b").unwrap()),
            "- name: é\n    v: [1, 2]\n  - k: |\n      text\n\n"
        );
        assert_eq!(text_of(t, d.find("/b/0/name").unwrap()), "é");
        assert_eq!(text_of(t, d.find("/b/0/v").unwrap()), "[1, 2]");
        assert_eq!(text_of(t, d.find("/c").unwrap()), "{x: 'y'}");
        assert_eq!(text_of(t, d.find("/c/x").unwrap()), "'y'");
        assert!(d.find("/c").unwrap().is_flow());
        // An indentless sequence starts at its dash too.
        let t = "k:\n- 1\n- 2\n";
        assert_eq!(
            text_of(t, yaml(t).unwrap()[0].find("/k").unwrap()),
            "- 1\n- 2"
        );
        // Tags, anchors and aliases are opaque.
        let t = "a: !Ref x\nb: &n {x: 1}\nc: *n\nd: 1\n";
        let d = &yaml(t).unwrap()[0];
        for (p, opaque) in [("/a", true), ("/b", true), ("/c", true), ("/d", false)] {
            assert_eq!(d.find(p).unwrap().opaque, opaque, "{p}");
        }
    }

    #[test]
    fn json_spans_cover_what_is_written() {
        let t = "{\n  \"a\": [1, {\"b\": \"x\\\"y\"}],\n  \"c\": null\n}\n";
        let d = json(t).unwrap();
        assert_eq!(text_of(t, d.find("/a/1/b").unwrap()), "\"x\\\"y\"");
        assert_eq!(text_of(t, d.find("/c").unwrap()), "null");
        assert_eq!(d.find("/a").map(|n| n.end), Some(t.find(']').unwrap() + 1));
        assert!(json("{\"a\": 1} x").is_none());
        assert!(json("[1,").is_none());
    }
}
