//! Vulnerability scanner reports read as the images they scanned: a Trivy JSON report
//! (`trivy image --format json`) or a Grype JSON report (`grype -o json`) becomes one
//! `ContainerImage` resource holding the image's names and its vulnerabilities, with the
//! severity each has in the report. Standards attach them to the workloads that run the image
//! through `resources("ContainerImage")` (`c.image in img.names`), as the built-in Kubernetes
//! standard does.
//!
//! The resource: `provider` `container`, `type` `ContainerImage` (or `ScannedArtifact` for a
//! report on something else: a folder, a repository), `id` and `name` the reference scanned,
//! `names` every way a manifest may write that reference (`nginx:1.27`,
//! `docker.io/library/nginx:1.27`, its digests), `scanner`, `vulnerabilities` (`id`, `package`,
//! `installed`, `fixed`, `severity` in lower case, `title`, `url`), `counts` per severity, and
//! per severity a readable list of the fixes (`fixes.critical`: `CVE-… openssl 3.0.11-1 ->
//! 3.0.13-1; …`).

use super::Adapted;
use serde_json::{json, Map, Value};

/// Severities, most severe first, as the resource names them.
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "unknown"];

/// Whether a document is a scanner report: Trivy's (`SchemaVersion` with `ArtifactName` or
/// `Results`) or Grype's (`matches` with `descriptor` or `source`).
pub fn is_report<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    let keys: Vec<&str> = keys.collect();
    let has = |k: &str| keys.contains(&k);
    (has("SchemaVersion") && (has("ArtifactName") || has("Results")))
        || (has("matches") && (has("descriptor") || has("source")))
}

/// One vulnerability as the resource holds it.
struct Vuln {
    id: String,
    package: String,
    installed: String,
    fixed: String,
    severity: &'static str,
    title: String,
    url: String,
}

fn severity(s: &str) -> &'static str {
    let lower = s.to_ascii_lowercase();
    SEVERITIES
        .iter()
        .find(|x| **x == lower)
        .copied()
        .unwrap_or(match lower.as_str() {
            "negligible" => "low",
            _ => "unknown",
        })
}

/// The strings of a list (none when it is not one).
fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The resource of a scanner report.
pub fn resources(doc: &Value) -> Result<Vec<Adapted>, String> {
    let Some(m) = doc.as_object() else {
        return Err(super::adapt_err("not a vulnerability scanner report"));
    };
    let (scanner, reference, image, digests, vulns) = if m.contains_key("matches") {
        grype(m)?
    } else {
        trivy(m)?
    };
    let mut names = Vec::new();
    for r in std::iter::once(&reference).chain(&digests) {
        for n in image_names(r) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let mut counts = Map::new();
    let mut fixes = Map::new();
    for s in SEVERITIES {
        let of: Vec<&Vuln> = vulns.iter().filter(|v| v.severity == s).collect();
        counts.insert(s.into(), json!(of.len()));
        let listed: Vec<String> = of
            .iter()
            .map(|v| {
                let fix = if v.fixed.is_empty() {
                    "no fix yet".to_string()
                } else {
                    format!("-> {}", v.fixed)
                };
                format!("{} {} {} {fix}", v.id, v.package, v.installed)
            })
            .collect();
        fixes.insert(s.into(), json!(listed.join("; ")));
    }
    let list: Vec<Value> = vulns
        .iter()
        .map(|v| {
            json!({"id": v.id, "package": v.package, "installed": v.installed, "fixed": v.fixed,
                   "severity": v.severity, "title": v.title, "url": v.url})
        })
        .collect();
    let resource = json!({
        "provider": "container",
        "type": if image { "ContainerImage" } else { "ScannedArtifact" },
        "id": reference,
        "name": reference,
        "scanner": scanner,
        "names": names,
        "vulnerabilities": list,
        "counts": counts,
        "fixes": fixes,
    });
    Ok(vec![Adapted {
        doc: resource,
        pointer: String::new(),
    }])
}

type Report = (&'static str, String, bool, Vec<String>, Vec<Vuln>);

/// A Trivy report: `ArtifactName`, `ArtifactType`, `Metadata.RepoDigests`, and the
/// `Vulnerabilities` of each of its `Results`.
fn trivy(m: &Map<String, Value>) -> Result<Report, String> {
    let reference = text(m.get("ArtifactName"));
    if reference.is_empty() {
        return Err(super::adapt_err("a Trivy report without `ArtifactName`"));
    }
    let image = m
        .get("ArtifactType")
        .and_then(Value::as_str)
        .is_none_or(|t| t == "container_image");
    let digests = strings(m.get("Metadata").and_then(|x| x.get("RepoDigests")));
    let mut vulns = Vec::new();
    for r in m
        .get("Results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for v in r
            .get("Vulnerabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            vulns.push(Vuln {
                id: text(v.get("VulnerabilityID")),
                package: text(v.get("PkgName")),
                installed: text(v.get("InstalledVersion")),
                fixed: text(v.get("FixedVersion")),
                severity: severity(v.get("Severity").and_then(Value::as_str).unwrap_or("")),
                title: text(v.get("Title")),
                url: text(v.get("PrimaryURL")),
            });
        }
    }
    Ok(("trivy", reference, image, digests, vulns))
}

