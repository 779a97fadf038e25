//! The history of runs in an embedded SQLite database (`.tenet/history.db` by default): each run
//! with its time, standard, inventory digest and score; each unhealthy finding with when it was
//! first and last seen and when its state last changed. Findings absent from a later run are
//! resolved. A run is written in one transaction (a crash leaves the database as it was), and
//! concurrent runs wait for each other (`BEGIN IMMEDIATE` with a busy timeout).
//!
//! Only unhealthy and exempt findings are stored, so the database grows with the findings, not
//! with the inventory.

use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Schema version this build writes; older databases are migrated forward.
pub const SCHEMA_VERSION: i64 = 2;

/// An error of the history database, with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct HistoryError {
    /// The database file.
    pub path: String,
    /// What went wrong and how to fix it.
    pub message: String,
}

/// What the previous runs say about a finding still open: the report's own type.
pub use tenet::report::triage::history::Seen as Known;

/// One finding of a run, as stored.
#[derive(Clone, Debug)]
pub struct Row {
    /// Fingerprint (recommendation id + resource id).
    pub fingerprint: String,
    /// Recommendation id.
    pub recommendation: String,
    /// Resource id.
    pub resource: String,
    /// State.
    pub state: String,
}

/// A run's totals, as stored.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RunSummary {
    /// Run number.
    pub id: i64,
    /// Evaluation time (RFC 3339).
    pub at: String,
    /// Standard id.
    pub standard: String,
    /// Standard version.
    pub version: String,
    /// Digest of the inventory files (blake3), or `stdin`.
    pub inventory: String,
    /// Resources evaluated.
    pub resources: i64,
    /// Unhealthy findings.
    pub unhealthy: i64,
    /// Exempt findings.
    pub exempt: i64,
    /// Secure score points.
    pub score: f64,
    /// Points possible.
    pub score_max: f64,
    /// Score percentage.
    pub percentage: f64,
    /// Compliance percentage.
    pub compliance: f64,
}

/// A change of state between two runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// Recommendation id.
    pub recommendation: String,
    /// Resource id.
    pub resource: String,
    /// State before (`none` when it was not unhealthy).
    pub from: String,
    /// State after (`resolved` when it is no longer unhealthy).
    pub to: String,
}

/// An open history database.
pub struct History {
    conn: Connection,
    path: String,
    /// Whether opening migrated a version 1 database, whose open findings then start again.
    pub migrated: bool,
}

impl History {
    /// Opens (creating it and its directory when needed) and migrates the database.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let name = path.display().to_string();
        let fail = |message: String| HistoryError {
            path: name.clone(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(format!("cannot create the directory: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| {
            fail(format!(
                "cannot open the history database: {e}; pass --db PATH or --no-history"
            ))
        })?;
        let mut h = History {
            conn,
            path: name,
            migrated: false,
        };
        h.conn
            .busy_timeout(Duration::from_secs(60))
            .map_err(|e| h.err(e))?;
        // WAL lets readers (tenet history) work while a run writes.
        let _: String = h
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| h.err(e))?;
        // With WAL, NORMAL keeps every committed run across a crash of tenet (an operating system
        // crash may lose the last run, never corrupt the database) and avoids a sync per commit.
        h.conn
            .execute_batch("PRAGMA synchronous=NORMAL; PRAGMA temp_store=FILE;")
            .map_err(|e| h.err(e))?;
        h.migrate()?;
        Ok(h)
    }

    fn err(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError {
            path: self.path.clone(),
            message: format!(
                "history database error: {e}; if it is damaged, move it away (a new one is created)"
            ),
        }
    }

