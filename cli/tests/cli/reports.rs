//! CI reports (`--format github|junit|markdown|sarif`), SARIF schema validity, baselines.

use crate::common::*;

/// CI outputs: GitHub annotations, JUnit and Markdown as snapshots; SARIF's structure, and
/// fingerprints that do not depend on line numbers; several outputs in one run.
#[test]
fn ci_outputs() {
    let output = |format: &str| {
        let o = tenet(&[
            "check",
            "--standard",
            "examples/standard",
            "examples/inventory.json",
            "--now",
            NOW,
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        o
    };
    let run = |format: &str| stdout(&output(format));
    insta::assert_snapshot!("ci_github", transcript(&output("github")));
    insta::assert_snapshot!("ci_junit", transcript(&output("junit")));
    insta::assert_snapshot!("ci_markdown", transcript(&output("markdown")));
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 16);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
        assert_eq!(
            r["partialFingerprints"]["tenetFinding/v1"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }
    // The same file, shifted by blank lines, keeps every fingerprint (fingerprints name the
    // file and the resource, never the line).
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    let (sarif_path, junit_path) = (scratch("out.sarif"), scratch("out.xml"));
    let check = |inventory: &std::path::Path| {
        let o = tenet(&[
            "check",
            "--standard",
            "examples/standard",
            inventory.to_str().unwrap(),
            "--now",
            NOW,
            "--output",
            &format!("sarif={}", sarif_path.display()),
            "--output",
            &format!("junit={}", junit_path.display()),
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stdout(&o).contains("Summary:"),
            "the table still goes to standard output"
        );
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&sarif_path).unwrap()).unwrap()
    };
    let inventory = write("inventory.json", text.as_bytes());
    let sarif = check(&inventory);
    let inventory = write("inventory.json", format!("\n\n\n{text}").as_bytes());
    let shifted_sarif = check(&inventory);
    let prints = |s: &serde_json::Value| -> Vec<String> {
        s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["tenetFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(prints(&sarif), prints(&shifted_sarif));
    assert_ne!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        shifted_sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
            ["startLine"]
    );
    assert!(std::fs::read_to_string(&junit_path)
        .unwrap()
        .starts_with("<?xml"));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--output",
        "table=x",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// A baseline accepts today's findings: `check --baseline` then fails only on new ones, whose
/// fingerprints do not depend on line numbers.
#[test]
fn baselines_fail_only_on_new_findings() {
    let text = std::fs::read_to_string(root().join("examples/inventory.json")).unwrap();
    let inv = write("baseline-inventory.json", text.as_bytes());
    let base = scratch("baseline/base.json");
    let (p, b) = (inv.to_str().unwrap(), base.to_str().unwrap());
    let o = tenet(&[
        "baseline",
        "create",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--to",
        b,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--baseline",
        b,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("0 new findings, 16 already in the baseline"),
        "{}",
        stderr(&o)
    );
    // Lines move and a new finding appears: only the new one counts.
    let changed = format!(
        "\n\n{}",
        text.replacen(
            "\"enablePurgeProtection\": true",
            "\"enablePurgeProtection\": false",
            1
        )
    );
    std::fs::write(&inv, changed).unwrap();
    let sarif = scratch("baseline.sarif");
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p,
        "--now",
        NOW,
        "--baseline",
        b,
        "--output",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("1 new finding, 16 already in the baseline"),
        "{}",
        stderr(&o)
    );
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let states: Vec<&str> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|x| **x == "new").count(), 1);
    assert_eq!(states.iter().filter(|x| **x == "unchanged").count(), 16);
    assert_valid_sarif(&s);
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        p,
        "--baseline",
        "/nonexistent/baseline.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Fails unless `sarif` is valid against the official SARIF 2.1.0 schema (OASIS, errata 01),
/// kept in `tests/schemas/`.

#[test]
fn sarif_is_valid_against_the_official_schema() {
    // The validator itself rejects what the schema forbids.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::is_valid(&schema, &bad));
    for (standard, input) in [
        ("examples/standard", "examples/inventory.json"),
        ("azure-security-baseline", "tests/fixtures/iac/storage.json"),
        ("aws-foundations", "tests/fixtures/iac/logs.yaml"),
    ] {
        let o = tenet(&[
            "check",
            "--standard",
            standard,
            input,
            "--now",
            NOW,
            "--format",
            "sarif",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let sarif: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
        assert_valid_sarif(&sarif);
    }
}

/// The JSON report on standard output and the one `--output json=` writes in the same run come
/// from one encoder: the same bytes, with exemptions and governance in play.
#[test]
fn streamed_json_and_output_json_are_the_same_bytes() {
    let file = scratch("same.json");
    let _ = std::fs::remove_file(&file);
    let target = format!("json={}", file.display());
    let o = tenet(&[
        "check",
        "--standard",
        "examples/standard",
        "examples/inventory.json",
        "--now",
        NOW,
        "--all",
        "--exemptions",
        "tests/fixtures/exemptions/example.yaml",
        "--governance",
        "tests/fixtures/governance/example.yaml",
        "--format",
        "json",
        "--output",
        &target,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let written = std::fs::read(&file).unwrap();
    assert!(written.len() > 10_000, "a full report");
    assert!(o.stdout == written, "stdout and --output json= differ");
}

/// A run with more findings than code scanning accepts: the SARIF file keeps the most severe
/// 25,000, says how many it left out, stays valid, and names files relative to `%SRCROOT%`.
#[test]
fn sarif_stays_within_code_scanning_limits() {
    let policy = write(
        "many.tenet",
        br#"standard many "Many findings" { version "1" }
recommendation tier-a "Tier A buckets are not allowed" {
  severity high
  applies aws "AWS::S3::Bucket"
  when tier == "a"
  compliant when tier != "a"
  remediation "Move {name} out of tier {tier}; {{literal}} braces stay."
}
recommendation named "Buckets are named never" {
  severity low
  applies aws "AWS::S3::Bucket"
  compliant when name == "never"
}
"#,
    );
    let docs: Vec<serde_json::Value> = (0..30_000)
        .map(|i| {
            serde_json::json!({"type": "AWS::S3::Bucket", "name": format!("b{i}"),
                "tier": if i % 3 == 0 { "a" } else { "b" }})
        })
        .collect();
    // Inside a repository: files are named relative to its root.
    let repo = scratch("many-repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("inv")).unwrap();
    let inv = repo.join("inv/many.json");
    std::fs::write(&inv, serde_json::to_vec(&docs).unwrap()).unwrap();
    let out = scratch("many.sarif");
    let md = scratch("many.md");
    let o = tenet(&[
        "check",
        "--standard",
        policy.to_str().unwrap(),
        inv.to_str().unwrap(),
        "--now",
        NOW,
        "--format",
        "json",
        "--output",
        &format!("sarif={}", out.display()),
        "--output",
        &format!("markdown={}", md.display()),
        "--limit",
        "0",
        "--help-uri",
        "https://docs.example.com/{standard}.md#{id}",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // The Markdown summary stays under GitHub's 1 MiB for a job summary, and says so.
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(m.len() < 1 << 20, "{} bytes", m.len());
    assert!(
        m.contains("a job summary must stay under 1 MiB"),
        "{}",
        &m[m.len() - 300..]
    );
    assert!(
        stderr(&o).contains("SARIF: 15000 results left out"),
        "{}",
        stderr(&o)
    );
    let bytes = std::fs::read(&out).unwrap();
    // Code scanning's other limits: 10 MB compressed, 1,000 locations per result.
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, &bytes).unwrap();
    let compressed = z.finish().unwrap().len();
    assert!(compressed <= 10_000_000, "{compressed} bytes compressed");
    let s: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_valid_sarif(&s);
    let run = &s["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert!(results
        .iter()
        .all(|r| r["locations"].as_array().unwrap().len() <= 1_000));
    assert_eq!(
        run["tool"]["driver"]["rules"][1]["helpUri"],
        "https://docs.example.com/many.md#named"
    );
    // The 10,000 high findings are all kept.
    assert_eq!(
        results.iter().filter(|r| r["level"] == "error").count(),
        10_000
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("15000 results were left out")));
    assert_eq!(run["automationDetails"]["id"], "tenet/many/");
    let place = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(place["uriBaseId"], "%SRCROOT%");
    assert_eq!(place["uri"], "inv/many.json");
    // Rule help: the description and the remediation with its placeholders named.
    let help = &run["tool"]["driver"]["rules"][0]["help"];
    assert_eq!(
        help["text"],
        "Tier A buckets are not allowed\n\nRemediation: Move <name> out of tier <tier>; {literal} braces stay."
    );
    assert!(help["markdown"]
        .as_str()
        .unwrap()
        .contains("**Remediation:**"));
}

/// Hostile resource names cannot inject workflow commands or Markdown, and annotations and the
/// Markdown summary stay within GitHub's limits, saying what they left out.
#[test]
fn github_and_markdown_are_escaped_and_within_limits() {
    let policy = write(
        "hostile.tenet",
        br#"standard hostile "Hostile names" { version "1" }
recommendation high-one "High" {
  severity high
  applies aws "AWS::S3::Bucket"
  compliant when name == "never"
}
recommendation low-one "Low" {
  severity low
  applies aws "AWS::S3::Bucket"
  compliant when name == "never"
}
"#,
    );
    let hostile =
        "x::error::pwned%0A\n<img src=x onerror=alert(1)>|![t](https://t.example/p.png)\u{1b}[31m\u{0}";
    let mut docs = vec![serde_json::json!({"type": "AWS::S3::Bucket", "name": hostile})];
    docs.extend(
        (0..40).map(|i| serde_json::json!({"type": "AWS::S3::Bucket", "name": format!("b{i}")})),
    );
    let inv = write("hostile.json", &serde_json::to_vec(&docs).unwrap());
    let md = scratch("hostile.md");
    let xml = scratch("hostile.xml");
    let o = tenet(&[
        "check",
        "--standard",
        policy.to_str().unwrap(),
        inv.to_str().unwrap(),
        "--now",
        NOW,
        "--format",
        "github",
        "--limit",
        "5",
        "--output",
        &format!("markdown={}", md.display()),
        "--output",
        &format!("junit={}", xml.display()),
    ]);
    // JUnit: well-formed XML (read back), the name whole but for what XML cannot hold.
    let junit = std::fs::read_to_string(&xml).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&junit).unwrap();
    assert_eq!(report.tests, 82);
    assert_eq!(report.failures, 82);
    assert!(
        junit.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{junit}"
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let gh = stdout(&o);
    // One command per line, each a known annotation; the name's `::` and newline are escaped.
    for line in gh.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::notice "),
            "{line}"
        );
    }
    assert!(
        gh.contains("title=high-one (x%3A%3Aerror%3A%3Apwned%250A%0A<img"),
        "{gh}"
    );
    // 10 errors, 9 notices and one notice counting the rest: 82 findings, 63 left out.
    assert_eq!(gh.lines().filter(|l| l.starts_with("::error")).count(), 10);
    assert_eq!(gh.lines().filter(|l| l.starts_with("::notice")).count(), 10);
    assert!(gh.contains("63 more findings are not annotated"), "{gh}");
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(!m.contains("<img"), "{m}");
    assert!(!m.contains("![t]"), "{m}");
    assert!(
        m.contains("&lt;img src=x onerror=alert(1)&gt;\\|\\!\\[t\\]"),
        "{m}"
    );
    // --limit 5: five rows per recommendation, and a line for the rest.
    assert_eq!(
        m.lines()
            .filter(|l| l.starts_with("| high | High |"))
            .count(),
        5
    );
    assert!(
        m.contains("72 more findings are not shown (at most 5 per recommendation, --limit)"),
        "{m}"
    );
}

/// Annotations land on the lines that matter: over the real corpus, every finding of the built-in
/// standards is placed at the property its deciding clause read or its nearest parent in the file
/// (the resource itself only when nothing the clause reads is written there), YAML and JSON alike.
#[test]
fn corpus_findings_point_at_their_property() {
    let corpus = root().join("../shared/corpus/files");
    if !corpus.is_dir() {
        println!(
            "skipped corpus_findings_point_at_their_property: {} is absent",
            corpus.display()
        );
        return;
    }
    let (mut all, mut located, mut below) = (0usize, 0usize, 0usize);
    for (folder, standard) in [
        ("kubernetes", "kubernetes-pod-security"),
        ("arm", "azure-security-baseline"),
        ("cloudformation", "aws-foundations"),
        ("terraform_plan", "aws-foundations"),
        ("terraform", "aws-foundations"),
    ] {
        let dir = corpus.join(folder);
        let o = tenet(&[
            "check",
            "--standard",
            standard,
            dir.to_str().unwrap(),
            "--now",
            NOW,
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let findings = v["findings"].as_array().unwrap();
        let n = findings.len();
        let l = findings
            .iter()
            .filter(|f| f["property"].is_object())
            .count();
        let b = findings
            .iter()
            .filter(|f| {
                f["property"]["path"]
                    .as_str()
                    .is_some_and(|p| !p.is_empty())
            })
            .count();
        println!("{folder}: {n} findings, {l} located, {b} below the resource");
        (all, located, below) = (all + n, located + l, below + b);
    }
    assert!(all > 4000, "{all} findings");
    assert!(located * 100 >= all * 99, "{located} of {all} located");
    assert!(below * 10 >= all * 9, "{below} of {all} below the resource");
}

/// A literal credential in a resource never reaches a report: explanations, bindings,
/// remediation and fixes show `<secret sha256:…>` in every format and in `--explain`, and the
/// same pod without secrets keeps its values.
#[test]
fn no_output_repeats_a_secret() {
    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const PASSWORD: &str = "hunter2hunter2";
    std::fs::create_dir_all(scratch("secrets")).unwrap();
    let policy = write(
        "secrets/leak.tenet",
        br#"standard leak "Literal environment values" { version "1.0.0" }
control PV-2 "Secure configurations" { points 1 }
recommendation plain-env "Environment variables should not hold literal values" {
  severity high
  control PV-2
  applies kubernetes "Pod"
  compliant when required(spec) and none c in spec.containers ?? [] { any e in c.env ?? [] { exists(e.value) } }
  remediation "Move {e.name}={e.value} of container {c.name} to a Secret."
  fix { set metadata.annotations.leaked = e.value }
}
"#,
    );
    let pod = |env: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: leaky\nspec:\n  containers:\n    - name: app\n      image: nginx:1.25\n      env:\n{env}"
        )
    };
    let secrets = pod(&format!(
        "        - name: AWS_ACCESS_KEY_ID\n          value: {KEY_ID}\n        - name: AWS_SECRET_ACCESS_KEY\n          value: {KEY}\n        - name: DB_PASSWORD\n          value: {PASSWORD}\n"
    ));
    let secrets = write("secrets/pod.yaml", secrets.as_bytes());
    let plain = write(
        "secrets/plain.yaml",
        pod("        - name: MODE\n          value: production-blue\n").as_bytes(),
    );
    let run = |standard: &str, input: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["check", "--standard", standard, input.to_str().unwrap()];
        args.extend_from_slice(&["--now", NOW, "--all"]);
        args.extend_from_slice(extra);
        let o = tenet(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        format!("{}{}", stdout(&o), stderr(&o))
    };
    let policy = policy.to_str().unwrap();
    let mut shown = String::new();
    for standard in [policy, "kubernetes-pod-security"] {
        for format in [
            "table",
            "json",
            "sarif",
            "junit",
            "github",
            "markdown",
            "html",
            "csv",
            "ocsf",
            "policy-report",
        ] {
            shown.push_str(&run(standard, &secrets, &["--format", format]));
        }
    }
    shown.push_str(&run(policy, &secrets, &["--explain", "plain-env"]));
    // A password known as one only by the name beside it stays masked in every step.
    let password = write(
        "secrets/password.yaml",
        pod(&format!(
            "        - name: DB_PASSWORD\n          value: {PASSWORD}\n"
        ))
        .as_bytes(),
    );
    shown.push_str(&run(policy, &password, &["--explain", "plain-env"]));
    // The diff `tenet fix` shows a person masks them too (the machine formats apply values).
    let fix = tenet(&["fix", "--standard", policy, secrets.to_str().unwrap()]);
    let diff = stdout(&fix);
    assert!(
        diff.contains("+") && diff.contains("leaked"),
        "{diff}{}",
        stderr(&fix)
    );
    shown.push_str(&diff);
    shown.push_str(&stderr(&fix));
    for secret in [KEY_ID, KEY, PASSWORD, "hunter2", "wJalrXUtnFEMI"] {
        assert!(!shown.contains(secret), "{secret} is shown:\n{shown}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&run(policy, &secrets, &["--format", "json"])).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["state"], "not_compliant");
    // The first literal value decides: the access key id, masked by its format.
    let masked = "<secret sha256:";
    assert!(f["remediation"].as_str().unwrap().contains(masked), "{f}");
    assert!(f["fix"].to_string().contains(masked), "{f}");
    assert!(f["explanation"]["bindings"][1]["value"]["value"]
        .as_str()
        .unwrap()
        .starts_with(masked));
    // Without a secret, every value is shown as it is.
    let json: serde_json::Value =
        serde_json::from_str(&run(policy, &plain, &["--format", "json"])).unwrap();
    let f = &json["findings"][0];
    assert_eq!(
        f["remediation"],
        "Move MODE=production-blue of container app to a Secret."
    );
    assert!(!json.to_string().contains(masked));
}

/// The Python that validates OCSF events (`tests/schemas/ocsf_validate.py`, with the
/// `pydantic-ocsf` package), which `./test.sh` prepares; `None` (and a printed line) without it.
fn ocsf_python() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("TENET_OCSF_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root().join("target/ocsf-venv/bin/python"));
    if p.exists() {
        Some(p)
    } else {
        println!(
            "skipped: OCSF schema validation (no {}; ./test.sh installs pydantic-ocsf there)",
            p.display()
        );
        None
    }
}

/// CSV, OCSF and policy reports: snapshots of the example, each checked against its format's
/// rules (column count, OCSF 1.5.0 models, the PolicyReport schema's enums and types), an
/// unreadable input listed as an error in each, and spreadsheet formulas never written.
#[test]
fn data_formats() {
    let dir = scratch("data-formats");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        root().join("examples/inventory.json"),
        dir.join("inventory.json"),
    )
    .unwrap();
    std::fs::write(dir.join("broken.json"), "{\"resources\": [").unwrap();
    let run = |format: &str, inputs: &[&str]| {
        let mut args = vec![
            "check",
            "--standard",
            "examples/standard",
            "--now",
            NOW,
            "--format",
            format,
        ];
        args.extend_from_slice(inputs);
        let o = tenet(&args);
        assert!(matches!(o.status.code(), Some(1 | 2)), "{}", stderr(&o));
        stdout(&o)
    };
    let example = "examples/inventory.json";
    let both = [dir.to_str().unwrap()];

    // CSV: a header and a row per finding, every row as wide as the header.
    let csv = run("csv", &[example]);
    insta::assert_snapshot!("data_csv", csv);
    let rows: Vec<Vec<String>> = parse_csv(&csv);
    assert_eq!(rows[0][0], "recommendation");
    assert_eq!(rows.len(), 1 + 16);
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    let csv = run("csv", &both);
    let rows = parse_csv(&csv);
    let error = rows
        .iter()
        .find(|r| r[4] == "error")
        .expect("the broken file");
    assert!(error[17].ends_with("broken.json"), "{error:?}");

    // A name that a spreadsheet would run as a formula is written as text.
    let hostile = write(
        "formula.json",
        br#"[{"id": "=HYPERLINK(\"http://x\")", "name": "@SUM(1)", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope", "properties": {"supportsHttpsTrafficOnly": false}}]"#,
    );
    let csv = run("csv", &[hostile.to_str().unwrap()]);
    let rows = parse_csv(&csv);
    assert!(rows.len() > 1);
    for row in &rows[1..] {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '@']), "{cell}");
        }
        assert_eq!(row[13], "'=HYPERLINK(\"http://x\")");
    }

    // Policy reports: the PolicyReport schema's required fields, enums and string properties.
    let text = run("policy-report", &[example]);
    let list: serde_json::Value = serde_json::from_str(&text).unwrap();
    insta::assert_snapshot!("data_policy_report", text);
    let check_reports = |list: &serde_json::Value| -> usize {
        assert_eq!(list["kind"], "List");
        let mut results = 0;
        for report in list["items"].as_array().unwrap() {
            assert_eq!(report["apiVersion"], "wgpolicyk8s.io/v1alpha2");
            let kind = report["kind"].as_str().unwrap();
            assert!(["PolicyReport", "ClusterPolicyReport"].contains(&kind));
            assert_eq!(
                report["metadata"]["namespace"].is_string(),
                kind == "PolicyReport"
            );
            let rs = report["results"].as_array().unwrap();
            let summed: u64 = ["pass", "fail", "warn", "error", "skip"]
                .iter()
                .map(|k| report["summary"][k].as_u64().unwrap())
                .sum();
            assert_eq!(summed as usize, rs.len());
            for r in rs {
                assert_eq!(r["policy"], "example-baseline");
                assert!(["pass", "fail", "warn", "error", "skip"]
                    .contains(&r["result"].as_str().unwrap()));
                if let Some(s) = r.get("severity") {
                    assert!(["critical", "high", "medium", "low", "info"]
                        .contains(&s.as_str().unwrap()));
                }
                assert!(r["properties"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|v| v.is_string()));
                assert!(r["timestamp"]["seconds"].as_i64().unwrap() > 0);
                assert_eq!(r["timestamp"]["nanos"], 0);
            }
            results += rs.len();
        }
        results
    };
    assert_eq!(check_reports(&list), 16);
    let list: serde_json::Value = serde_json::from_str(&run("policy-report", &both)).unwrap();
    assert_eq!(check_reports(&list), 17);
    let cluster = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "ClusterPolicyReport")
        .unwrap();
    assert_eq!(cluster["summary"]["error"], 1);

    // OCSF: one Compliance Finding per line, valid for the OCSF 1.5.0 models.
    let ocsf = run("ocsf", &[example]);
    let events: Vec<serde_json::Value> = ocsf
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 16);
    let mut first = events[0].clone();
    first["metadata"]["product"]["version"] = "[version]".into();
    insta::assert_snapshot!(
        "data_ocsf_first_event",
        serde_json::to_string_pretty(&first).unwrap()
    );
    for e in &events {
        assert_eq!(e["class_uid"], 2003);
        assert_eq!(e["type_uid"], 200301);
        assert_eq!(e["finding_info"]["uid"].as_str().unwrap().len(), 16);
        assert!(["Pass", "Fail", "Warning"].contains(&e["compliance"]["status"].as_str().unwrap()));
    }
    let with_error = run("ocsf", &both);
    assert_eq!(with_error.lines().count(), 17);
    if let Some(python) = ocsf_python() {
        for text in [&ocsf, &with_error] {
            let mut child = std::process::Command::new(&python)
                .arg(root().join("tests/schemas/ocsf_validate.py"))
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
            assert_eq!(
                String::from_utf8_lossy(&o.stdout).trim(),
                text.lines().count().to_string()
            );
        }
    }
}

