//! The HTML report (`--format html`): its numbers agree with the JSON report, it loads nothing
//! from the network, it escapes every value, it stays under 5 MB for 10,000 findings, and in a
//! real headless Chromium it runs without a console message, searches and sorts, and renders a
//! page that is not blank (the screenshot in docs/report.md, with `TENET_BLESS=1`).

use crate::common::*;
use crate::hostile::bounded;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium, when the machine has it (`./test.sh` installs the distribution's package).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|p| p.is_file());
    if found.is_none() {
        println!(
            "skipped: the HTML report in a browser (no chromium on PATH; ./test.sh installs it)"
        );
    }
    found
}

/// Runs headless Chromium on a page with `args` (a fresh profile, no network at all).
fn browse(chromium: &Path, args: &[&str], url: &str) -> std::process::Output {
    let profile = scratch(&format!("chromium-{}", args.len()));
    let _ = std::fs::remove_dir_all(&profile);
    let mut c = Command::new(chromium);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .arg(url);
    bounded(c, None, 120)
}

/// The text of the element with `id`, up to its first tag.
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .expect("the element is on the page");
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    &rest[start..end]
}

#[test]
fn html_report() {
    let dir = scratch("html-report");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("history.db");
    let page = dir.join("report.html");
    // Two recorded runs, for the trend; the second writes the page.
    for (now, output) in [("2026-11-20T00:00:00Z", None), (NOW, Some(&page))] {
        let mut args = vec![
            "check".to_string(),
            "--standard".into(),
            "examples/standard".into(),
            "examples/inventory.json".into(),
            "--now".into(),
            now.into(),
            "--db".into(),
            db.display().to_string(),
        ];
        if let Some(p) = output {
            args.push("--output".into());
            args.push(format!("html={}", p.display()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = tenet_recording(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    }
    let html = std::fs::read_to_string(&page).unwrap();
    // The page's markup as a snapshot, its style and script (files of their own) left out and
    // an element per line, so a change reads as a diff.
    let cut = |text: &str, open: &str, close: &str| -> String {
        let a = text.find(open).unwrap() + open.len();
        let b = a + text[a..].find(close).unwrap();
        format!("{}…{}", &text[..a], &text[b..])
    };
    let markup = cut(&cut(&html, "<style>", "</style>"), "<script>", "</script>");
    let markup = markup.replace("><", ">\n<");
    insta::assert_snapshot!("html_report", markup);
    let json: serde_json::Value = serde_json::from_str(&stdout(&tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--format",
        "json",
    ])))
    .unwrap();

    // Self-contained: a policy that forbids every load, and nothing that would load.
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("content=\"default-src 'none'; style-src 'sha256-"));
    for load in ["<link", " src=", "url(", "@import", "http://", "https://"] {
        assert!(!html.contains(load), "the page loads something: {load}");
    }
    // The numbers are the JSON report's.
    let summary = &json["summary"];
    let score = summary["secure_score"]["percentage"].as_f64().unwrap();
    assert!(html.contains(&format!("id=\"secure-score\" data-value=\"{score}\"")));
    let compliance = summary["compliance"].as_f64().unwrap();
    assert!(html.contains(&format!("id=\"compliance\" data-value=\"{compliance}\"")));
    let recs = json["recommendations"].as_array().unwrap();
    assert_eq!(html.matches("<details class=\"rec\"").count(), recs.len());
    for r in recs {
        let unhealthy = r["unhealthy"].as_u64().unwrap() + r["errors"].as_u64().unwrap();
        let id = r["id"].as_str().unwrap();
        let at = html.find(&format!("id=\"rec-{id}\"")).unwrap();
        assert!(html[at..].starts_with(&format!("id=\"rec-{id}\"")), "{id}");
        let head = &html[at..at + html[at..].find("</summary>").unwrap()];
        assert!(
            head.contains(&format!("data-unhealthy=\"{unhealthy}\"")),
            "{head}"
        );
        // One row per unhealthy resource.
        let body = &html[at..at + html[at..].find("</details>").unwrap()];
        assert_eq!(
            body.matches("<tr data-state=").count() as u64,
            unhealthy,
            "{id}"
        );
    }
    for (level, n) in [("high", 6), ("medium", 8), ("low", 2)] {
        let counted = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["risk"]["level"] == level)
            .count();
        assert_eq!(counted, n);
        let chart = &html[html.find("id=\"by-risk\"").unwrap()..];
        assert!(
            chart.contains(&format!("data-count=\"{level}\">{n}<")),
            "{level}"
        );
    }
    // The trend has both runs; the framework view, the controls.
    assert!(html.contains("Secure score over the last 2 runs"));
    assert_eq!(html.matches("<circle class=\"trend-dot\"").count(), 2);
    assert!(html.contains("data-framework=\"cis-azure\""));
    for c in summary["secure_score"]["controls"].as_array().unwrap() {
        assert!(html.contains(&format!(
            "<tr data-control=\"{}\">",
            c["id"].as_str().unwrap()
        )));
    }

    // Every value is escaped: a resource named like markup stays text.
    let hostile = write(
        "html-hostile.json",
        br#"[{"id": "st-</td><script>alert(1)</script>", "name": "<img src=x onerror=alert(2)>", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "properties": {"supportsHttpsTrafficOnly": false}}]"#,
    );
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        hostile.to_str().unwrap(),
        "--format",
        "html",
    ]);
    let shown = stdout(&o);
    assert!(!shown.contains("<script>alert") && !shown.contains("<img"));
    assert!(shown.contains("&lt;img src=x onerror=alert(2)&gt;"));

    // 10,000 findings and more stay under 5 MB; the page says what it leaves out.
    let many: Vec<String> = (0..5_000)
        .map(|i| {
            format!(
                r#"{{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st{i}", "name": "st{i}", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "properties": {{"supportsHttpsTrafficOnly": false, "minimumTlsVersion": "TLS1_0"}}}}"#
            )
        })
        .collect();
    let big = write(
        "html-many.json",
        format!("[{}]", many.join(",\n")).as_bytes(),
    );
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        big.to_str().unwrap(),
        "--format",
        "html",
    ]);
    let big_page = stdout(&o);
    let unhealthy: u64 = big_page
        .split("id=\"unhealthy\" data-value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(unhealthy >= 10_000, "{unhealthy}");
    assert!(big_page.len() < 5 << 20, "{} bytes", big_page.len());
    assert!(big_page.contains("more not shown"));

    // In a real browser: no console message (a script error or a blocked load would log one),
    // the script ran, search and order from the link work, and the page is not blank.
    let Some(chromium) = chromium() else {
        return;
    };
    let url = format!("file://{}#search=stwebassets&order=control", page.display());
    let o = browse(&chromium, &["--dump-dom"], &url);
    let dom = stdout(&o);
    let log = stderr(&o);
    assert!(
        !log.contains(":CONSOLE"),
        "the page logged to the console:\n{log}"
    );
    assert!(
        dom.contains("data-ready=\"true\""),
        "the script did not run"
    );
    assert_eq!(
        text_of(&dom, "shown"),
        format!("1 of {} recommendations shown", recs.len())
    );
    // Grouped by control: the one match's group heading is shown, the others hidden.
    assert!(
        dom.contains("<h3 class=\"group\">DP-3</h3>"),
        "not grouped by control"
    );
    assert!(dom.contains("<h3 class=\"group\" hidden=\"\">NS-2</h3>"));
    let shot = dir.join("report.png");
    let o = browse(
        &chromium,
        &[
            "--window-size=1280,1400",
            &format!("--screenshot={}", shot.display()),
        ],
        &format!("file://{}", page.display()),
    );
    assert!(shot.exists(), "no screenshot: {}", stderr(&o));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 1400));
    let px = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let white = pixels
        .chunks(px)
        .filter(|p| p.iter().take(3).all(|&c| c > 245))
        .count();
    let total = pixels.len() / px;
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(px).collect();
    assert!(
        white < total * 97 / 100,
        "the page is blank: {white} of {total} white"
    );
    assert!(colours.len() > 50, "only {} colours", colours.len());
    if std::env::var_os("TENET_BLESS").is_some() {
        std::fs::create_dir_all(root().join("docs/images")).unwrap();
        std::fs::copy(&shot, root().join("docs/images/report-html.png")).unwrap();
    }
}
