//! Reading inventory inputs in bounded batches, so memory does not grow with the inventory.
//!
//! Inputs are files, directories (read recursively, in sorted order) and standard input. Each
//! input is cut into [`Piece`]s, each the text of one resource (or, for JSON Lines and YAML, one
//! document that may hold several), handed on in [`Batch`]es of a few MiB:
//!
//! - a JSON input that fits in one read (`chunk` bytes, 8 MiB by default) is split with full
//!   knowledge of its shape: an array of resources; an object whose `resources`, `value`, `data`
//!   or `items` member is that array (unless the object is itself a resource: it has a `type`, or
//!   an `apiVersion` and a `kind` that is not a `List`); or one resource;
//! - a larger JSON input is split while it is read; its top-level object is a container when no
//!   `type` or resource `kind` member precedes the list;
//! - JSON Lines is cut at line ends, one document per line;
//! - YAML is cut into its documents at their `---` and `...` lines without being parsed, and
//!   each document is parsed by the worker that takes it ([`yaml_values`]): a stream of any
//!   length is read in bounded memory, its documents parsed on every core;
//! - CloudFormation and ARM templates and Terraform plans (detected by their top-level members,
//!   or forced with a [`Format`]) are parsed whole and handed on as the resources their adapter
//!   ([`crate::iac`]) finds, each with the places of its properties ([`super::locate`]);
//! - Terraform source (`.tf`) is read a folder at a time ([`super::terraform`]).
//!
//! Nothing here builds the resources themselves; see [`crate::scan`] and [`crate::eval`].

use super::locate::{self, Places};
use super::split;
use super::{Input, BATCH, CONTAINERS, MAX_DOCUMENT};

/// Parsed documents (YAML documents, template resources) per batch.
const VALUES: usize = 1024;
use crate::error::{err, json_message, relative, InputError};
use crate::iac::{self, Format};
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

pub use super::batch::{Batch, Piece};

/// Reads every input in order, handing each batch to `sink`; reads are `chunk` bytes.
pub fn read(
    inputs: &[Input],
    format: Format,
    given: &crate::iac::Given,
    chunk: usize,
    sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
) -> Result<(), InputError> {
    read_each(inputs, format, given, chunk, sink, &mut Err)
}

/// [`read`], going on past inputs that cannot be read or parsed: each such failure goes to
/// `failed` (which may stop the whole read by returning an error), and the next input is read.
/// Batches of a failed input sent before its failure stand. An error from `sink` stops the read.
pub fn read_each(
    inputs: &[Input],
    format: Format,
    given: &crate::iac::Given,
    chunk: usize,
    sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    failed: &mut dyn FnMut(InputError) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let chunk = chunk.max(16);
    let mut roots = super::Roots::default();
    let mut terraform = super::terraform::Folders::new(inputs, given.clone());
    for input in inputs {
        let name = input.name();
        let ext = match input {
            Input::File(p) => super::terraform::extension(p),
            Input::Bytes { name, .. } => super::terraform::extension(Path::new(name)),
            Input::Stdin => None,
        };
        if super::terraform::is_terraform(ext.as_deref(), format) {
            // Its own failures go to `failed`; an error here stops the read.
            terraform.read(input, &mut roots, sink, failed)?;
            continue;
        }
        let reader: Box<dyn Read + '_> = match input {
            Input::File(p) => match std::fs::File::open(p) {
                Ok(f) => Box::new(f),
                Err(e) => {
                    failed(err(&name, 0, 0, format!("cannot read: {e}")))?;
                    continue;
                }
            },
            Input::Stdin => Box::new(std::io::stdin().lock()),
            Input::Bytes { bytes, .. } => Box::new(bytes.as_slice()),
        };
        let file: Arc<str> = Arc::from(name.as_str());
        let scope: Arc<str> = match input {
            Input::File(p) => Arc::from(roots.scope(p).as_str()),
            _ => file.clone(),
        };
        // Tell the sink's own failures (the consumer stopped) from this input's.
        let mut stopped = false;
        let mut pass = |b: Batch| {
            let r = sink(b);
            stopped |= r.is_err();
            r
        };
        let mut stream = Stream::new(file, scope, reader, chunk, format);
        stream.given = given;
        stream.path = match input {
            Input::File(p) => Some(p.as_path()),
            _ => None,
        };
        match stream.run(ext.as_deref(), &mut pass) {
            Ok(()) => {}
            Err(e) if stopped => return Err(e),
            Err(e) => failed(e)?,
        }
    }
    Ok(())
}

