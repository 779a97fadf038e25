//! Evaluating a standard over an inventory.
//!
//! [`run`] is the streaming pipeline of `tenet check`: a reader thread cuts the inputs into
//! batches ([`crate::input::stream`]); each batch is worked on in parallel (rayon), where every resource
//! is scanned straight into the fields the standard reads ([`crate::scan`]), identified,
//! evaluated in a per-thread instance and finished by the caller's hook (triage, rendering) in
//! the same worker; the caller then receives the results in input order. Memory holds a few batches, whatever the size of the inventory.
//!
//! Standards with cross-resource lookups (`resources("Type")`) need every matching resource
//! before the first evaluation: [`run`] reads the inputs twice, first keeping only the matching
//! resources projected to what the lookups read (the index), then evaluating. Standard input is
//! read into memory in that case.
//!
//! [`evaluate`] is the in-memory form over already loaded [`Resource`]s (tests, embedders).

use crate::engine::{Instance, Standard};
use crate::error::{json_message, utf8_error, InputError, RuntimeError};
pub use crate::evaluated::Evaluated;
use crate::input::locate::{Index, Places};
use crate::input::stream::{self, element_ranges, Batch, Piece};
use crate::input::Input;
use crate::inventory;
use crate::resource::{identify, Encoded, Identity, Origin, Resource, Skipped, NOT_OBJECT};
use crate::scan::{self, Plan};
use rayon::prelude::*;
use std::sync::{Arc, Mutex};
use tenet_stdlib::abi::{self, Metadata, Outcome, Reason, RecResult};
use tenet_stdlib::value;

/// Resources per parallel work item.
const CHUNK: usize = 64;

/// Batches read ahead and worked on together: at most this many, with at most
/// [`AHEAD_BYTES`] waiting (two large batches, or many small ones) and [`GROUP_PIECES`] pieces.
const GROUP_BATCHES: usize = 16;
const AHEAD_BYTES: usize = 2 * crate::input::BATCH;
const GROUP_PIECES: usize = 4 * CHUNK;

/// Size of the last rendered work item, to size the next one's buffer.
static RENDER_HINT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Tests a resource type against one selector.
type Matcher = Box<dyn Fn(&str) -> bool + Send + Sync>;

fn type_matcher(types: &[String]) -> Vec<Matcher> {
    types
        .iter()
        .map(|t| -> Matcher {
            match globset::GlobBuilder::new(t)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
            {
                Ok(g) if t.contains(['*', '?', '[', '{']) => {
                    let m = g.compile_matcher();
                    Box::new(move |k: &str| m.is_match(k))
                }
                _ => {
                    let t = t.clone();
                    Box::new(move |k: &str| k.eq_ignore_ascii_case(&t))
                }
            }
        })
        .collect()
}

/// The inventory index a standard's cross-resource lookups need (empty when it has none).
pub fn build_index(meta: &Metadata, resources: &[Resource]) -> Vec<u8> {
    if meta.lookups.is_empty() {
        return Vec::new();
    }
    let lookups = meta
        .lookups
        .iter()
        .map(|l| {
            let matchers = type_matcher(&l.types);
            resources
                .iter()
                .filter(|r| matchers.iter().any(|m| m(&r.identity.kind)))
                .map(|r| (Vec::new(), value::to_bytes(&l.projection.apply(&r.doc))))
                .collect()
        })
        .collect();
    abi::encode_index(lookups)
}

/// The evaluation input of one resource. Documents read with the standard's projection
/// ([`crate::inventory::projection_for`]) are encoded as they are; complete ones are projected first.
pub fn encode(meta: &Metadata, r: &Resource, now: f64, projected: bool, out: &mut Vec<u8>) {
    out.clear();
    let doc = if projected {
        value::to_bytes(&r.doc)
    } else {
        value::to_bytes(&meta.projection.apply(&r.doc))
    };
    abi::encode_input(now, &r.identity.provider, &r.identity.kind, &doc, out);
}

/// Instances shared by the workers: one is taken per work item and given back after.
struct Pool<'s> {
    standard: &'s Standard,
    index: &'s [u8],
    free: Mutex<Vec<Instance>>,
}

