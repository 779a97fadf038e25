//! YAML streams cut into their documents as they are read, and each document parsed by the
//! worker that takes it.
//!
//! A document starts at a line that begins with `---` and ends before the next such line or
//! with a line that begins with `...` (YAML forbids either at the start of a line inside a
//! document, even in a block scalar), so the cut needs no parse. Comments and directives before a
//! document stay with it. Parsing then runs in parallel, one document at a time, and a document
//! that does not parse is a located error while the file's other documents are still read.

use super::{Batch, Piece, Stream};
use crate::error::{err, utf8_error, InputError};
use crate::iac::{self, Format};
use crate::input::locate::Places;
use crate::input::MAX_YAML;
use std::sync::Arc;

/// What a line of a YAML stream is to the cut.
#[derive(Debug, PartialEq)]
enum Line {
    /// `---`: a document starts here.
    Start,
    /// `...`: the document ends with this line.
    End,
    /// Part of a document.
    Content,
    /// Blank, a comment or a directive: belongs to the document that follows.
    Between,
}

fn classify(l: &[u8]) -> Line {
    let marker = |m: &[u8]| {
        l.starts_with(m) && matches!(l.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
    };
    if marker(b"---") {
        return Line::Start;
    }
    if marker(b"...") {
        return Line::End;
    }
    let text = l.trim_ascii_start();
    match text.first() {
        None | Some(b'#') => Line::Between,
        // A directive is at the start of its line.
        Some(b'%') if text.len() == l.len() => Line::Between,
        _ => Line::Content,
    }
}

impl Stream<'_> {
    /// A YAML stream: its documents' texts handed on in batches of about `chunk` bytes, as
    /// [`Piece::Yaml`]s numbered in file order.
    pub(super) fn yaml(
        mut self,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut pieces = Vec::new();
        // The document being cut: where it starts, its line, and whether it has begun (a
        // `---` or a content line; until then it is comments and directives).
        let (mut seg, mut seg_line, mut begun) = (0usize, 1usize, false);
        // Documents cut so far.
        let mut doc = 0usize;
        // The line to look at next: its offset and number; bytes before `searched` hold no
        // line end past it.
        let (mut i, mut line, mut searched) = (0usize, 1usize, 0usize);
        loop {
            let end = match memchr::memchr(b'\n', &self.buf[searched..]) {
                Some(n) => searched + n,
                None if self.eof => self.buf.len(),
                None => {
                    if self.buf.len() - seg > MAX_YAML {
                        return Err(self.error(
                            seg_line,
                            1,
                            format!(
                                "a YAML document larger than {} MiB; split it or convert it to \
                                 JSON Lines",
                                MAX_YAML >> 20
                            ),
                        ));
                    }
                    searched = self.buf.len();
                    self.fill()?;
                    continue;
                }
            };
            let next = (end + 1).min(self.buf.len());
            match classify(&self.buf[i..end]) {
                Line::Start => {
                    if begun {
                        pieces.push(Piece::Yaml {
                            start: seg,
                            end: i,
                            line: seg_line,
                            doc,
                        });
                        doc += 1;
                        (seg, seg_line) = (i, line);
                    }
                    begun = true;
                }
                Line::End if begun => {
                    pieces.push(Piece::Yaml {
                        start: seg,
                        end: next,
                        line: seg_line,
                        doc,
                    });
                    doc += 1;
                    (seg, seg_line, begun) = (next, line + 1, false);
                }
                Line::Content => begun = true,
                Line::End | Line::Between => {}
            }
            if end == self.buf.len() {
                break;
            }
            (i, line, searched) = (next, line + 1, next);
            // The documents cut so far go to work; the unfinished one stays.
            if seg >= self.chunk && !pieces.is_empty() {
                self.cur.at = self.base + seg as u64;
                self.flush(&mut pieces, seg, sink)?;
                (i, searched, seg) = (i - seg, searched - seg, 0);
            }
        }
        if begun {
            pieces.push(Piece::Yaml {
                start: seg,
                end: self.buf.len(),
                line: seg_line,
                doc,
            });
        }
        let n = self.buf.len();
        self.cur.at = self.base + n as u64;
        self.flush(&mut pieces, n, sink)
    }
}

/// The documents of a [`Piece::Yaml`], parsed: each a [`Piece::Value`] with the places of its
/// nodes, or, for a template (CloudFormation or ARM in YAML), one per resource its adapter finds.
pub fn yaml_values(
    b: &Batch,
    start: usize,
    end: usize,
    line: usize,
    doc: usize,
) -> Result<Vec<Piece>, InputError> {
    let bytes = &b.text[start..end];
    let text = std::str::from_utf8(bytes).map_err(|e| utf8_error(&b.file, bytes, line, e))?;
    let read = crate::input::yaml::read_part(&b.file, text, line, doc)?;
    let index = Arc::new(read.index);
    let mut out = Vec::with_capacity(read.docs.len());
    for (k, (value, line)) in read.docs.into_iter().enumerate() {
        let base = format!("/{}", doc + k);
        let format = match b.format {
            Format::Auto => iac::detect(&value),
            f => f,
        };
        if format.is_template() {
            let none = serde_json::Map::new();
            let adapted = iac::adapt(format, &value, &none, b.path.as_deref())
                .map_err(|m| err(&b.file, line, 1, m))?;
            out.extend(
                adapted
                    .into_iter()
                    .map(|a| super::placed(a, Some(&index), &base)),
            );
            continue;
        }
        out.push(Piece::Value {
            value,
            line,
            col: 1,
            places: Some(Places {
                index: index.clone(),
                base,
            }),
            resource: false,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_told_apart_without_parsing() {
        for (l, want) in [
            ("---", Line::Start),
            ("--- !!map", Line::Start),
            ("---\r", Line::Start),
            ("----", Line::Content),
            ("...", Line::End),
            ("... # end", Line::End),
            ("....", Line::Content),
            ("# c", Line::Between),
            ("   ", Line::Between),
            ("  # c", Line::Between),
            ("%YAML 1.2", Line::Between),
            ("  %x", Line::Content),
            ("- a", Line::Content),
            ("a: 1", Line::Content),
        ] {
            assert_eq!(classify(l.as_bytes()), want, "{l:?}");
        }
    }
}