    fn migrate(&mut self) -> Result<(), HistoryError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| HistoryError {
                path: self.path.clone(),
                message: format!("cannot lock the history database: {e}"),
            })?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| HistoryError {
                path: self.path.clone(),
                message: e.to_string(),
            })?;
        if version > SCHEMA_VERSION {
            return Err(HistoryError {
                path: self.path.clone(),
                message: format!(
                    "the history database has schema version {version}, newer than this tenet ({SCHEMA_VERSION}); use a newer tenet or another --db"
                ),
            });
        }
        if version < 1 {
            tx.execute_batch(
                "CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    at_secs REAL NOT NULL,
                    standard TEXT NOT NULL,
                    version TEXT NOT NULL,
                    inventory TEXT NOT NULL,
                    resources INTEGER NOT NULL,
                    unhealthy INTEGER NOT NULL,
                    exempt INTEGER NOT NULL,
                    score REAL NOT NULL,
                    score_max REAL NOT NULL,
                    percentage REAL NOT NULL,
                    compliance REAL NOT NULL
                );
                CREATE TABLE findings (
                    standard TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    recommendation TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    state TEXT NOT NULL,
                    first_seen REAL NOT NULL,
                    last_seen REAL NOT NULL,
                    last_change REAL NOT NULL,
                    PRIMARY KEY (standard, fingerprint)
                );
                CREATE TABLE run_findings (
                    run INTEGER NOT NULL REFERENCES runs(id),
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL,
                    PRIMARY KEY (run, fingerprint)
                );
                PRAGMA user_version = 2;",
            )
            .map_err(|e| HistoryError {
                path: self.path.clone(),
                message: format!("cannot create the history schema: {e}"),
            })?;
        } else if version < 2 {
            // Version 1 fingerprinted findings by resource id alone, which let the same name in
            // two files share one history. Those fingerprints cannot be recomputed (the file
            // was not recorded): the open findings are closed, so this run sees every finding
            // as new once; past runs and their scores are kept.
            tx.execute_batch(
                "DELETE FROM findings;
                 PRAGMA user_version = 2;",
            )
            .map_err(|e| HistoryError {
                path: self.path.clone(),
                message: format!("cannot migrate the history database: {e}"),
            })?;
            self.migrated = true;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// The findings of `standard` open after its last run: fingerprint to what is known.
    pub fn open_findings(&self, standard: &str) -> Result<HashMap<String, Known>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT fingerprint, state, first_seen, last_change FROM findings
                 WHERE standard = ?1 AND state != 'resolved'",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([standard], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Known {
                        state: r.get(1)?,
                        first_seen: r.get(2)?,
                        last_change: r.get(3)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for r in rows {
            let (k, v) = r.map_err(|e| self.err(e))?;
            out.insert(k, v);
        }
        Ok(out)
    }

    fn write_err(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError {
            path: self.path.clone(),
            message: format!("cannot record the run: {e}; nothing was written"),
        }
    }

    /// Starts staging a run's findings: they go to a temporary table of this connection, which
    /// locks nothing, so memory stays flat and other runs are not held up.
    pub fn stage(&mut self) -> Result<(), HistoryError> {
        self.conn
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS pending (
                    fingerprint TEXT PRIMARY KEY,
                    recommendation TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    state TEXT NOT NULL
                 );
                 DELETE FROM temp.pending;
                 BEGIN;",
            )
            .map_err(|e| self.write_err(e))
    }

    /// Stages one unhealthy or exempt finding of the run (after [`History::stage`]).
    pub fn add(&mut self, r: &Row) -> Result<(), HistoryError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR REPLACE INTO temp.pending (fingerprint, recommendation, resource, state)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(|e| self.write_err(e))?;
        stmt.execute(params![
            r.fingerprint,
            r.recommendation,
            r.resource,
            r.state
        ])
        .map(|_| ())
        .map_err(|e| self.write_err(e))
    }

    /// Records the staged run in one transaction: new findings are first seen now, known ones
    /// keep their first time (and their last change unless the state changed), and open findings
    /// that are absent are resolved now.
    pub fn commit(&mut self, run: &RunSummary, now: f64) -> Result<i64, HistoryError> {
        let path = self.path.clone();
        let e = |e: rusqlite::Error| HistoryError {
            path: path.clone(),
            message: format!("cannot record the run: {e}; nothing was written"),
        };
        // End the staging transaction (it touched only the temporary table).
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("COMMIT").map_err(e)?;
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e)?;
        tx.execute(
            "INSERT INTO runs (at, at_secs, standard, version, inventory, resources, unhealthy,
                               exempt, score, score_max, percentage, compliance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                run.at,
                now,
                run.standard,
                run.version,
                run.inventory,
                run.resources,
                run.unhealthy,
                run.exempt,
                run.score,
                run.score_max,
                run.percentage,
                run.compliance
            ],
        )
        .map_err(e)?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO run_findings (run, fingerprint, state)
             SELECT ?1, fingerprint, state FROM temp.pending",
            params![id],
        )
        .map_err(e)?;
        tx.execute(
            "INSERT INTO findings (standard, fingerprint, recommendation, resource, state,
                                   first_seen, last_seen, last_change)
             SELECT ?1, fingerprint, recommendation, resource, state, ?2, ?2, ?2
             FROM temp.pending WHERE true
             ON CONFLICT (standard, fingerprint) DO UPDATE SET
               first_seen = CASE WHEN findings.state = 'resolved' THEN ?2 ELSE findings.first_seen END,
               last_change = CASE WHEN findings.state = excluded.state THEN findings.last_change ELSE ?2 END,
               last_seen = ?2,
               state = excluded.state",
            params![run.standard, now],
        )
        .map_err(e)?;
        tx.execute(
            "UPDATE findings SET state = 'resolved', last_change = ?2
             WHERE standard = ?1 AND state != 'resolved'
               AND fingerprint NOT IN (SELECT fingerprint FROM temp.pending)",
            params![run.standard, now],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        self.conn
            .execute_batch("DELETE FROM temp.pending")
            .map_err(|e| self.write_err(e))?;
        Ok(id)
    }

    /// Stages `rows` and commits them as one run.
    #[cfg(test)]
    pub fn record(
        &mut self,
        run: &RunSummary,
        now: f64,
        rows: &[Row],
    ) -> Result<i64, HistoryError> {
        self.stage()?;
        for r in rows {
            self.add(r)?;
        }
        self.commit(run, now)
    }

    /// The runs of a standard (all standards when `None`), oldest first, at most `limit`.
    pub fn runs(
        &self,
        standard: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RunSummary>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, at, standard, version, inventory, resources, unhealthy, exempt, score,
                        score_max, percentage, compliance
                 FROM runs WHERE ?1 IS NULL OR standard = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![standard, limit as i64], |r| {
                Ok(RunSummary {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    standard: r.get(2)?,
                    version: r.get(3)?,
                    inventory: r.get(4)?,
                    resources: r.get(5)?,
                    unhealthy: r.get(6)?,
                    exempt: r.get(7)?,
                    score: r.get(8)?,
                    score_max: r.get(9)?,
                    percentage: r.get(10)?,
                    compliance: r.get(11)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(|e| self.err(e))?);
        }
        out.reverse();
        Ok(out)
    }

    /// The findings whose state differs between two runs of the same standard.
    pub fn changes(&self, before: i64, after: i64) -> Result<Vec<Change>, HistoryError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.recommendation, f.resource, COALESCE(b.state, 'none'), COALESCE(a.state, 'resolved')
                 FROM findings f
                 JOIN runs r ON r.id = ?2 AND r.standard = f.standard
                 LEFT JOIN run_findings b ON b.run = ?1 AND b.fingerprint = f.fingerprint
                 LEFT JOIN run_findings a ON a.run = ?2 AND a.fingerprint = f.fingerprint
                 WHERE (b.state IS NOT NULL OR a.state IS NOT NULL)
                   AND COALESCE(b.state, '') != COALESCE(a.state, '')
                 ORDER BY f.recommendation, f.resource",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![before, after], |r| {
                Ok(Change {
                    recommendation: r.get(0)?,
                    resource: r.get(1)?,
                    from: r.get(2)?,
                    to: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(|e| self.err(e))?);
        }
        Ok(out)
    }

    /// The schema version of the database.
    #[cfg(test)]
    pub fn schema_version(&self) -> Result<i64, HistoryError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// The digest of the inventory files (blake3 of their names and contents, in order), or `stdin`.