impl Pool<'_> {
    fn take(&self) -> Result<Instance, RuntimeError> {
        let got = self.free.lock().ok().and_then(|mut f| f.pop());
        match got {
            Some(i) => Ok(i),
            None => self.standard.instantiate(self.index),
        }
    }

    fn give(&self, i: Instance) {
        if let Ok(mut f) = self.free.lock() {
            f.push(i);
        }
    }
}

/// Evaluates every resource held in memory; `progress` is told how many resources each finished
/// chunk held. Strict: the first resource that cannot be evaluated fails the whole call (tests
/// use it; [`evaluate_all`] reports such a resource as an error result instead).
///
/// `projected` says the documents were read with the standard's projection.
pub fn evaluate(
    standard: &Standard,
    resources: &[Resource],
    now: f64,
    projected: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<RecResult>>, RuntimeError> {
    evaluate_each(standard, resources, now, projected, progress)?
        .into_iter()
        .collect()
}

/// Evaluates every resource held in memory, each to its results or to the error that stopped
/// it: a limit hit or a trap on one resource is that resource's error (its instance is dropped
/// and the others go on), as in a streamed run. A module that fails on each of the first
/// resources, evaluating none, is broken: that fails the whole call.
fn evaluate_each(
    standard: &Standard,
    resources: &[Resource],
    now: f64,
    projected: bool,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Result<Vec<RecResult>, RuntimeError>>, RuntimeError> {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let index = build_index(&standard.metadata, resources);
    let pool = Pool {
        standard,
        index: &index,
        free: Mutex::new(Vec::new()),
    };
    let (failures, evaluated) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let chunks: Vec<Result<Vec<_>, RuntimeError>> = resources
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut inst: Option<Instance> = None;
            let mut buf = Vec::new();
            let mut out = Vec::with_capacity(chunk.len());
            // Counted locally and published once per chunk: no shared write per resource.
            let mut evaluated_here = 0usize;
            for r in chunk {
                encode(&standard.metadata, r, now, projected, &mut buf);
                let i = match inst.as_mut() {
                    Some(i) => i,
                    None => inst.insert(pool.take()?),
                };
                match i.evaluate(&buf) {
                    Ok(res) => {
                        evaluated_here += 1;
                        out.push(Ok(res));
                    }
                    Err(e) if e.is_per_resource() => {
                        inst = None;
                        let n = failures.fetch_add(1, Relaxed) + 1;
                        if n >= GIVE_UP && evaluated_here == 0 && evaluated.load(Relaxed) == 0 {
                            return Err(e);
                        }
                        out.push(Err(e));
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(i) = inst {
                pool.give(i);
            }
            if evaluated_here > 0 {
                evaluated.fetch_add(evaluated_here, Relaxed);
            }
            progress(chunk.len());
            Ok(out)
        })
        .collect();
    let mut all = Vec::with_capacity(resources.len());
    for c in chunks {
        all.extend(c?);
    }
    Ok(all)
}

/// Evaluates resources held in memory into one [`Evaluated`] each, in order. A resource that
/// could not be evaluated (a limit or a trap) is an error located at the resource, worded as a
/// streamed run words it; a broken module fails the whole call.
pub fn evaluate_all(
    standard: &Standard,
    resources: &[Resource],
    now: f64,
    projected: bool,
) -> Result<Vec<Result<Evaluated, InputError>>, RuntimeError> {
    let recs = standard.metadata.recommendations.len();
    let results = evaluate_each(standard, resources, now, projected, &|_| {})?;
    Ok(resources
        .iter()
        .zip(results)
        .map(|(r, res)| match res {
            Ok(res) => {
                let outcomes = res.iter().map(|x| x.outcome).collect();
                let reasons = res
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, x)| x.reason.map(|reason| (i, reason)))
                    .collect();
                let mut e = Evaluated::new(r.head(), recs, outcomes, reasons);
                e.find_secrets(&r.doc, standard.secret_holders.as_deref());
                Ok(e)
            }
            Err(e) => Err(not_evaluated(&r.identity, &r.origin, &e)),
        })
        .collect())
}

/// The error result of a resource that was not evaluated.
fn not_evaluated(id: &Identity, at: &Origin, e: &RuntimeError) -> InputError {
    InputError {
        file: at.file.to_string(),
        line: at.line,
        col: at.col,
        message: format!("{} was not evaluated: {e}", id.id),
    }
}

/// What the pipeline hands back for each document, in input order: `T` is what the caller's
/// [`Run::finish`] made of an evaluated resource.
#[derive(Clone, Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every item is a resource: boxing it would cost an allocation per resource"
)]
pub enum Item<T> {
    /// An evaluated resource, finished.
    Resource(T),
    /// A resource left out by the caller's filter.
    Filtered,
    /// A document that is not a resource.
    Skipped(Skipped),
    /// An input (or a part of one) that could not be read or parsed, located; the rest of the
    /// inputs are still evaluated.
    Failed(InputError),
}

