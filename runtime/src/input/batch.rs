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