/// A remediation placeholder that reads a secret straight from the resource (no clause held it)
/// shows a mask too: the resource's values under secret names, among what the standard reads,
/// are masked in every remediation and fix.
#[test]
fn a_remediation_placeholder_never_shows_a_secret() {
    let standard = write(
        "placeholder-secret.tenet",
        br#"standard placeholder "Placeholder"
recommendation vm-password "VMs should not take a password" {
  severity high
  applies azure "Microsoft.Compute/virtualMachines"
  compliant when (properties.osProfile.linuxConfiguration.disablePasswordAuthentication ?? false) == true
  remediation "Remove password {properties.osProfile.adminPassword} from {name}."
  fix { set properties.osProfile.adminPassword = properties.osProfile.adminPassword }
}
"#,
    );
    let template = write(
        "placeholder-secret.json",
        br#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"defaulted": {"type": "securestring", "defaultValue": "Pa55w0rd-Default!"}},
  "resources": [
    {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01", "name": "vm1",
     "properties": {"osProfile": {"adminUsername": "azureuser", "adminPassword": "[parameters('defaulted')]"}}},
    {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01", "name": "vm2",
     "properties": {"osProfile": {"adminUsername": "azureuser", "adminPassword": "Literal-Passw0rd!"}}}
  ]}"#,
    );
    for format in ["json", "table", "sarif", "markdown", "csv", "html"] {
        let o = tenet(&[
            "check",
            "--standard",
            standard.to_str().unwrap(),
            template.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let shown = stdout(&o);
        for secret in ["Pa55w0rd-Default!", "Literal-Passw0rd!"] {
            assert!(!shown.contains(secret), "{format} shows {secret}");
        }
        let masked = match format {
            "markdown" => continue,
            "html" => "Remove password &lt;secret sha256:",
            _ => "Remove password <secret sha256:",
        };
        assert!(shown.contains(masked), "{format}: {shown}");
    }
}
