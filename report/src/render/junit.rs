//! JUnit XML for test report viewers (Jenkins, GitLab, Azure DevOps): a test case per unhealthy
//! finding, written with `quick-junit`, which escapes every value and drops characters XML
//! cannot hold; control characters from the inventory are first written visibly
//! ([`super::visible`]), so a viewer shows them instead of acting on them.

use super::{message, visible};
use crate::finding::Finding;
use crate::tally::{InputFailure, Summary};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use tenet_stdlib::abi::{Metadata, Outcome};

/// A finding's class: its recommendation, after its group with `--group-by`.
fn classname_of(f: &Finding) -> String {
    match &f.group {
        Some(g) => format!("{g}.{}", f.recommendation),
        None => f.recommendation.clone(),
    }
}

/// A test case named by the resource, with the file and line viewers link to.
fn case(name: &str, classname: &str, status: TestCaseStatus, file: &str, line: usize) -> TestCase {
    let mut c = TestCase::new(visible(name).as_ref(), status);
    c.set_classname(visible(classname).as_ref());
    c.extra.insert("file".into(), visible(file).as_ref().into());
    c.extra.insert("line".into(), line.to_string().into());
    c
}

/// JUnit XML: a test suite per run; a test case per not-compliant or error finding, failed; one
/// per input that could not be read, in error; one per exempt finding, skipped (with the
/// exemption); and one for all the compliant results. `tests`, `failures`, `errors`,
/// `skipped` and `time` are counted by the writer.
pub fn junit(
    meta: &Metadata,
    summary: &Summary,
    findings: &[Finding],
    failed: &[InputFailure],
) -> String {
    let recs = super::by_id(meta);
    let mut suite = TestSuite::new(meta.standard.id.as_str());
    suite.set_time(std::time::Duration::ZERO);
    for f in failed {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_type("input")
            .set_message("not evaluated")
            .set_description(visible(&f.message).as_ref());
        suite.add_test_case(case(&f.file, "input", status, &f.file, f.line));
    }
    for f in findings {
        let status = match f.state {
            Outcome::NotCompliant | Outcome::Error => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_type(f.severity.as_str())
                    .set_message(f.title.as_str())
                    .set_description(visible(&message(f)).as_ref());
                s
            }
            Outcome::Exempt => {
                let mut s = TestCaseStatus::skipped();
                if let Some(x) = &f.exemption {
                    s.set_message(
                        visible(&format!("exempt ({}): {}", x.id, x.justification)).as_ref(),
                    );
                }
                s
            }
            _ => continue,
        };
        let mut c = case(
            &f.resource.identity.id,
            &classname_of(f),
            status,
            &f.resource.origin.file,
            f.line(),
        );
        // What the recommendation maps to, for viewers that show properties.
        c.add_property(Property::new("severity", f.severity.as_str()));
        c.add_property(Property::new("category", f.category.as_str()));
        if let Some(r) = &f.risk {
            c.add_property(Property::new("risk", r.level.as_str()));
        }
        if let Some(r) = recs.get(f.recommendation.as_str()) {
            if let Some(control) = &r.control {
                c.add_property(Property::new("control", visible(control).as_ref()));
            }
            for (fw, ids) in &r.frameworks {
                c.add_property(Property::new(
                    visible(&format!("framework.{fw}")).as_ref(),
                    visible(&ids.join(",")).as_ref(),
                ));
            }
            if !r.tactics.is_empty() {
                c.add_property(Property::new(
                    "tactics",
                    visible(&r.tactics.join(",")).as_ref(),
                ));
            }
            if !r.techniques.is_empty() {
                c.add_property(Property::new(
                    "techniques",
                    visible(&r.techniques.join(",")).as_ref(),
                ));
            }
        }
        suite.add_test_case(c);
    }
    if summary.compliant > 0 {
        let mut c = TestCase::new(
            format!("{} compliant results", summary.compliant),
            TestCaseStatus::success(),
        );
        c.set_classname(meta.standard.id.as_str());
        suite.add_test_case(c);
    }
    let mut report = Report::new("tenet");
    report.set_time(std::time::Duration::ZERO);
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}