/// Options of [`run`].
pub struct Run<'a, T> {
    /// Evaluation time, seconds since the epoch.
    pub now: f64,
    /// Size of one read (see [`crate::input::CHUNK`]).
    pub chunk: usize,
    /// What the inputs hold ([`crate::iac::Format::Auto`]: detect from each input's content).
    pub format: crate::iac::Format,
    /// Values for the variables of Terraform root modules.
    pub given: &'a crate::iac::Given,
    /// Which resources to evaluate (the others become [`Item::Filtered`]).
    pub keep: &'a (dyn Fn(&Identity) -> bool + Sync),
    /// Finishes an evaluated resource in the worker that evaluated it (triage, rendering): what
    /// it returns reaches `accept` as an [`Item::Resource`], with the bytes it appended to the
    /// work item's buffer.
    pub finish: &'a (dyn Fn(Evaluated, &mut Vec<u8>) -> T + Sync),
    /// Told how many input bytes each finished batch accounted for.
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// A resource ready to evaluate: its document encoded and projected.
type Prepared = Resource<Vec<u8>>;

/// What reading a batch's pieces gives, in input order.
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every one is a resource: boxing it would cost an allocation per resource"
)]
enum Ready {
    Resource(Prepared),
    Skipped(Skipped),
    Failed(InputError),
}

/// Turns one piece (the `index`-th of the batch) into its resources, encoded with `plan`
/// (skipped documents as such).
fn prepare(
    b: &Batch,
    index: usize,
    p: &Piece,
    plan: &Plan,
    proj: &tenet_stdlib::abi::Projection,
    out: &mut Vec<Result<Prepared, Skipped>>,
) -> Result<(), InputError> {
    let doc = b.first + index;
    let placed = |start: usize, end: usize, line: usize, col: usize| {
        b.located.as_ref().map(|text| Places {
            index: Arc::new(Index::lazy(text.clone(), (start, end), line, col)),
            base: String::new(),
        })
    };
    let origin = |line: usize, col: usize, item: usize| Origin {
        file: b.file.clone(),
        scope: b.scope.clone(),
        doc,
        item,
        line,
        col,
        places: None,
    };
    let skipped = |line: usize, reason: &str| Skipped {
        file: b.file.to_string(),
        line,
        reason: reason.into(),
    };
    let from = |d: &serde_json::Value,
                line: usize,
                col: usize,
                item: usize,
                places: Option<Places>|
     -> Result<Prepared, Skipped> {
        let v = proj.apply(d);
        match identify(&v) {
            Ok(identity) => Ok(Prepared {
                identity,
                origin: Origin {
                    places,
                    ..origin(line, col, item)
                },
                doc: value::to_bytes(&v),
            }),
            Err(reason) => Err(skipped(line, reason)),
        }
    };
    let scan_one = |bytes: &[u8],
                    line: usize,
                    col: usize,
                    item: usize|
     -> Result<Result<Prepared, Skipped>, InputError> {
        let mut doc = Vec::with_capacity(bytes.len() / 4);
        scan::encode(bytes, plan, &mut doc).map_err(|e| scan_error(b, bytes, line, col, e))?;
        Ok(match identify(Encoded(&doc)) {
            Ok(identity) => Ok(Prepared {
                identity,
                origin: origin(line, col, item),
                doc,
            }),
            Err(reason) => Err(skipped(line, reason)),
        })
    };
    match p {
        Piece::Json {
            start,
            end,
            line,
            col,
        } => {
            let bytes = &b.text[*start..*end];
            std::str::from_utf8(bytes).map_err(|e| utf8_error(&b.file, bytes, *line, e))?;
            let mut one = scan_one(bytes, *line, *col, 0)?;
            if let Ok(p) = &mut one {
                p.origin.places = placed(*start, *end, *line, *col);
            }
            out.push(one);
        }
        Piece::Line { start, end, line } => {
            let bytes = &b.text[*start..*end];
            let text =
                std::str::from_utf8(bytes).map_err(|e| utf8_error(&b.file, bytes, *line, e))?;
            match element_ranges(text) {
                Some(ranges) => {
                    for (item, (s, e)) in ranges.into_iter().enumerate() {
                        let col = text[..s].chars().count() + 1;
                        out.push(scan_one(&bytes[s..e], *line, col, item)?);
                    }
                }
                None => {
                    scan::validate(bytes).map_err(|e| scan_error(b, bytes, *line, 1, e))?;
                    if text.trim() != "null" {
                        out.push(Err(skipped(*line, NOT_OBJECT)));
                    }
                }
            }
        }
        Piece::Yaml {
            start,
            end,
            line,
            doc,
        } => {
            // Parsed here, in the worker; a template's resources follow one another as items.
            let mut item = 0;
            for p in stream::yaml_values(b, *start, *end, *line, *doc)? {
                values(b, &p, &mut item, &mut |d, l, c, i, places| {
                    out.push(from(d, l, c, i, places));
                })?;
            }
        }
        Piece::Value { .. } => values(b, p, &mut 0, &mut |d, l, c, i, places| {
            out.push(from(d, l, c, i, places));
        })?,
    }
    Ok(())
}

