//! `tenet history` and `--new-only`: runs recorded with a fixed clock.

use crate::common::*;

#[test]
fn history_across_runs_with_a_fixed_clock() {
    let dir = scratch("history");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("h.db");
    let inv = dir.join("inv.json");
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    std::fs::write(&inv, &text).unwrap();
    let check = |at: &str, extra: &[&str]| {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            inv.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--now",
            at,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = tenet_recording(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let first = check("2026-11-01T00:00:00Z", &[]);
    let h = &first["findings"][0]["history"];
    assert_eq!(
        (h["new"].as_bool(), h["age_days"].as_i64()),
        (Some(true), Some(0))
    );
    // A new finding appears; the old ones keep their first time.
    std::fs::write(
        &inv,
        text.replacen(
            "\"enablePurgeProtection\": true",
            "\"enablePurgeProtection\": false",
            1,
        ),
    )
    .unwrap();
    let second = check("2026-11-11T00:00:00Z", &["--new-only"]);
    let listed = second["findings"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "--new-only lists the one new finding");
    assert_eq!(listed[0]["recommendation"], "keyvault-recoverable");
    assert_eq!(listed[0]["history"]["new"], true);
    let third = check("2026-11-21T00:00:00Z", &[]);
    let old = third["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["recommendation"] == "storage-secure-transfer")
        .unwrap();
    assert_eq!(old["history"]["first_seen"], "2026-11-01T00:00:00Z");
    assert_eq!(old["history"]["age_days"], 20);
    // Two runs at once both land (one waits for the other's transaction).
    let handles: Vec<_> = ["2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z"]
        .into_iter()
        .map(|at| {
            let (db, inv) = (db.clone(), inv.clone());
            std::thread::spawn(move || {
                tenet_recording(&[
                    "check",
                    "--standard",
                    "examples/standard",
                    inv.to_str().unwrap(),
                    "--db",
                    db.to_str().unwrap(),
                    "--now",
                    at,
                ])
                .status
                .code()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(1));
    }
    let o = tenet(&["history", "--db", db.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 5);
    assert_eq!(runs[0]["unhealthy"], 16);
    assert_eq!(runs[1]["unhealthy"], 17);
    assert!(runs[1]["percentage"].as_f64() < runs[0]["percentage"].as_f64());
    let o = tenet(&["history", "--db", dir.join("none.db").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}