/// Reads one input held in memory (tests, embedders); `ext` selects the syntax.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    ext: Option<&str>,
    format: Format,
    chunk: usize,
    sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
) -> Result<(), InputError> {
    read_bytes_at(name, bytes, ext, None, format, chunk, sink)
}

/// [`read_bytes`] for the text of the file at `path`, so that a template finds the files beside
/// it (an ARM template's parameter file, its linked templates) as when the file is read.
pub fn read_bytes_at(
    name: &str,
    bytes: &[u8],
    ext: Option<&str>,
    path: Option<&Path>,
    format: Format,
    chunk: usize,
    sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
) -> Result<(), InputError> {
    if super::terraform::is_terraform(ext, format) {
        let input = Input::Bytes {
            name: name.to_string(),
            bytes: Arc::new(bytes.to_vec()),
        };
        let mut folders = super::terraform::Folders::default();
        return folders.read(&input, &mut super::Roots::default(), sink, &mut Err);
    }
    let file: Arc<str> = Arc::from(name);
    let mut stream = Stream::new(file.clone(), file, Box::new(bytes), chunk.max(16), format);
    stream.path = path;
    stream.run(ext, sink)
}

/// No values given from outside.
static NOTHING_GIVEN: crate::iac::Given = crate::iac::Given {
    vars: Vec::new(),
    var_files: Vec::new(),
    arm_parameters: Vec::new(),
};

/// Line and column of a position in a stream, advanced incrementally.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    /// Absolute offset this position is at.
    at: u64,
    line: usize,
    /// Characters since the last line break.
    col: usize,
}

fn chars(b: &[u8]) -> usize {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count()
}

impl Cursor {
    fn start() -> Cursor {
        Cursor {
            at: 0,
            line: 1,
            col: 0,
        }
    }

    /// Moves over `seg`, the bytes from `self.at` on.
    fn advance(&mut self, seg: &[u8]) {
        let nl = memchr::memchr_iter(b'\n', seg).count();
        if nl > 0 {
            self.line += nl;
            let last = memchr::memrchr(b'\n', seg).unwrap_or(0);
            self.col = chars(&seg[last + 1..]);
        } else {
            self.col += chars(seg);
        }
        self.at += seg.len() as u64;
    }
}

struct Stream<'r> {
    file: Arc<str>,
    /// The file read, when it is one (an ARM template's parameter file is found beside it).
    path: Option<&'r Path>,
    /// Values given from outside: ARM parameters.
    given: &'r crate::iac::Given,
    r: Box<dyn Read + 'r>,
    chunk: usize,
    /// Unconsumed input; `buf[0]` is at absolute offset `base`.
    buf: Vec<u8>,
    base: u64,
    eof: bool,
    /// Position of `buf[cur.at - base]`.
    cur: Cursor,
    bom_checked: bool,
    format: Format,
    /// See [`Batch::scope`].
    scope: Arc<str>,
    /// Pieces handed over in earlier batches.
    pieces_before: usize,
    /// Whether [`Batch::located`] is given.
    located: bool,
}