/// What [`values`] hands on per resource: its document, line, column, place in its document (a
/// list's item) and places.
type Each<'a> = dyn FnMut(&serde_json::Value, usize, usize, usize, Option<Places>) + 'a;

/// The resources of a [`Piece::Value`], numbered from `item`. A template's resource, or a
/// document that is one resource, is read where it is; only a list is split into copies of its
/// items.
fn values(b: &Batch, p: &Piece, item: &mut usize, each: &mut Each<'_>) -> Result<(), InputError> {
    let Piece::Value {
        value,
        line,
        col,
        places,
        resource,
    } = p
    else {
        return Ok(());
    };
    if *resource || inventory::is_single(value) {
        each(value, *line, *col, *item, places.clone());
        *item += 1;
    } else {
        for d in inventory::piece_values(b, p)? {
            each(&d.value, d.line, d.col, *item, d.places);
            *item += 1;
        }
    }
    Ok(())
}

/// An input error for a scan error in `bytes`, which start at (line, col).
fn scan_error(b: &Batch, bytes: &[u8], line: usize, col: usize, e: scan::ScanError) -> InputError {
    let before = &bytes[..e.offset.min(bytes.len())];
    let nl = memchr::memchr_iter(b'\n', before).count();
    let (l, c) = match memchr::memrchr(b'\n', before) {
        Some(k) => (
            line + nl,
            String::from_utf8_lossy(&before[k + 1..]).chars().count() + 1,
        ),
        None => (line, col + String::from_utf8_lossy(before).chars().count()),
    };
    let msg = json_message(&e.message);
    InputError {
        file: b.file.to_string(),
        line: l,
        col: c,
        message: msg,
    }
}

/// One outcome per recommendation, and the reasons of the failing ones by index.
type Decoded = (Vec<Outcome>, Vec<(usize, Reason)>);

/// The items of one work item and the bytes rendered for them.
type Worked<T> = (Vec<Item<T>>, Vec<u8>);

/// Decodes an output buffer into outcomes and the reasons of failing ones.
fn decode(bytes: &[u8], expected: usize) -> Result<Decoded, RuntimeError> {
    abi::decode_sparse(bytes, expected)
        .map_err(|e| RuntimeError::Trap(format!("malformed output: {e}")))
}