pub fn digest(inputs: &[tenet::runtime::input::Input]) -> String {
    use tenet::runtime::input::Input;
    let mut h = blake3::Hasher::new();
    for i in inputs {
        match i {
            Input::File(p) => {
                h.update(p.display().to_string().as_bytes());
                if let Ok(mut f) = std::fs::File::open(p) {
                    let _ = std::io::copy(&mut f, &mut h);
                }
            }
            Input::Bytes { name, bytes } => {
                h.update(name.as_bytes());
                h.update(bytes);
            }
            Input::Stdin => return "stdin".into(),
        }
    }
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fp: &str, state: &str) -> Row {
        Row {
            fingerprint: fp.into(),
            recommendation: format!("rec-{fp}"),
            resource: format!("res-{fp}"),
            state: state.into(),
        }
    }

    fn run(at: &str) -> RunSummary {
        RunSummary {
            at: at.into(),
            standard: "s".into(),
            ..RunSummary::default()
        }
    }

    #[test]
    fn runs_record_first_seen_changes_and_resolutions() {
        let dir = std::env::temp_dir().join(format!("tenet-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = dir.join("h.db");
        let mut h = History::open(&db).unwrap();
        assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
        let r1 = h
            .record(
                &run("t1"),
                100.0,
                &[row("a", "not_compliant"), row("b", "not_compliant")],
            )
            .unwrap();
        let r2 = h
            .record(&run("t2"), 200.0, &[row("a", "exempt"), row("c", "error")])
            .unwrap();
        let open = h.open_findings("s").unwrap();
        assert_eq!(open.len(), 2, "b is resolved");
        assert_eq!(
            open["a"],
            Known {
                state: "exempt".into(),
                first_seen: 100.0,
                last_change: 200.0
            }
        );
        assert_eq!(open["c"].first_seen, 200.0);
        let changes = h.changes(r1, r2).unwrap();
        let summary: Vec<(String, String, String)> = changes
            .iter()
            .map(|c| (c.recommendation.clone(), c.from.clone(), c.to.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("rec-a".into(), "not_compliant".into(), "exempt".into()),
                ("rec-b".into(), "not_compliant".into(), "resolved".into()),
                ("rec-c".into(), "none".into(), "error".into()),
            ]
        );
        // A finding that comes back is first seen again.
        h.record(&run("t3"), 300.0, &[row("b", "not_compliant")])
            .unwrap();
        assert_eq!(h.open_findings("s").unwrap()["b"].first_seen, 300.0);
        assert_eq!(h.runs(Some("s"), 10).unwrap().len(), 3);
        // Reopening keeps the schema; two connections can write in turn.
        let mut other = History::open(&db).unwrap();
        other.record(&run("t4"), 400.0, &[]).unwrap();
        assert!(h.open_findings("s").unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
