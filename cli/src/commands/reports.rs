//! The report files of `tenet check` besides the streamed JSON: which ones a run writes
//! (`--format`, `--output FORMAT=PATH`) and their rendering from the findings of the whole run.

use super::{error, warn, ERROR};
use crate::store::History;
use tenet::report::finding::Finding;
use tenet::report::model::rfc3339;
use tenet::report::render::baseline::Baseline;
use tenet::report::render::{csv, github, html, junit, markdown, ocsf, policy_report, sarif};
use tenet::report::tally::{Summary, Tally};
use tenet::Metadata;

/// Report formats.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Grouped by recommendation, for people.
    Table,
    /// The versioned JSON report (docs/report.md).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for test reports.
    Junit,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A Markdown summary for a pull-request comment.
    Markdown,
    /// One self-contained HTML page, for people (write it with --output html=report.html).
    Html,
    /// One row per finding, for spreadsheets.
    Csv,
    /// OCSF Compliance Finding events as JSON Lines, for security data lakes.
    Ocsf,
    /// Kubernetes policy reports (wgpolicyk8s.io/v1alpha2), for cluster tooling.
    PolicyReport,
}

impl Format {
    pub(super) fn parse(name: &str) -> Option<Format> {
        clap::ValueEnum::from_str(name, true).ok()
    }
}

/// The reports to write after the run: (format, path; `-` is standard output).
pub(super) fn outputs(output: &[String], format: Format) -> Result<Vec<(Format, String)>, u8> {
    let mut outputs = Vec::new();
    for o in output {
        match o
            .split_once('=')
            .and_then(|(f, p)| Format::parse(f).map(|f| (f, p)))
        {
            Some((Format::Table, _)) | None => {
                error(format!(
                    "--output `{o}`: write FORMAT=PATH with FORMAT one of json, sarif, junit, github, markdown, html, csv, ocsf, policy-report"
                ));
                return Err(ERROR);
            }
            Some((f, p)) => outputs.push((f, p.to_string())),
        }
    }
    if !matches!(format, Format::Table | Format::Json) {
        outputs.push((format, "-".into()));
    }
    Ok(outputs)
}

/// What the reports of a run are rendered from.
pub(super) struct Written<'a> {
    /// SARIF rules' help page template (`--help-uri`).
    pub help_uri: Option<&'a str>,
    /// Unhealthy resources listed per recommendation in Markdown (`--limit`).
    pub limit: usize,
    /// The inputs as given.
    pub inputs: &'a [std::path::PathBuf],
    /// The standard.
    pub meta: &'a Metadata,
    /// The totals.
    pub summary: &'a Summary,
    /// The counts, exemptions and inputs not read.
    pub tally: &'a Tally,
    /// The listed findings.
    pub findings: &'a [Finding],
    /// The baseline, with `--baseline`.
    pub baseline: Option<&'a Baseline>,
    /// The history, when one is kept (the HTML report's trend).
    pub history: Option<&'a History>,
    /// Evaluation time, seconds since the epoch.
    pub now: f64,
}

impl Written<'_> {
    /// The report in `format` (not the streamed JSON, nor the table).
    pub(super) fn render(&self, format: Format) -> String {
        let (meta, findings, failed) = (self.meta, self.findings, &self.tally.failed);
        match format {
            Format::Sarif => {
                let opts = sarif::Options {
                    help_uri: self.help_uri.map(str::to_string),
                    ..sarif::Options::default()
                };
                let (text, dropped) = sarif::render(meta, findings, self.baseline, failed, &opts);
                if dropped > 0 {
                    warn(format!(
                        "SARIF: {dropped} results left out (code scanning accepts at most {} per run and {} MB compressed); the most severe are kept",
                        sarif::MAX_RESULTS,
                        sarif::MAX_GZIP / 1_000_000
                    ));
                }
                text
            }
            Format::Junit => junit::junit(meta, self.summary, findings, failed),
            Format::Github => github::github(findings, failed),
            Format::Markdown => markdown::markdown(
                meta,
                self.summary,
                findings,
                self.baseline,
                failed,
                self.limit,
            ),
            Format::Html => {
                let trend: Vec<html::Point> = self
                    .history
                    .and_then(|h| h.runs(Some(&meta.standard.id), 30).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| html::Point {
                        at: r.at,
                        score: r.percentage,
                        compliance: r.compliance,
                    })
                    .collect();
                let inputs: Vec<String> = self
                    .inputs
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                html::html(&html::Page {
                    meta,
                    summary: self.summary,
                    tally: self.tally,
                    findings,
                    failed,
                    evaluated_at: &rfc3339(self.now),
                    inputs: &inputs,
                    trend: &trend,
                })
            }
            Format::Csv => csv::csv(meta, findings, failed),
            Format::Ocsf => ocsf::ocsf(meta, findings, failed, (self.now * 1000.0) as i64),
            Format::PolicyReport => {
                policy_report::policy_report(meta, findings, failed, self.now as i64)
            }
            // Streamed while the run goes, or printed by the caller.
            Format::Json | Format::Table => String::new(),
        }
    }
}