/// Streams `inputs` through the standard: see the module documentation. `accept` receives each
/// work item's results in input order, with the bytes `render` wrote for them.
pub fn run<T: Send>(
    standard: &Standard,
    inputs: &[Input],
    opts: &Run<'_, T>,
    accept: &mut dyn FnMut(Vec<Item<T>>, Vec<u8>) -> Result<(), RuntimeError>,
) -> Result<(), RuntimeError> {
    let meta = &standard.metadata;
    let proj = inventory::projection_for(meta);
    let plan = Plan::new(&proj);
    // Lookups need every matching resource first, so the inputs are read twice: what can be read
    // only once (standard input, pipes, process substitution) is read into memory first.
    let mut owned;
    let mut inputs = inputs;
    let index = if meta.lookups.is_empty() {
        Vec::new()
    } else {
        if inputs.iter().any(read_once) {
            owned = Vec::with_capacity(inputs.len());
            for i in inputs {
                owned.push(if read_once(i) {
                    buffered(i)?
                } else {
                    i.clone()
                });
            }
            inputs = &owned;
        }
        index(
            meta,
            inputs,
            opts.format,
            opts.given,
            opts.chunk,
            &plan,
            &proj,
        )?
    };
    let pool = Pool {
        standard,
        index: &index,
        free: Mutex::new(Vec::new()),
    };
    let expected = meta.outputs();
    let recs = meta.recommendations.len();
    let evaluated = std::sync::atomic::AtomicUsize::new(0);
    let limit_failures = std::sync::atomic::AtomicUsize::new(0);
    use std::sync::atomic::Ordering::Relaxed;
    let work = |b: &Batch| -> Result<Vec<Worked<T>>, RuntimeError> {
        // Pieces are read in parallel first, then their resources evaluated in parallel: a
        // piece may hold many resources (a YAML template), which then still share the cores.
        let ready: Vec<Ready> = b
            .pieces
            .par_chunks(CHUNK)
            .enumerate()
            .flat_map_iter(|(chunk, pieces)| {
                let mut ready = Vec::with_capacity(pieces.len());
                let mut prepared = Vec::new();
                for (k, p) in pieces.iter().enumerate() {
                    // A piece that does not scan is an error result; the others go on.
                    let failed = prepare(b, chunk * CHUNK + k, p, &plan, &proj, &mut prepared);
                    ready.extend(prepared.drain(..).map(|r| match r {
                        Ok(p) => Ready::Resource(p),
                        Err(s) => Ready::Skipped(s),
                    }));
                    if let Err(e) = failed {
                        ready.push(Ready::Failed(e));
                    }
                }
                ready
            })
            .collect();
        let per: Vec<Result<Worked<T>, RuntimeError>> = ready
            .into_par_iter()
            .chunks(CHUNK)
            .map(|prepared| {
                let mut items = Vec::with_capacity(prepared.len());
                let mut inst: Option<Instance> = None;
                let mut input = Vec::new();
                // Counted locally and published once per chunk: no shared write per resource.
                let mut evaluated_here = 0usize;
                let mut rendered =
                    Vec::with_capacity(RENDER_HINT.load(std::sync::atomic::Ordering::Relaxed));
                for p in prepared {
                    let p = match p {
                        Ready::Resource(p) => p,
                        Ready::Skipped(s) => {
                            items.push(Item::Skipped(s));
                            continue;
                        }
                        Ready::Failed(e) => {
                            items.push(Item::Failed(e));
                            continue;
                        }
                    };
                    if !(opts.keep)(&p.identity) {
                        items.push(Item::Filtered);
                        continue;
                    }
                    let i = match inst.as_mut() {
                        Some(i) => i,
                        None => inst.insert(pool.take()?),
                    };
                    input.clear();
                    abi::encode_input(
                        opts.now,
                        &p.identity.provider,
                        &p.identity.kind,
                        &p.doc,
                        &mut input,
                    );
                    let out = match i.evaluate_raw_ref(&input, |bytes| decode(bytes, expected)) {
                        Ok(out) => {
                            evaluated_here += 1;
                            out?
                        }
                        // A limit hit or a trap on one resource is an error result for it; the
                        // instance is dropped (its state is unknown) and the scan goes on. A
                        // module that fails on every one of the first resources is broken:
                        // that stops the run.
                        Err(e) if e.is_per_resource() => {
                            inst = None;
                            let failures = limit_failures.fetch_add(1, Relaxed) + 1;
                            if failures >= GIVE_UP
                                && evaluated_here == 0
                                && evaluated.load(Relaxed) == 0
                            {
                                return Err(e);
                            }
                            items.push(Item::Failed(not_evaluated(&p.identity, &p.origin, &e)));
                            continue;
                        }
                        Err(e) => return Err(e),
                    };
                    let head = Resource {
                        identity: p.identity,
                        origin: p.origin,
                        doc: (),
                    };
                    let mut e = Evaluated::new(head, recs, out.0, out.1);
                    e.find_secrets_encoded(&p.doc, standard.secret_holders.as_deref());
                    items.push(Item::Resource((opts.finish)(e, &mut rendered)));
                }
                if let Some(i) = inst {
                    pool.give(i);
                }
                if evaluated_here > 0 {
                    evaluated.fetch_add(evaluated_here, Relaxed);
                }
                RENDER_HINT.store(
                    rendered.len().next_power_of_two(),
                    std::sync::atomic::Ordering::Relaxed,
                );
                Ok((items, rendered))
            })
            .collect();
        per.into_iter().collect()
    };
    let ahead = crate::input::batch::Ahead::default();
    std::thread::scope(|s| -> Result<(), RuntimeError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, InputError>>(GROUP_BATCHES);
        let ahead = &ahead;
        let reader = s.spawn(move || {
            // A closed channel means the consumer stopped on an error: stop reading.
            let closed = |_| InputError {
                file: String::new(),
                line: 0,
                col: 0,
                message: String::new(),
            };
            let failures = tx.clone();
            stream::read_each(
                inputs,
                opts.format,
                opts.given,
                opts.chunk,
                &mut |b| {
                    ahead.take(b.held(), AHEAD_BYTES);
                    tx.send(Ok(b)).map_err(closed)
                },
                &mut |e| failures.send(Err(e)).map_err(closed),
            )
        });
        let mut failed = None;
        // Batches waiting in the channel are worked on together, so that many small inputs
        // (a folder of manifests, one batch each) share the cores as one large one does.
        while let Ok(first) = rx.recv() {
            ahead.give(first.as_ref().map_or(0, Batch::held));
            let mut pieces = first.as_ref().map_or(0, |b| b.pieces.len());
            let mut group = vec![first];
            while pieces < GROUP_PIECES && group.len() < GROUP_BATCHES {
                match rx.try_recv() {
                    Ok(b) => {
                        pieces += b.as_ref().map_or(0, |b| b.pieces.len());
                        ahead.give(b.as_ref().map_or(0, Batch::held));
                        group.push(b);
                    }
                    Err(_) => break,
                }
            }
            let worked: Vec<Option<Result<Vec<Worked<T>>, RuntimeError>>> = group
                .par_iter()
                .map(|b| b.as_ref().ok().map(&work))
                .collect();
            for (b, w) in group.into_iter().zip(worked) {
                let (b, w) = match (b, w) {
                    (Ok(b), Some(w)) => (b, w),
                    (Err(e), _) => {
                        if let Err(x) = accept(vec![Item::Failed(e)], Vec::new()) {
                            failed = Some(x);
                            break;
                        }
                        continue;
                    }
                    (Ok(_), None) => continue,
                };
                match w {
                    Ok(parts) => {
                        for (items, bytes) in parts {
                            if let Err(e) = accept(items, bytes) {
                                failed = Some(e);
                                break;
                            }
                        }
                    }
                    Err(e) => failed = Some(e),
                }
                (opts.progress)(b.bytes);
                if failed.is_some() {
                    break;
                }
            }
            if failed.is_some() {
                break;
            }
        }
        drop(rx);
        ahead.close();
        let read = reader
            .join()
            .map_err(|_| RuntimeError::Engine("the reader thread failed".into()))?;
        if let Some(e) = failed {
            return Err(e);
        }
        read.map_err(RuntimeError::Input)
    })
}

