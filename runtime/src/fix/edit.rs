//! Changes to a JSON or YAML node written at the spans they touch: a changed scalar is replaced
//! where it stands (keeping its quoting), an added member or item is inserted after the last one
//! at its siblings' indentation, a removed one takes its lines with it; what cannot be changed in
//! place (a tagged or aliased YAML node, a member that came from a merge key) is rewritten whole
//! at the smallest node that holds it. Everything outside the parts written stays byte for byte.

use super::FixError;
use crate::layout::{dash, Kind, Member, Node, Style};
use serde_json::Value;

/// Where a node stands, which decides how a replacement is laid out.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    /// A document, or a resource whose parent is not known.
    Root,
    /// The value of a block mapping's member whose key starts at this byte.
    Member(usize),
    /// An item of a block sequence.
    Item,
    /// Inside a flow collection, or anywhere in JSON.
    Flow,
}

/// The parts of a text to replace, built from the changes to its nodes.
pub struct Writer<'a> {
    text: &'a str,
    json: bool,
    /// Byte ranges and their new text.
    parts: Vec<(usize, usize, String)>,
}

impl<'a> Writer<'a> {
    pub fn new(text: &'a str, json: bool) -> Writer<'a> {
        Writer {
            text,
            json,
            parts: Vec::new(),
        }
    }

    /// The parts to splice, their line breaks written as the file writes its own (`\r\n` in a
    /// file that uses it; what is rendered here never holds a line break of its own otherwise).
    pub fn finish(self) -> Vec<(usize, usize, String)> {
        let mut parts = self.parts;
        if self.text.contains("\r\n") {
            for p in &mut parts {
                p.2 = p.2.replace('\n', "\r\n");
            }
        }
        parts
    }

    /// Writes the change of node `n`, standing at `place`, from `before` to `after`.
    pub fn change(
        &mut self,
        n: &Node,
        before: &Value,
        after: &Value,
        place: Place,
    ) -> Result<(), FixError> {
        if before == after {
            return Ok(());
        }
        let mark = self.parts.len();
        if !n.opaque && self.in_place(n, before, after) {
            return Ok(());
        }
        self.parts.truncate(mark);
        self.replace(n, after, place)
    }

    /// Changes the members or items of a collection one by one; false when that cannot be done
    /// (the caller then replaces the node whole).
    fn in_place(&mut self, n: &Node, before: &Value, after: &Value) -> bool {
        match (&n.kind, before, after) {
            (Kind::Map { flow, members }, Value::Object(b), Value::Object(a)) => {
                // The text must hold exactly the members read (no merge keys, no collection keys).
                if members.len() != b.len() || members.iter().any(|m| !b.contains_key(&m.key)) {
                    return false;
                }
                let kept = members.iter().filter(|m| a.contains_key(&m.key)).count();
                let added: Vec<(&String, &Value)> =
                    a.iter().filter(|(k, _)| !b.contains_key(*k)).collect();
                if kept == 0 {
                    return false;
                }
                // The first member of `- key: v` is removed up to the second, which must stay.
                let goes = |i: usize| members.get(i).is_some_and(|m| !a.contains_key(&m.key));
                if goes(0) && goes(1) {
                    return false;
                }
                // New members go after the last one, which must stay (its comma is reused).
                let last_goes = members.last().is_some_and(|m| !a.contains_key(&m.key));
                if (*flow || self.json) && last_goes && !added.is_empty() {
                    return false;
                }
                for (i, m) in members.iter().enumerate() {
                    let ok = match a.get(&m.key) {
                        None => self.remove_member(members, i, *flow),
                        Some(v) => {
                            let place = if *flow || self.json {
                                Place::Flow
                            } else {
                                Place::Member(m.key_start)
                            };
                            self.change(&m.value, &b[&m.key], v, place).is_ok()
                        }
                    };
                    if !ok {
                        return false;
                    }
                }
                added
                    .into_iter()
                    .all(|(k, v)| self.add_member(n, members, *flow, k, v))
            }
            (Kind::Seq { flow, items }, Value::Array(b), Value::Array(a)) => {
                if items.len() != b.len() {
                    return false;
                }
                if a.len() == b.len() {
                    let place = if *flow || self.json {
                        Place::Flow
                    } else {
                        Place::Item
                    };
                    return items
                        .iter()
                        .zip(b.iter().zip(a))
                        .all(|(n, (b, a))| self.change(n, b, a, place).is_ok());
                }
                if a.len() > b.len() && a[..b.len()] == b[..] {
                    return self.append(n, items, *flow, &a[b.len()..]);
                }
                // Items removed, the others kept in order.
                let mut gone = Vec::new();
                let mut k = 0;
                for (i, v) in b.iter().enumerate() {
                    if a.get(k) == Some(v) {
                        k += 1;
                    } else {
                        gone.push(i);
                    }
                }
                // In `[…]` the first item is removed up to the second, which must stay.
                let first_two = gone.len() >= 2 && gone[0] == 0 && gone[1] == 1;
                if k != a.len() || a.is_empty() || ((*flow || self.json) && first_two) {
                    return false;
                }
                gone.into_iter().all(|i| self.remove_item(items, i, *flow))
            }
            _ => false,
        }
    }

    /// Replaces node `n` with `v`, laid out for its place.
    fn replace(&mut self, n: &Node, v: &Value, place: Place) -> Result<(), FixError> {
        let text = self.text;
        if self.json || matches!(place, Place::Flow) {
            let s = if self.json && text[n.start..n.end].contains('\n') {
                let ind = indent_of(text, n.start);
                pretty(v, &ind)
            } else if !self.json && !v.is_object() && !v.is_array() {
                match n.kind {
                    Kind::Scalar(Style::DoubleQuoted | Style::SingleQuoted) => scalar(v, n),
                    _ => flow_scalar(v),
                }
            } else {
                compact(v)
            };
            self.parts.push((n.start, n.end, s));
            return Ok(());
        }
        let block = matches!(
            &n.kind,
            Kind::Map { flow: false, .. } | Kind::Seq { flow: false, .. }
        );
        let big = is_block(v);
        // A block scalar's span starts at its text, after the `|` or `>` line, and ends at the
        // start of the next line's content.
        let block_scalar = matches!(n.kind, Kind::Scalar(Style::Block));
        let end = if block_scalar {
            line_start_if_blank(text, n.end)
        } else {
            n.end
        };
        let newline = if block_scalar { "\n" } else { "" };
        // A collection written `{…}` or `[…]` stays so.
        if n.is_flow() && (v.is_object() || v.is_array()) {
            self.parts.push((n.start, n.end, compact(v)));
            return Ok(());
        }
        match place {
            Place::Member(key) if block_scalar || (block && !big) || (big && !block) => {
                let colon = colon_end(text, key)
                    .ok_or_else(|| FixError("a YAML key could not be found in the file".into()))?;
                let s = if big {
                    let ind = column(text, key) + 2;
                    format!("\n{}{}", " ".repeat(ind), block_yaml(v, ind))
                } else {
                    format!(" {}", scalar(v, n))
                };
                self.parts.push((colon, end, format!("{s}{newline}")));
            }
            Place::Item | Place::Root if block_scalar => {
                let d = dash(text, n.start)
                    .ok_or_else(|| FixError("a YAML block scalar could not be replaced".into()))?;
                self.parts
                    .push((d + 1, end, format!(" {}{newline}", scalar(v, n))));
            }
            _ => {
                let s = if big {
                    // A block value must be indented past its key (an indentless sequence is
                    // not, and a mapping in its place would become its parent's member).
                    let col = column(text, n.start);
                    let ind = match place {
                        Place::Member(key) => col.max(column(text, key) + 2),
                        _ => col,
                    };
                    format!("{}{}", " ".repeat(ind - col), block_yaml(v, ind))
                } else {
                    scalar(v, n)
                };
                self.parts.push((n.start, end, format!("{s}{newline}")));
            }
        }
        Ok(())
    }

    fn remove_member(&mut self, members: &[Member], i: usize, flow: bool) -> bool {
        let m = &members[i];
        if flow || self.json {
            // With its comma: the one before it, or (for the first) the one after it.
            let (s, e) = match (i.checked_sub(1), members.get(1)) {
                (Some(p), _) => (members[p].value.end, m.value.end),
                (None, Some(next)) => (m.key_start, next.key_start),
                (None, None) => return false,
            };
            self.parts.push((s, e, String::new()));
            return true;
        }
        self.remove_lines(
            m.key_start,
            m.value.end,
            members.get(i + 1).map(|n| n.key_start),
        )
    }

    fn remove_item(&mut self, items: &[Node], i: usize, flow: bool) -> bool {
        let n = &items[i];
        if flow || self.json {
            let (s, e) = match (i.checked_sub(1), items.get(1)) {
                (Some(p), _) => (items[p].end, n.end),
                (None, Some(next)) => (n.start, next.start),
                (None, None) => return false,
            };
            self.parts.push((s, e, String::new()));
            return true;
        }
        match dash(self.text, n.start) {
            Some(d) => self.remove_lines(d, n.end, None),
            None => false,
        }
    }

    /// Removes the lines from `start` (which must begin its line, after indentation) through the
    /// line where `end` falls; or, when something comes before `start` on its line (the dash of
    /// `- key: v`), the text up to `next`, the start of the following sibling.
    fn remove_lines(&mut self, start: usize, end: usize, next: Option<usize>) -> bool {
        let text = self.text;
        let ls = line_start(text, start);
        if text[ls..start].trim().is_empty() {
            self.parts.push((ls, after_line(text, end), String::new()));
            return true;
        }
        match next {
            Some(next) => {
                self.parts.push((start, next, String::new()));
                true
            }
            None => false,
        }
    }

    fn add_member(&mut self, n: &Node, members: &[Member], flow: bool, k: &str, v: &Value) -> bool {
        let text = self.text;
        if flow || self.json {
            let key = if self.json {
                serde_json::to_string(k).unwrap_or_default()
            } else {
                flow_scalar(&Value::String(k.to_string()))
            };
            // `in_place` leaves a mapping with no member kept to `replace`.
            let Some(last) = members.last() else {
                return false;
            };
            let s = if self.json && line_start(text, last.key_start) != line_start(text, n.start) {
                let ind = indent_of(text, last.key_start);
                format!(",\n{ind}{key}: {}", pretty(v, &ind))
            } else {
                format!(", {key}: {}", self.flow(v))
            };
            self.parts.push((last.value.end, last.value.end, s));
            return true;
        }
        let Some(last) = members.last() else {
            return false;
        };
        let col = column(text, members[0].key_start);
        let value = if is_block(v) {
            format!("\n{}{}", " ".repeat(col + 2), block_yaml(v, col + 2))
        } else {
            format!(" {}", crate::input::yaml::scalar_text(v))
        };
        let key = crate::input::yaml::scalar_text(&Value::String(k.to_string()));
        self.insert_line(last.value.end, format!("{}{key}:{value}", " ".repeat(col)));
        true
    }

    fn append(&mut self, n: &Node, items: &[Node], flow: bool, new: &[Value]) -> bool {
        let text = self.text;
        if flow || self.json {
            let multi = self.json
                && items
                    .last()
                    .is_some_and(|l| line_start(text, l.start) != line_start(text, n.start));
            let mut s = String::new();
            let mut at = n.end - 1;
            if let Some(last) = items.last() {
                at = last.end;
            }
            for (i, v) in new.iter().enumerate() {
                if multi {
                    let ind = indent_of(text, items[items.len() - 1].start);
                    s.push_str(&format!(",\n{ind}{}", pretty(v, &ind)));
                } else {
                    if i > 0 || !items.is_empty() {
                        s.push_str(", ");
                    }
                    s.push_str(&self.flow(v));
                }
            }
            self.parts.push((at, at, s));
            return true;
        }
        let Some(last) = items.last() else {
            return false;
        };
        let Some(d) = dash(text, items[0].start) else {
            return false;
        };
        let col = column(text, d);
        let mut s = String::new();
        for v in new {
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str(&format!("{}- {}", " ".repeat(col), block_yaml(v, col + 2)));
        }
        self.insert_line(last.end, s);
        true
    }

    /// A value in a flow collection: JSON in JSON, and in YAML for anything but a scalar.
    fn flow(&self, v: &Value) -> String {
        if self.json || v.is_object() || v.is_array() {
            compact(v)
        } else {
            flow_scalar(v)
        }
    }

    /// Inserts `line` (without its newline) on a line of its own after the one where `end` falls.
    fn insert_line(&mut self, end: usize, line: String) {
        let text = self.text;
        let at = after_line(text, end);
        let s = if at == text.len() && !text.ends_with('\n') {
            format!("\n{line}")
        } else {
            format!("{line}\n")
        };
        self.parts.push((at, at, s));
    }
}

/// Whether YAML writes `v` as a block (a mapping or sequence with something in it), not on the
/// line of its key.
fn is_block(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

/// A scalar for the place of `n`, quoted as `n` was when it was a quoted string.
fn scalar(v: &Value, n: &Node) -> String {
    match (v, &n.kind) {
        (Value::String(s), Kind::Scalar(Style::DoubleQuoted)) => {
            serde_json::to_string(s).unwrap_or_default()
        }
        (Value::String(s), Kind::Scalar(Style::SingleQuoted)) if !s.contains('\n') => {
            format!("'{}'", s.replace('\'', "''"))
        }
        _ => crate::input::yaml::scalar_text(v),
    }
}

/// `v` as JSON on one line, spaced as people write it: `{"a": 1, "b": [1, 2]}`.
fn compact(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), compact(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(compact).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// A scalar in a YAML flow collection: plain when that is safe there too, else JSON.
fn flow_scalar(v: &Value) -> String {
    let plain = crate::input::yaml::scalar_text(v);
    if v.is_string() && plain.contains([',', '[', ']', '{', '}']) {
        compact(v)
    } else {
        plain
    }
}

/// `v` as block YAML whose first line continues the current one and whose other lines are
/// indented by `col`, without a final newline.
fn block_yaml(v: &Value, col: usize) -> String {
    let s = crate::input::yaml::to_string(v);
    s.trim_end_matches('\n')
        .replace('\n', &format!("\n{}", " ".repeat(col)))
}

/// `v` as pretty JSON whose lines after the first are indented by `ind`.
fn pretty(v: &Value, ind: &str) -> String {
    serde_json::to_string_pretty(v)
        .unwrap_or_default()
        .replace('\n', &format!("\n{ind}"))
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The column (in bytes) of `at` on its line.
fn column(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

/// The spaces that start the line of `at`.
fn indent_of(text: &str, at: usize) -> String {
    let ls = line_start(text, at);
    text[ls..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// `at`'s line start when only spaces come before it on its line (a block scalar's end), else
/// `at`.
fn line_start_if_blank(text: &str, at: usize) -> usize {
    let ls = line_start(text, at);
    if text[ls..at].trim().is_empty() {
        ls
    } else {
        at
    }
}

/// The start of the line after the one where a value ending at `end` ends.
fn after_line(text: &str, end: usize) -> usize {
    let at = line_start_if_blank(text, end);
    if at != end || (end > 0 && text.as_bytes()[end - 1] == b'\n') {
        return at;
    }
    text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
}

/// The byte after the `:` that ends the key starting at `key`.
fn colon_end(text: &str, key: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = key;
    match b.get(i)? {
        b'"' => {
            i += 1;
            while *b.get(i)? != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        }
        b'\'' => {
            i += 1;
            loop {
                if *b.get(i)? == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        }
        _ => {}
    }
    while i < b.len() {
        if b[i] == b':' && b.get(i + 1).is_none_or(|c| c.is_ascii_whitespace()) {
            return Some(i + 1);
        }
        if b[i] == b'\n' {
            return None;
        }
        i += 1;
    }
    None
}
