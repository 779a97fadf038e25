//! What the readers hand on: [`Piece`]s (the text of a resource or of a YAML document, or a
//! parsed document) in [`Batch`]es, from the streamed reader ([`super::stream`]) and the
//! Terraform reader ([`super::terraform`]) alike.

use super::locate::Places;
use crate::iac::Format;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// One unit of work: where it starts, and what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// The text `start..end` of the batch is one JSON value: a resource.
    Json {
        /// Start offset in the batch text.
        start: usize,
        /// End offset.
        end: usize,
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        col: usize,
    },
    /// The text `start..end` is one line of JSON Lines: a resource or a list of resources.
    Line {
        /// Start offset in the batch text.
        start: usize,
        /// End offset.
        end: usize,
        /// 1-based line.
        line: usize,
    },
    /// The text `start..end` is one YAML document (with the comments and directives before
    /// it), parsed by the worker that takes it ([`super::stream::yaml_values`]).
    Yaml {
        /// Start offset in the batch text.
        start: usize,
        /// End offset.
        end: usize,
        /// 1-based line where the text starts.
        line: usize,
        /// Documents before it in its file: its properties' pointers start with `/{doc}`.
        doc: usize,
    },
    /// A parsed document: a YAML document (a resource or a list of resources), or a resource
    /// of a template ([`crate::iac`]).
    Value {
        /// The document.
        value: Value,
        /// 1-based line where it starts.
        line: usize,
        /// 1-based column.
        col: usize,
        /// Where its properties are in the file, when known.
        places: Option<Places>,
        /// Whether it is one resource already (from a template adapter), not to be expanded.
        resource: bool,
    },
}

/// Pieces of one input with the text they point into.
#[derive(Debug, Default)]
pub struct Batch {
    /// The input's name.
    pub file: Arc<str>,
    /// The input's name relative to its repository ([`crate::resource::Origin::scope`]).
    pub scope: Arc<str>,
    /// The place in the input of the batch's first piece (pieces before it in earlier batches).
    pub first: usize,
    /// Text the JSON pieces point into.
    pub text: Vec<u8>,
    /// The pieces, in input order.
    pub pieces: Vec<Piece>,
    /// Input bytes this batch accounts for (for progress).
    pub bytes: u64,
    /// What the input holds, when forced; [`Format::Auto`] has YAML documents detected one by
    /// one.
    pub format: Format,
    /// The file read, when it is one (an ARM template in YAML finds its linked templates beside
    /// it).
    pub path: Option<Arc<Path>>,
    /// When the text is a whole JSON inventory of at most [`super::locate::SMALL`] bytes: the
    /// text again, shared by its resources' places (indexed when a finding first needs them).
    pub located: Option<Arc<[u8]>>,
}

impl Batch {
    /// Bytes the batch holds in memory, at least: its text, or the input it accounts for.
    pub fn held(&self) -> usize {
        self.text
            .len()
            .max(usize::try_from(self.bytes).unwrap_or(usize::MAX))
    }
}

/// Bytes of batches handed on and not yet taken up: the reader waits while they pass a bound,
/// so that many small batches can wait together but large ones only a few at a time.
#[derive(Debug, Default)]
pub struct Ahead {
    state: std::sync::Mutex<(usize, bool)>,
    freed: std::sync::Condvar,
}

impl Ahead {
    /// Counts `n` bytes handed on, first waiting while more than `bound` wait already (a
    /// batch larger than the bound is handed on alone). Returns at once once closed.
    pub fn take(&self, n: usize, bound: usize) {
        let Ok(mut s) = self.state.lock() else { return };
        while s.0 > 0 && s.0 + n > bound && !s.1 {
            s = match self.freed.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
        s.0 += n;
    }

    /// Counts `n` bytes taken up.
    pub fn give(&self, n: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.0 = s.0.saturating_sub(n);
        }
        self.freed.notify_one();
    }

    /// Stops every wait: nothing more will be taken up.
    pub fn close(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.1 = true;
        }
        self.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::Ahead;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn the_reader_waits_past_the_bound_and_goes_on_when_bytes_are_taken_up() {
        let ahead = Ahead::default();
        let (tx, rx) = channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                for n in [5, 5, 5, 100] {
                    ahead.take(n, 10);
                    tx.send(n).unwrap();
                }
            });
            assert_eq!(rx.recv().unwrap(), 5);
            assert_eq!(rx.recv().unwrap(), 5);
            // 10 bytes wait: the third batch is held back.
            assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
            ahead.give(5);
            assert_eq!(rx.recv().unwrap(), 5);
            ahead.give(10);
            // Nothing waits: a batch larger than the bound goes on alone.
            assert_eq!(rx.recv().unwrap(), 100);
        });
    }

    #[test]
    fn closing_stops_the_wait() {
        let ahead = Ahead::default();
        ahead.take(10, 10);
        std::thread::scope(|s| {
            let t = s.spawn(|| ahead.take(10, 10));
            std::thread::sleep(Duration::from_millis(50));
            ahead.close();
            t.join().unwrap();
        });
    }
}