/// Largest input read into memory because it cannot be read twice: the same bound as for a
/// YAML document, the other input held whole.
const MAX_BUFFERED: u64 = crate::input::MAX_YAML as u64;

/// Whether an input can be read only once: standard input, or a path that is not a regular file
/// (a pipe, a process substitution such as `<(cat x.yaml)`, a device).
fn read_once(i: &Input) -> bool {
    match i {
        Input::Stdin => true,
        Input::File(p) => std::fs::metadata(p).is_ok_and(|m| !m.is_file()),
        Input::Bytes { .. } => false,
    }
}

/// An input that can be read only once, read into memory (at most [`MAX_BUFFERED`] bytes). The
/// limit applies as bytes arrive, and a NUL byte, which no JSON or YAML text holds, stops the
/// read at once (so `/dev/zero` is refused in its first block, not after the limit).
fn buffered(i: &Input) -> Result<Input, InputError> {
    use std::io::Read as _;
    let name = i.name();
    let fail = |message: String| InputError {
        file: name.clone(),
        line: 0,
        col: 0,
        message,
    };
    let mut reader: Box<dyn std::io::Read> = match i {
        Input::File(p) => {
            Box::new(std::fs::File::open(p).map_err(|e| fail(format!("cannot read: {e}")))?)
        }
        _ => Box::new(std::io::stdin()),
    };
    let mut bytes = Vec::new();
    let mut block = vec![0u8; 1 << 20];
    loop {
        let n = match reader.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(fail(format!("cannot read: {e}"))),
        };
        if let Some(k) = memchr::memchr(0, &block[..n]) {
            return Err(fail(format!(
                "byte {} is NUL: this is binary data, not JSON or YAML",
                bytes.len() + k + 1
            )));
        }
        if (bytes.len() + n) as u64 > MAX_BUFFERED {
            return Err(fail(format!(
                "this standard has cross-resource lookups, so its inputs are read twice; an input \
                 that can be read only once (a pipe) is held in memory, up to {} MiB: save it to a \
                 file instead",
                MAX_BUFFERED >> 20
            )));
        }
        bytes.extend_from_slice(&block[..n]);
    }
    Ok(Input::Bytes {
        name,
        bytes: Arc::new(bytes),
    })
}

