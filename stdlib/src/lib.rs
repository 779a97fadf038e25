//! The tenet standard library.
//!
//! - [`call`]: the calling convention of the reference implementations (context, faults,
//!   arguments);
//! - [`functions`]: the one table of policy functions (signature, reference implementation, and
//!   the name of the WebAssembly implementation);
//! - [`value`]: the binary value encoding every host and module shares;
//! - [`prelude`]: the WebAssembly implementations, assembled at build time from `prelude.wat`;
//! - [`automata`]: regexes and globs compiled into DFA tables that modules embed;
//! - [`secret`]: values that look like secrets, and the masks outputs show instead;
//! - [`abi`]: the module ABI (exports, input header, output records, metadata);
//! - [`compare`], [`text`], [`net`], [`time`]: the semantics, in Rust.
#![deny(missing_docs)]

pub mod abi;
pub mod automata;
pub mod call;
pub mod compare;
pub mod functions;
pub mod net;
pub mod prelude;
pub mod secret;
pub mod text;
pub mod time;
pub mod value;

pub use call::{Ctx, Fault};
pub use functions::{lookup, Function, Ty, FUNCTIONS};
