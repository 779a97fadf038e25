//! A check session: one standard with the triage and filters of a run, evaluated the same way
//! for every caller: `tenet check`, `score` and `baseline create`, `tenet fix`, `tenet test`,
//! and programs that embed tenet. Same inputs, same findings, states and scores.

use std::io::Write;
use tenet_report::finding::{finding, Finding};
use tenet_report::model::rfc3339;
use tenet_report::render::json::{JsonFindings, JsonWriter};
use tenet_report::render::table::Table;
use tenet_report::select::Select;
use tenet_report::tally::Tally;
use tenet_report::triage::{Assessed, Triage};
use tenet_runtime::eval::{self, Evaluated, Item};
use tenet_runtime::iac::Format;
use tenet_runtime::input::{Input, CHUNK};
use tenet_runtime::resource::{Identity, Resource, Skipped};
use tenet_runtime::{InputError, RuntimeError, Standard};

/// One run's settings over one standard.
pub struct Session<'a> {
    /// The loaded standard.
    pub standard: &'a Standard,
    /// Exemptions, governance and history, applied to every evaluated resource.
    pub triage: Triage,
    /// What is evaluated, counted and listed.
    pub select: Select,
    /// What the inputs hold (detected from each input by default).
    pub input_format: Format,
    /// Values for the variables of Terraform root modules (`--var`, `--var-file`).
    pub given: tenet_runtime::iac::Given,
}

/// Where a [`Session::check`] sends what it finds. The default collects nothing.
#[derive(Default)]
pub struct Sinks<'w> {
    /// The streamed JSON report, written as the run goes (one encoder for every destination:
    /// give a [`Tee`] to write several).
    pub json: Option<&'w mut dyn Write>,
    /// Keep every listed finding (CI formats, grouping, baselines, embedders).
    pub collect: bool,
    /// Gather the terminal table, listing at most this many resources per recommendation
    /// (0: all).
    pub table: Option<usize>,
    /// Told of every assessed resource, in input order (the history store records from it).
    pub observe: Option<&'w mut dyn FnMut(&Assessed)>,
    /// Told of every document that is not a resource.
    pub skipped: Option<&'w mut dyn FnMut(&Skipped)>,
    /// Told of every input (or part of one) that could not be read or parsed; the run goes on.
    pub failed: Option<&'w mut dyn FnMut(&tenet_runtime::InputError)>,
    /// Told how many input bytes each finished batch accounted for.
    pub progress: Option<&'w (dyn Fn(u64) + Sync)>,
}

/// What a check found.
pub struct Checked {
    /// The counts and the secure score.
    pub tally: Tally,
    /// The listed findings, when collected, in input order then standard order.
    pub findings: Vec<Finding>,
    /// The terminal table, when asked for.
    pub table: Option<Table>,
}

/// Why a check stopped.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The evaluation or an input failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The JSON report could not be written.
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
}

/// A writer that writes everything to several writers.
pub struct Tee<'a>(pub Vec<&'a mut dyn Write>);

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for w in &mut self.0 {
            w.write_all(buf)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        for w in &mut self.0 {
            w.flush()?;
        }
        Ok(())
    }
}

impl Session<'_> {
    /// The evaluation time.
    pub fn now(&self) -> f64 {
        self.triage.now
    }

    /// The findings of an assessed resource that the filters list, each with its group.
    pub fn listed(&self, e: &Assessed) -> Vec<Finding> {
        let meta = &self.standard.metadata;
        meta.recommendations
            .iter()
            .enumerate()
            .filter(|(i, rec)| self.select.admits(meta, *i, rec, e))
            .map(|(i, rec)| {
                let mut f = finding(rec, meta, e, i);
                f.group = self.select.group_by.map(|g| g.key(rec, &f));
                f
            })
            .collect()
    }

    /// Evaluates resources held in memory and triages them, in order: each resource to its
    /// results, or to an error located at it when it could not be evaluated (a limit or a trap),
    /// as `check` reports it. Only a module that evaluates nothing fails the whole call.
    pub fn assess(
        &self,
        resources: &[Resource],
    ) -> Result<Vec<Result<Assessed, InputError>>, RuntimeError> {
        let meta = &self.standard.metadata;
        Ok(
            eval::evaluate_all(self.standard, resources, self.now(), false)?
                .into_iter()
                .map(|e| e.map(|e| self.triage.apply(meta, e)))
                .collect(),
        )
    }

    /// Streams `inputs` through the standard (see [`tenet_runtime::eval::run`]): every resource
    /// is evaluated and triaged in the workers, then counted and sent to `sinks`.
    pub fn check(&self, inputs: &[Input], sinks: Sinks<'_>) -> Result<Checked, CheckError> {
        let Sinks {
            json,
            collect,
            table,
            mut observe,
            mut skipped,
            mut failed,
            progress,
        } = sinks;
        let meta = &self.standard.metadata;
        let now = self.now();
        let mut tally = Tally::new(meta, &self.select);
        let mut table = table.map(|limit| Table::new(&tally, limit, &self.select));
        let encoder = json.is_some().then(|| JsonFindings::new(meta));
        let keep = |id: &Identity| self.select.resource(id);
        let finish = |e: Evaluated, out: &mut Vec<u8>| {
            let a = self.triage.apply(meta, e);
            if let Some(enc) = &encoder {
                enc.render(meta, &self.select, &a, out);
            }
            a
        };
        let quiet = |_: u64| {};
        let opts = eval::Run {
            now,
            format: self.input_format,
            given: &self.given,
            chunk: CHUNK,
            keep: &keep,
            finish: &finish,
            progress: progress.unwrap_or(&quiet),
        };
        let mut writer = match json {
            Some(w) => Some(JsonWriter::start(w, meta, &rfc3339(now))?),
            None => None,
        };
        let mut findings = Vec::new();
        let mut write_error = None;
        let ran = eval::run(self.standard, inputs, &opts, &mut |items, bytes| {
            for item in &items {
                match item {
                    Item::Resource(a) => {
                        tally.add(a);
                        if let Some(o) = observe.as_mut() {
                            o(a);
                        }
                        if let Some(t) = table.as_mut() {
                            t.add(meta, &tally, &self.select, a);
                        }
                        if collect {
                            findings.extend(self.listed(a));
                        }
                    }
                    Item::Skipped(s) => {
                        if let Some(k) = skipped.as_mut() {
                            k(s);
                        }
                        tally.skip(s);
                    }
                    Item::Failed(e) => {
                        if let Some(f) = failed.as_mut() {
                            f(e);
                        }
                        tally.fail(e);
                    }
                    Item::Filtered => {}
                }
            }
            if let Some(w) = writer.as_mut() {
                if let Err(e) = w.findings(&bytes) {
                    write_error = Some(e);
                    return Err(RuntimeError::Engine("the report's output closed".into()));
                }
            }
            Ok(())
        });
        if let Some(e) = write_error {
            return Err(CheckError::Write(e));
        }
        ran?;
        tally.exemptions = self.triage.statuses();
        if let Some(w) = writer {
            w.finish(&mut tally)?;
        }
        Ok(Checked {
            tally,
            findings,
            table,
        })
    }
}