/// Resources whose evaluation fails, with none evaluated yet, after which the module is taken
/// to be broken and the run stops.
const GIVE_UP: usize = 8;

/// Index entries found in one piece: (lookup number, encoded document).
type IndexEntries = Vec<(usize, Vec<u8>)>;

/// Reads the inputs once to build the lookup index.
fn index(
    meta: &Metadata,
    inputs: &[Input],
    format: crate::iac::Format,
    given: &crate::iac::Given,
    chunk: usize,
    plan: &Plan,
    proj: &tenet_stdlib::abi::Projection,
) -> Result<Vec<u8>, RuntimeError> {
    let matchers: Vec<Vec<Matcher>> = meta
        .lookups
        .iter()
        .map(|l| type_matcher(&l.types))
        .collect();
    let mut entries: Vec<Vec<(Vec<u8>, Vec<u8>)>> = vec![Vec::new(); meta.lookups.len()];
    // Inputs that fail are reported by the evaluation pass; the index is built from the others.
    let mut skip = |_| Ok(());
    stream::read_each(
        inputs,
        format,
        given,
        chunk,
        &mut |b| {
            let found: Vec<Result<IndexEntries, InputError>> = b
                .pieces
                .par_iter()
                .enumerate()
                .map(|(k, p)| {
                    let mut prepared = Vec::new();
                    prepare(&b, k, p, plan, proj, &mut prepared)?;
                    let mut out = Vec::new();
                    for r in prepared.into_iter().flatten() {
                        for (k, m) in matchers.iter().enumerate() {
                            if m.iter().any(|m| m(&r.identity.kind)) {
                                // The document holds what every projection reads: keep the lookup's.
                                let v = value::from_bytes(&r.doc).unwrap_or_default();
                                out.push((
                                    k,
                                    value::to_bytes(&meta.lookups[k].projection.apply(&v)),
                                ));
                            }
                        }
                    }
                    Ok(out)
                })
                .collect();
            for (k, enc) in found.into_iter().flatten().flatten() {
                entries[k].push((Vec::new(), enc));
            }
            Ok(())
        },
        &mut skip,
    )?;
    Ok(abi::encode_index(entries))
}