/// A Grype report: `source.target` (`userInput`, `repoDigests`) and its `matches`.
fn grype(m: &Map<String, Value>) -> Result<Report, String> {
    let source = m.get("source");
    let target = source.and_then(|s| s.get("target"));
    let reference = match target {
        Some(Value::String(s)) => s.clone(),
        Some(t) => text(t.get("userInput")),
        None => String::new(),
    };
    if reference.is_empty() {
        return Err(super::adapt_err("a Grype report without `source.target`"));
    }
    let image = source
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .is_none_or(|t| t == "image");
    let digests = strings(target.and_then(|t| t.get("repoDigests")));
    let mut vulns = Vec::new();
    for x in m
        .get("matches")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let v = x.get("vulnerability");
        let a = x.get("artifact");
        let fixed = v
            .and_then(|v| v.get("fix"))
            .and_then(|f| f.get("versions"))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        vulns.push(Vuln {
            id: text(v.and_then(|v| v.get("id"))),
            package: text(a.and_then(|a| a.get("name"))),
            installed: text(a.and_then(|a| a.get("version"))),
            fixed,
            severity: severity(
                v.and_then(|v| v.get("severity"))
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
            title: text(v.and_then(|v| v.get("description"))),
            url: text(v.and_then(|v| v.get("dataSource"))),
        });
    }
    Ok(("grype", reference, image, digests, vulns))
}

/// Every way a manifest may write an image reference: with and without the default registry
/// (`docker.io`, `index.docker.io`) and its `library/` namespace, and with and without the
/// default tag `latest`. `nginx:1.27` gives `nginx:1.27`, `library/nginx:1.27`,
/// `docker.io/nginx:1.27`, `docker.io/library/nginx:1.27`, ...
pub fn image_names(reference: &str) -> Vec<String> {
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (reference, None),
    };
    // A tag follows the last `:` after the last `/` (a `:` before it is a registry's port).
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
        None => (rest, None),
    };
    let first = name.split('/').next().unwrap_or_default();
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let (registry, path) = if has_registry {
        (first, &name[first.len() + 1..])
    } else {
        ("docker.io", name)
    };
    let mut names: Vec<String> = Vec::new();
    if registry == "docker.io" || registry == "index.docker.io" {
        let short = path.strip_prefix("library/").unwrap_or(path);
        let long = if short.contains('/') {
            short.to_string()
        } else {
            format!("library/{short}")
        };
        for p in [short.to_string(), long] {
            for r in ["", "docker.io/", "index.docker.io/"] {
                let n = format!("{r}{p}");
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
    } else {
        names.push(format!("{registry}/{path}"));
    }
    let mut out = Vec::new();
    for n in &names {
        match (tag, digest) {
            (_, Some(d)) => out.push(format!("{n}@{d}")),
            (Some(t), None) => {
                out.push(format!("{n}:{t}"));
                if t == "latest" {
                    out.push(n.clone());
                }
            }
            (None, None) => {
                out.push(n.clone());
                out.push(format!("{n}:latest"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::image_names;

    #[test]
    fn image_references_in_every_spelling() {
        let n = image_names("nginx:1.27");
        for x in [
            "nginx:1.27",
            "library/nginx:1.27",
            "docker.io/nginx:1.27",
            "docker.io/library/nginx:1.27",
        ] {
            assert!(n.contains(&x.to_string()), "{x} in {n:?}");
        }
        assert!(!n.contains(&"nginx".to_string()));
        assert_eq!(image_names("docker.io/library/nginx:1.27"), n);
        let latest = image_names("nginx");
        assert!(latest.contains(&"nginx:latest".to_string()) && latest.contains(&"nginx".into()));
        let private = image_names("registry.example.com:5000/team/app:2.0");
        assert_eq!(private, vec!["registry.example.com:5000/team/app:2.0"]);
        let digest = image_names("ghcr.io/org/app@sha256:abc");
        assert_eq!(digest, vec!["ghcr.io/org/app@sha256:abc"]);
        assert!(image_names("bitnami/redis:7").contains(&"docker.io/bitnami/redis:7".into()));
    }
}