impl<'r> Stream<'r> {
    fn new(
        file: Arc<str>,
        scope: Arc<str>,
        r: Box<dyn Read + 'r>,
        chunk: usize,
        format: Format,
    ) -> Stream<'r> {
        Stream {
            path: None,
            given: &NOTHING_GIVEN,
            format,
            scope,
            pieces_before: 0,
            located: false,
            file,
            r,
            chunk,
            buf: Vec::new(),
            base: 0,
            eof: false,
            cur: Cursor::start(),
            bom_checked: false,
        }
    }

    fn error(&self, line: usize, col: usize, message: impl Into<String>) -> InputError {
        err(&self.file, line, col, message)
    }

    /// Reads up to `chunk` more bytes (several reads for pipes); false at end of input.
    fn fill(&mut self) -> Result<bool, InputError> {
        if self.eof {
            return Ok(false);
        }
        let before = self.buf.len();
        // `read_to_end` fills the buffer as bytes arrive, growing it as needed: a chunk-sized
        // buffer zeroed before each read cost more than reading a small file itself.
        match self
            .r
            .by_ref()
            .take(self.chunk as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(n) if n < self.chunk => self.eof = true,
            Ok(_) => {}
            Err(e) => return Err(self.error(0, 0, format!("cannot read: {e}"))),
        }
        if !self.bom_checked && self.buf.len() >= 3 {
            self.bom_checked = true;
            if self.base == 0 && self.buf.starts_with(b"\xef\xbb\xbf") {
                self.buf.drain(..3);
                self.base = 3;
                self.cur.at = 3;
            }
        }
        Ok(self.buf.len() > before)
    }

    /// Position (line, 1-based column) of buffer offset `i`, at or after the cursor.
    fn position(&mut self, i: usize) -> (usize, usize) {
        let from = (self.cur.at - self.base) as usize;
        if i > from {
            let seg = &self.buf[from..i];
            self.cur.advance(seg);
        }
        (self.cur.line, self.cur.col + 1)
    }

    /// Hands the pieces found so far to `sink` with the buffer, keeping `buf[keep..]`.
    fn flush(
        &mut self,
        pieces: &mut Vec<Piece>,
        keep: usize,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        // Keep the cursor's line/column consistent before the buffer moves.
        self.position(keep);
        let tail = self.buf[keep..].to_vec();
        let text = std::mem::replace(&mut self.buf, tail);
        self.base += keep as u64;
        let first = self.pieces_before;
        self.pieces_before += pieces.len();
        let located = self.located.then(|| Arc::from(&text[..]));
        sink(Batch {
            file: self.file.clone(),
            scope: self.scope.clone(),
            first,
            text,
            pieces: std::mem::take(pieces),
            bytes: keep as u64,
            located,
            format: self.format,
            path: self.path.map(Arc::from),
        })
    }

    /// Hands parsed pieces (which need no text) to `sink` in batches of [`VALUES`], the last
    /// with the buffer: results are then written and freed as they come, instead of every
    /// document's results being held until the last one is done.
    fn values(
        &mut self,
        pieces: Vec<Piece>,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut it = pieces.into_iter();
        while it.len() > VALUES {
            let first = self.pieces_before;
            self.pieces_before += VALUES;
            sink(Batch {
                file: self.file.clone(),
                scope: self.scope.clone(),
                first,
                text: Vec::new(),
                pieces: it.by_ref().take(VALUES).collect(),
                bytes: 0,
                ..Batch::default()
            })?;
        }
        let n = self.buf.len();
        self.cur.at = self.base + n as u64;
        self.flush(&mut it.collect(), n, sink)
    }

    fn run(
        mut self,
        ext: Option<&str>,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        self.fill()?;
        // Later reads are batch-sized, so work starts early and memory stays small.
        self.chunk = self.chunk.min(BATCH);
        let first = self
            .buf
            .iter()
            .position(|c| !c.is_ascii_whitespace())
            .and_then(|i| self.buf.get(i).copied());
        let yaml = matches!(ext, Some("yaml" | "yml"))
            || (!matches!(ext, Some("json" | "jsonl" | "ndjson"))
                && !matches!(first, Some(b'{' | b'[')));
        if yaml {
            return self.yaml(sink);
        }
        if self.format.is_template() {
            // A template is one document: read it whole.
            while self.fill()? {
                if self.buf.len() > MAX_DOCUMENT {
                    return Err(self.error(
                        0,
                        0,
                        format!("a template larger than {} MiB", MAX_DOCUMENT >> 20),
                    ));
                }
            }
            return self.whole(sink);
        }
        let lines = matches!(ext, Some("jsonl" | "ndjson")) || self.looks_like_lines();
        if lines {
            return self.lines(sink);
        }
        if self.eof {
            return self.whole(sink);
        }
        self.json(sink)
    }

    /// The format of a whole JSON text: the forced one, or detected from its top-level members.
    fn detect(&self, text: &str) -> Format {
        if self.format != Format::Auto {
            return self.format;
        }
        let start = text.len() - text.trim_start().len();
        match split::object_members(text, start, &[]) {
            Some((members, _)) => {
                iac::detect_keys(members.iter().map(|(k, r, _)| (*k, text.get(r.0..r.1))))
            }
            None => Format::Inventory,
        }
    }

    /// A whole template: parsed, adapted, each resource a piece with its places.
    fn template(
        mut self,
        format: Format,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let text = self.utf8(&self.buf)?;
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| crate::error::json_error(&self.file, 1, 1, &e))?;
        let found = iac::detect(&doc);
        if self.format == Format::Auto && found != format {
            // Looked like a template by its keys, but is not one.
            return self.whole_inventory(sink);
        }
        let arm = match format {
            Format::Arm => self
                .given
                .arm_values(self.path)
                .map_err(|m| self.error(0, 0, m))?,
            _ => serde_json::Map::new(),
        };
        let adapted = iac::adapt(format, &doc, &arm, self.path).map_err(|m| self.error(1, 1, m))?;
        let index = locate::json(text).map(Arc::new);
        let mut pieces = Vec::with_capacity(adapted.len());
        for a in adapted {
            pieces.push(placed(a, index.as_ref(), ""));
        }
        self.values(pieces, sink)
    }

    /// Whether the buffer starts with one JSON value on its own line followed by another.
    fn looks_like_lines(&self) -> bool {
        let b = &self.buf;
        let Some(start) = b.iter().position(|c| !c.is_ascii_whitespace()) else {
            return false;
        };
        let Some(end) = split::value_end_at(b, start) else {
            return false;
        };
        let rest = &b[end..];
        let nl = rest
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t' | b'\r'))
            .count();
        rest.get(nl) == Some(&b'\n')
            && rest[nl..]
                .iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|c| matches!(c, b'{' | b'['))
    }

    fn utf8<'a>(&self, bytes: &'a [u8]) -> Result<&'a str, InputError> {
        std::str::from_utf8(bytes)
            .map_err(|e| crate::error::utf8_error(&self.file, bytes, self.cur.line, e))
    }

    /// The input is all in `buf`: a template, or split knowing its whole shape.
    fn whole(
        self,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let text = self.utf8(&self.buf)?;
        match self.detect(text) {
            f if f.is_template() => self.template(f, sink),
            _ => self.whole_inventory(sink),
        }
    }

    fn whole_inventory(
        mut self,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let text = self.utf8(&self.buf)?;
        let Some(ranges) = element_ranges(text) else {
            return Err(self.syntax_error(0));
        };
        let mut pieces = Vec::with_capacity(ranges.len());
        for (s, e) in ranges {
            let (line, col) = self.position(s);
            pieces.push(Piece::Json {
                start: s,
                end: e,
                line,
                col,
            });
        }
        let n = self.buf.len();
        self.located = n <= locate::SMALL;
        self.flush(&mut pieces, n, sink)
    }

    /// A syntax error somewhere from buffer offset `from`: let serde_json say where.
    fn syntax_error(&mut self, from: usize) -> InputError {
        let (line, col) = self.position(from);
        let slice = &self.buf[from..];
        match serde_json::from_slice::<serde::de::IgnoredAny>(slice) {
            Err(e) => {
                let (l, c) = relative(line, col, e.line(), e.column());
                err(&self.file, l, c, json_message(&e.to_string()))
            }
            Ok(_) => err(
                &self.file,
                line,
                col,
                "expected a resource object or an array of resources",
            ),
        }
    }

    fn lines(
        mut self,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut pieces = Vec::new();
        let mut line = 1usize;
        let mut i = 0usize;
        // Where the search for the end of the current line resumes: each byte is searched once,
        // however long the line.
        let mut searched = 0usize;
        loop {
            match memchr::memchr(b'\n', &self.buf[searched..]) {
                Some(n) => {
                    let end = searched + n;
                    if self.buf[i..end].iter().any(|c| !c.is_ascii_whitespace()) {
                        pieces.push(Piece::Line {
                            start: i,
                            end,
                            line,
                        });
                    }
                    line += 1;
                    i = end + 1;
                    searched = i;
                    if i >= self.chunk {
                        self.cur.at = self.base + i as u64;
                        self.flush(&mut pieces, i, sink)?;
                        i = 0;
                        searched = 0;
                    }
                }
                None if self.eof => {
                    let end = self.buf.len();
                    if self.buf[i..end].iter().any(|c| !c.is_ascii_whitespace()) {
                        pieces.push(Piece::Line {
                            start: i,
                            end,
                            line,
                        });
                    }
                    // Line pieces carry their own numbers; the cursor is not needed.
                    self.cur.at = self.base + end as u64;
                    return self.flush(&mut pieces, end, sink);
                }
                None => {
                    if self.buf.len() - i > MAX_DOCUMENT {
                        return Err(self.error(
                            line,
                            1,
                            format!("a line is longer than {} MiB", MAX_DOCUMENT >> 20),
                        ));
                    }
                    // The lines found so far go to work; the unfinished one stays, and is copied
                    // once at most (a long line is not moved again on each read).
                    if !pieces.is_empty() {
                        self.cur.at = self.base + i as u64;
                        self.flush(&mut pieces, i, sink)?;
                        i = 0;
                    }
                    searched = self.buf.len();
                    self.fill()?;
                }
            }
        }
    }

    /// Makes sure `buf[i]` exists (reading more); false at the end of input.
    fn have(&mut self, i: usize) -> Result<bool, InputError> {
        while i >= self.buf.len() {
            if !self.fill()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn skip_ws(&mut self, mut i: usize) -> Result<usize, InputError> {
        loop {
            if !self.have(i)? {
                return Ok(i);
            }
            if matches!(self.buf[i], b' ' | b'\n' | b'\r' | b'\t') {
                i += 1;
            } else {
                return Ok(i);
            }
        }
    }

    /// End of the complete value starting at `buf[i]`, reading as much as it takes. An
    /// unfinished value is scanned again only once what is buffered of it has doubled, so a
    /// long value costs linear time.
    fn value(&mut self, i: usize) -> Result<usize, InputError> {
        loop {
            match split::value_end_at(&self.buf, i) {
                Some(end) if end < self.buf.len() || self.eof => return Ok(end),
                _ if self.eof => return Err(self.syntax_error(i)),
                _ => {
                    let seen = (self.buf.len() - i).max(1);
                    while !self.eof
                        && self.buf.len() - i < 2 * seen
                        && self.buf.len() - i <= MAX_DOCUMENT
                    {
                        self.fill()?;
                    }
                    if self.buf.len() - i > MAX_DOCUMENT {
                        let (line, col) = self.position(i);
                        return Err(self.error(
                            line,
                            col,
                            format!(
                                "a single resource is larger than {} MiB; split the inventory",
                                MAX_DOCUMENT >> 20
                            ),
                        ));
                    }
                }
            }
        }
    }

    /// A large JSON input, split as it is read.
    fn json(
        mut self,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<(), InputError> {
        let mut pieces = Vec::new();
        let i = self.skip_ws(0)?;
        let end = match self.buf.get(i) {
            Some(b'[') => self.elements(i, &mut pieces, sink)?,
            Some(b'{') => self.members(i, &mut pieces, sink)?,
            _ => return Err(self.syntax_error(i)),
        };
        let j = self.skip_ws(end)?;
        if j < self.buf.len() {
            return Err(self.syntax_error(j));
        }
        let n = self.buf.len();
        self.flush(&mut pieces, n, sink)
    }

    /// Streams the elements of the array at `buf[i]` as pieces; returns one past its `]`.
    fn elements(
        &mut self,
        mut i: usize,
        pieces: &mut Vec<Piece>,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<usize, InputError> {
        i = self.skip_ws(i + 1)?;
        if self.buf.get(i) == Some(&b']') {
            return Ok(i + 1);
        }
        let mut batch_start = i;
        loop {
            let end = self.value(i)?;
            let elem = i;
            let (line, col) = self.position(i);
            pieces.push(Piece::Json {
                start: i,
                end,
                line,
                col,
            });
            i = self.skip_ws(end)?;
            match self.buf.get(i) {
                Some(b',') => i = self.skip_ws(i + 1)?,
                Some(b']') => return Ok(i + 1),
                _ => return Err(self.syntax_error(elem)),
            }
            if i - batch_start >= self.chunk && i > 0 {
                // Hand on what is complete; offsets restart in the kept tail.
                self.flush(pieces, i, sink)?;
                i = 0;
                batch_start = 0;
            }
        }
    }

    /// The members of the top-level object at `buf[i]`: streams its resource list, or makes the
    /// whole object one piece when it is a resource; returns one past its `}`.
    fn members(
        &mut self,
        i: usize,
        pieces: &mut Vec<Piece>,
        sink: &mut dyn FnMut(Batch) -> Result<(), InputError>,
    ) -> Result<usize, InputError> {
        let open = i;
        let mut streamed = false;
        let mut resource = false;
        let (mut has_kind, mut has_api) = (false, false);
        let mut j = self.skip_ws(i + 1)?;
        if self.buf.get(j) == Some(&b'}') {
            return Err(self.syntax_error(open));
        }
        loop {
            let anchor = if streamed { j } else { open };
            if self.buf.get(j) != Some(&b'"') {
                return Err(self.syntax_error(anchor));
            }
            let kend = self.value(j)?;
            let key =
                String::from_utf8_lossy(&self.buf[j + 1..kend.saturating_sub(1)]).into_owned();
            j = self.skip_ws(kend)?;
            if self.buf.get(j) != Some(&b':') {
                return Err(self.syntax_error(anchor));
            }
            j = self.skip_ws(j + 1)?;
            if !streamed
                && !resource
                && CONTAINERS.contains(&key.as_str())
                && self.buf.get(j) == Some(&b'[')
            {
                streamed = true;
                j = self.elements(j, pieces, sink)?;
            } else {
                let vend = self.value(j)?;
                match key.as_str() {
                    "type" => resource = true,
                    "apiVersion" => has_api = true,
                    "kind" => has_kind = !self.buf[j..vend].ends_with(b"List\""),
                    _ => {}
                }
                resource |= has_kind && has_api;
                j = vend;
            }
            j = self.skip_ws(j)?;
            match self.buf.get(j) {
                Some(b',') => j = self.skip_ws(j + 1)?,
                Some(b'}') => break,
                _ => return Err(self.syntax_error(if streamed { j } else { open })),
            }
        }
        if !streamed {
            let (line, col) = self.position(open);
            pieces.push(Piece::Json {
                start: open,
                end: j + 1,
                line,
                col,
            });
        }
        Ok(j + 1)
    }
}

/// The piece of an adapted resource whose object is at `base` + its pointer in the file.
fn placed(a: iac::Adapted, index: Option<&Arc<locate::Index>>, base: &str) -> Piece {
    let pointer = format!("{base}{}", a.pointer);
    let (line, col) = index.and_then(|i| i.get(&pointer)).unwrap_or((1, 1));
    Piece::Value {
        value: a.doc,
        line,
        col,
        places: index.map(|i| Places {
            index: i.clone(),
            base: pointer,
        }),
        resource: true,
    }
}

/// The element ranges of the resource list of a whole JSON document, found without parsing it;
/// `None` when the document is malformed (the parser then reports where).
pub fn element_ranges(text: &str) -> Option<Vec<(usize, usize)>> {
    let start = text.len() - text.trim_start().len();
    match text.as_bytes().get(start)? {
        b'[' => {
            let (els, end) = split::array_with_end(text, start)?;
            split::only_space_after(text, end).then_some(els)
        }
        b'{' => {
            let (members, end) = split::object_members(text, start, CONTAINERS)?;
            if !split::only_space_after(text, end) {
                return None;
            }
            let raw = |r: (usize, usize)| text.get(r.0..r.1).unwrap_or("");
            let get = |k: &str| members.iter().find(|(key, _, _)| *key == k);
            let is_resource = get("type").is_some()
                || (get("kind").is_some()
                    && get("apiVersion").is_some()
                    && !get("kind").is_some_and(|k| raw(k.1).ends_with("List\"")));
            let list = CONTAINERS
                .iter()
                .find_map(|k| get(k).and_then(|m| m.2.clone()));
            match list {
                Some(els) if !is_resource => Some(els),
                _ => Some(vec![(start, end)]),
            }
        }
        _ => None,
    }
}

mod documents;
pub use documents::yaml_values;

#[cfg(test)]
mod tests;
