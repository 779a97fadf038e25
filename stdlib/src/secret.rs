//! Values that look like secrets, and how every output hides them.
//!
//! Reports repeat what a clause read (`actual`), the elements quantifiers were bound to and the
//! remediation rendered from them. A resource that holds a literal credential must not have it
//! copied into a report uploaded as a CI artifact, so every host passes those values through
//! [`redact`] and texts through [`scrub`], whatever standard runs. A secret is shown as
//! [`mask`]: `<secret sha256:…>`, the first 8 hex digits of its SHA-256, enough to tell two apart
//! and to find the value where one has it, never the value itself. `docs/security.md` lists the
//! rules; the Node host implements the same ones.
//!
//! A string looks like a secret when
//! - it is held under a member whose name reads like one (`password`, `clientSecret`,
//!   `apiKey`, `connectionString`, …; not `secretName`, `passwordSecretRef`, `tokenTtl`, …), or is
//!   the `value` beside such a `name` (environment variables, app settings), and is not a
//!   reference (`{{resolve:…}}`, `${…}`, `$(…)`, `[parameters(…)]`, `@Microsoft.KeyVault(…)`,
//!   `arn:…`, `<…>`) or `true`/`false`;
//! - it contains a credential of a known format (AWS access key id, private key block, GitHub,
//!   Slack, Google and Stripe keys, JSON web tokens, `AccountKey=` / `Password=` in connection
//!   strings);
//! - or it is one token of at least 32 characters of the base64 alphabets with upper case, lower
//!   case and digits, not starting with `/`, whose characters carry at least 4 bits of entropy
//!   each (an AWS secret key, an Azure storage key). In a text, only a whole word can be such a
//!   token: a path, a URL or an address never is.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Credentials of known formats, found anywhere in a text. Word boundaries are ASCII and
/// letters match either case only where spelled out, as in JavaScript, so hosts agree. The
/// pattern is a constant; a unit test proves it compiles.
static KNOWN: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    let b = r"(?-u:\b)";
    let either = |w: &str| -> String {
        w.chars()
            .map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase()))
            .collect()
    };
    let keys = ["AccountKey", "SharedAccessKey", "Password", "Pwd"].map(either);
    let pattern = [
        format!("{b}(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{{16}}{b}"),
        "-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----".into(),
        format!("{b}gh[pousr]_[A-Za-z0-9]{{36,}}"),
        format!("{b}github_pat_[A-Za-z0-9_]{{22,}}"),
        format!("{b}xox[abposr]-[A-Za-z0-9-]{{10,}}"),
        format!("{b}AIza[0-9A-Za-z_-]{{35}}"),
        format!("{b}[sr]k_live_[0-9A-Za-z]{{20,}}"),
        format!("{b}eyJ[A-Za-z0-9_-]{{8,}}\\.eyJ[A-Za-z0-9_-]{{8,}}\\.[A-Za-z0-9_-]{{8,}}"),
        format!("{b}(?:{})=[^; \\t\\r\\n]{{6,}}", keys.join("|")),
    ]
    .join("|");
    regex::Regex::new(&pattern).ok()
});

/// The length of the shortest text [`KNOWN`] matches (`Pwd=` and six characters); shorter
/// strings, most of a document's, are not searched.
const KNOWN_SHORTEST: usize = 10;

/// Whether a text contains a credential of a known format.
fn known(s: &str) -> bool {
    s.len() >= KNOWN_SHORTEST && KNOWN.as_ref().is_some_and(|k| k.is_match(s))
}

/// Words that make a member's name a secret's, by their first letter (the same list as the
/// Node host's `SECRET_WORDS`).
fn secret_words(first: u8) -> &'static [&'static [u8]] {
    match first {
        b'p' => &[b"password", b"passwd", b"passphrase", b"privatekey"],
        b's' => &[b"secret", b"sharedkey", b"sastoken"],
        b't' => &[b"token"],
        b'a' => &[b"apikey", b"accesskey"],
        b'c' => &[b"credential", b"connectionstring"],
        _ => &[],
    }
}

/// Endings that make such a name a reference to, or a setting about, a secret.
const NOT_SECRET_ENDINGS: &[&str] = &[
    "name",
    "names",
    "ref",
    "reference",
    "arn",
    "id",
    "ids",
    "uri",
    "url",
    "path",
    "file",
    "enabled",
    "type",
    "version",
    "policy",
    "length",
    "expiry",
    "expiration",
    "rotation",
    "source",
    "ttl",
    "duration",
    "mode",
    "required",
    "provider",
    "store",
    "count",
    "secrets",
    "keyvault",
    "vault",
    "format",
    "audience",
    "issuer",
    "endpoint",
    "lifetime",
    "days",
    "seconds",
];

/// Whether a member's name reads like a secret's (`dbPassword`, `client_secret`, `API-KEY`),
/// and not like a reference to one (`secretName`, `passwordSecretRef`).
pub fn secret_name(name: &str) -> bool {
    secret_name_bytes(name.as_bytes())
}

/// [`secret_name`] of a name's UTF-8 bytes (only ASCII letters and digits count).
fn secret_name_bytes(name: &[u8]) -> bool {
    // Lower-cased letters and digits, on the stack: this runs for every member of every
    // resource whose remediation is rendered.
    let mut buf = [0u8; 128];
    let mut len = 0;
    for &b in name.iter().filter(|b| b.is_ascii_alphanumeric()) {
        if len == buf.len() {
            let long: Vec<u8> = name
                .iter()
                .copied()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase())
                .collect();
            return secret_letters(&long);
        }
        buf[len] = b.to_ascii_lowercase();
        len += 1;
    }
    secret_letters(&buf[..len])
}

/// [`secret_name`] of a name's lower-cased letters and digits.
fn secret_letters(n: &[u8]) -> bool {
    // A word is compared only where its first letter is: most names hold none of them.
    let word_at = |i: usize| secret_words(n[i]).iter().any(|w| n[i..].starts_with(w));
    ((0..n.len()).any(word_at) || n.ends_with(b"pwd"))
        && !NOT_SECRET_ENDINGS.iter().any(|e| n.ends_with(e.as_bytes()))
}

/// Whether a string held under a secret's name is a literal value rather than a reference to
/// one or a flag.
fn literal(s: &str) -> bool {
    let t = s.trim();
    !(t.is_empty()
        || t.eq_ignore_ascii_case("true")
        || t.eq_ignore_ascii_case("false")
        || t.starts_with("{{resolve:")
        || t.starts_with("${")
        || t.starts_with("$(")
        || (t.starts_with('[') && t.ends_with(']'))
        || t.starts_with("@Microsoft.KeyVault(")
        || t.starts_with("arn:")
        || (t.starts_with('<') && t.ends_with('>'))
        || t == "(known after apply)")
}

/// Whether one token is random enough to be a key: see the module's documentation.
fn random_token(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 32 || b.len() > 4096 || b[0] == b'/' {
        return false;
    }
    let (mut upper, mut lower, mut digit) = (false, false, false);
    let mut counts = [0u32; 128];
    for &c in b {
        match c {
            b'A'..=b'Z' => upper = true,
            b'a'..=b'z' => lower = true,
            b'0'..=b'9' => digit = true,
            b'+' | b'/' | b'=' | b'_' | b'-' => {}
            _ => return false,
        }
        counts[usize::from(c)] += 1;
    }
    if !(upper && lower && digit) {
        return false;
    }
    let n = b.len() as f64;
    let bits: f64 = counts
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let p = f64::from(k) / n;
            -p * p.log2()
        })
        .sum();
    bits >= 4.0
}

/// Whether a string, wherever it is held, looks like a secret (a known format, or a random
/// token).
pub fn looks_secret(s: &str) -> bool {
    random_token(s.trim()) || known(s)
}

/// What a secret is shown as: `<secret sha256:` and the first 8 hex digits of its SHA-256 `>`.
pub fn mask(secret: &str) -> String {
    let d = Sha256::digest(secret.as_bytes());
    let hex: String = d.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("<secret sha256:{hex}>")
}

/// `v` with every string that looks like a secret replaced by its [`mask`], or `None` when
/// nothing in it does (the common case, which allocates nothing). `name` is the name of the
/// member that holds `v`, when known. The secrets found are added to `found`, for [`scrub`].
pub fn redact(v: &Value, name: Option<&str>, found: &mut Vec<String>) -> Option<Value> {
    match v {
        Value::String(s) => {
            if held_secret(s, name) || found.iter().any(|f| f == s) || looks_secret(s) {
                remember(s, found);
                Some(Value::String(mask(s)))
            } else {
                None
            }
        }
        Value::Array(items) => {
            let mut out: Option<Vec<Value>> = None;
            for (i, item) in items.iter().enumerate() {
                if let Some(r) = redact(item, name, found) {
                    out.get_or_insert_with(|| items.clone())[i] = r;
                }
            }
            out.map(Value::Array)
        }
        Value::Object(m) => {
            // `{"name": "DB_PASSWORD", "value": "…"}`: the value is named by its sibling.
            let mut out: Option<serde_json::Map<String, Value>> = None;
            for (k, item) in m {
                let pair = match k.as_str() {
                    "value" => m.get("name").and_then(Value::as_str),
                    _ => None,
                };
                if let Some(r) = redact(item, holder(k, pair), found) {
                    out.get_or_insert_with(|| m.clone()).insert(k.clone(), r);
                }
            }
            out.map(Value::Object)
        }
        _ => None,
    }
}

/// The part of a standard's projection where [`named`] can find a secret: the paths that end
/// under a name read like a secret's (or `value`, named by its sibling), and every part whose
/// names are known only in the document (`all`, or `each` over a map's values). A string
/// anywhere else is held under a name that is not a secret's, so [`named`] walked with this
/// finds exactly what it finds with the whole projection, visiting a few members instead of
/// every one the standard reads. `None` when nothing can be found; computed once per standard.
pub fn holders(projection: &crate::abi::Projection) -> Option<crate::abi::Projection> {
    let h = prune(projection, None, 0)?;
    (h.all || !h.fields.is_empty() || h.each.is_some()).then_some(h)
}

/// [`holders`] of the projection of the member `key` (`None`: a name only the document knows).
fn prune(
    p: &crate::abi::Projection,
    key: Option<&str>,
    depth: usize,
) -> Option<crate::abi::Projection> {
    if p.all || depth > 64 {
        return Some(p.clone());
    }
    let fields: std::collections::BTreeMap<String, crate::abi::Projection> = p
        .fields
        .iter()
        .filter_map(|(k, x)| Some((k.clone(), prune(x, Some(k), depth + 1)?)))
        .collect();
    // An `each` is kept whole in shape: dropping it would make an array's elements read with
    // the member's own projection ([`crate::abi::Projection::element`]).
    let each = p
        .each
        .as_deref()
        .and_then(|e| prune(e, None, depth + 1))
        .map(Box::new);
    let leaf = key.is_none_or(|k| k == "value" || secret_name(k));
    (leaf || !fields.is_empty() || each.is_some()).then_some(crate::abi::Projection {
        all: false,
        fields,
        each,
    })
}

/// Adds to `found` the strings of a resource document held under a secret's name (as
/// [`redact`] names them), walking only the parts `projection` keeps: what the standard reads,
/// which is all a remediation or a fix can repeat. Hosts call it for the resources whose
/// remediation or fix they render, so that a placeholder such as `{properties.adminPassword}`
/// shows a mask even when no clause's value held the secret.
pub fn named(
    v: &Value,
    projection: &crate::abi::Projection,
    name: Option<&str>,
    found: &mut Vec<String>,
) {
    match v {
        Value::String(s) => keep(s, name, found),
        Value::Array(items) => {
            for item in items {
                named(item, projection.element(), name, found);
            }
        }
        Value::Object(m) if !crate::value::is_unknown(v) => {
            for (k, item) in m {
                if let Some(p) = projection.member(k) {
                    let pair = match k.as_str() {
                        "value" => m.get("name").and_then(Value::as_str),
                        _ => None,
                    };
                    named(item, &p, holder(k, pair), found);
                }
            }
        }
        _ => {}
    }
}

/// [`named`] over a document in the value encoding (`crate::value`), as the streaming reader
/// holds it, without decoding it.
pub fn named_encoded(
    v: &[u8],
    projection: &crate::abi::Projection,
    name: Option<&str>,
    found: &mut Vec<String>,
) {
    walk_encoded(v, projection, name.map(str::as_bytes), found);
}

/// [`named_encoded`] with the holder's name as bytes: keys are decoded only where the
/// projection must look one up.
fn walk_encoded(
    v: &[u8],
    projection: &crate::abi::Projection,
    name: Option<&[u8]>,
    found: &mut Vec<String>,
) {
    use crate::value::{as_str, encoded_len, tag};
    let word = |at: usize| -> Option<usize> {
        let w = v.get(at..at + 4)?;
        Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
    };
    // Each member or element in turn: (key, encoded value); `None` ends the walk (a malformed
    // encoding, which the module would have refused).
    let mut at = 9;
    let mut next = |keyed: bool| -> Option<(&[u8], &[u8])> {
        let mut key: &[u8] = &[];
        if keyed {
            let klen = word(at)?;
            key = v.get(at + 4..at + 4 + klen)?;
            at += 4 + klen;
        }
        let n = v.get(at..).and_then(encoded_len)?;
        let item = v.get(at..at + n)?;
        at += n;
        Some((key, item))
    };
    match v.first() {
        // The name first: most are not a secret's, and then the string is not even decoded.
        Some(&tag::STRING) if name.is_some_and(secret_name_bytes) => {
            if let Some(s) = as_str(v).filter(|s| literal(s)) {
                remember(s, found);
            }
        }
        Some(&tag::ARRAY) => {
            for _ in 0..word(1).unwrap_or(0) {
                let Some((_, item)) = next(false) else { return };
                walk_encoded(item, projection.element(), name, found);
            }
        }
        Some(&tag::OBJECT) => {
            // The sibling `name` is looked up only for a `value`.
            let mut pair = None;
            for _ in 0..word(1).unwrap_or(0) {
                let Some((k, item)) = next(true) else { return };
                let p = if projection.all {
                    Some(Cow::Borrowed(projection))
                } else {
                    std::str::from_utf8(k)
                        .ok()
                        .and_then(|k| projection.member(k))
                };
                let Some(p) = p else { continue };
                let held = match k {
                    b"value" => pair
                        .get_or_insert_with(|| {
                            crate::value::member(v, "name")
                                .and_then(as_str)
                                .map(str::as_bytes)
                                .filter(|n| secret_name_bytes(n))
                        })
                        .or(Some(k)),
                    _ => Some(k),
                };
                walk_encoded(item, &p, held, found);
            }
        }
        _ => {}
    }
}

/// Whether a string held under the member `name` is a secret by that name: a literal under a
/// secret's name.
fn held_secret(s: &str, name: Option<&str>) -> bool {
    name.is_some_and(secret_name) && literal(s)
}

/// Adds `s` to `found` when it is a secret by the name it is held under.
fn keep(s: &str, name: Option<&str>, found: &mut Vec<String>) {
    if held_secret(s, name) {
        remember(s, found);
    }
}

/// Adds the secret `s` to `found`, once.
fn remember(s: &str, found: &mut Vec<String>) {
    if !found.iter().any(|f| f == s) {
        found.push(s.to_string());
    }
}

/// The name a member's value is held under: its key, or for the `value` beside a secret's
/// `name` (`{"name": "DB_PASSWORD", "value": "…"}`, environment variables, app settings), that
/// name.
fn holder<'a>(key: &'a str, pair: Option<&'a str>) -> Option<&'a str> {
    if key == "value" && pair.is_some_and(secret_name) {
        pair
    } else {
        Some(key)
    }
}

/// The bytes that make up a word [`scrub`] may mask: letters, digits and `+/=_-.:@%`.
const WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'+' | b'/' | b'=' | b'_' | b'-' | b'.' | b':' | b'@' | b'%'
            );
        i += 1;
    }
    t
};

/// The byte ranges of the words of `text` long enough to be a random token (32 bytes or more):
/// one table lookup per byte, as this runs over every remediation of every finding. Word bytes
/// are ASCII, so each range starts and ends on a character boundary.
fn long_words(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let b = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            while i < b.len() && !WORD[b[i] as usize] {
                i += 1;
            }
            let start = i;
            while i < b.len() && WORD[b[i] as usize] {
                i += 1;
            }
            if i - start >= 32 {
                return Some(start..i);
            }
        }
        None
    })
}

/// `text` with every secret in it replaced by its [`mask`]: the strings in `found` (secrets
/// [`redact`] took from the values the text was made from), credentials of known formats and
/// random tokens.
pub fn scrub<'a>(text: &'a str, found: &[String]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    for f in found {
        if out.contains(f.as_str()) {
            out = Cow::Owned(out.replace(f.as_str(), &mask(f)));
        }
    }
    if let Some(k) = KNOWN.as_ref().filter(|k| k.is_match(&out)) {
        out = Cow::Owned(
            k.replace_all(&out, |c: &regex::Captures<'_>| mask(&c[0]))
                .into(),
        );
    }
    // Words run between characters that cannot be in a key, a path, a URL or an address; a
    // word's trailing `.` or `:` ends a sentence. Only a whole word can be a random token, so
    // `/subscriptions/…/Microsoft.Storage/…` or `https://…` never is.
    let token = |w: &str| random_token(w.trim_end_matches(['.', ':']));
    if long_words(&out).any(|w| token(&out[w])) {
        let mut s = String::with_capacity(out.len());
        let mut done = 0;
        for w in long_words(&out) {
            let t = out[w.clone()].trim_end_matches(['.', ':']);
            if random_token(t) {
                s.push_str(&out[done..w.start]);
                s.push_str(&mask(t));
                done = w.start + t.len();
            }
        }
        s.push_str(&out[done..]);
        out = Cow::Owned(s);
    }
    out
}

/// `v` with [`scrub`] applied to each of its strings, or `None` when none changes.
pub fn scrub_value(v: &Value, found: &[String]) -> Option<Value> {
    match v {
        Value::String(s) => match scrub(s, found) {
            Cow::Owned(t) => Some(Value::String(t)),
            Cow::Borrowed(_) => None,
        },
        Value::Array(items) => {
            let mut out: Option<Vec<Value>> = None;
            for (i, item) in items.iter().enumerate() {
                if let Some(r) = scrub_value(item, found) {
                    out.get_or_insert_with(|| items.clone())[i] = r;
                }
            }
            out.map(Value::Array)
        }
        Value::Object(m) => {
            let mut out: Option<serde_json::Map<String, Value>> = None;
            for (k, item) in m {
                if let Some(r) = scrub_value(item, found) {
                    out.get_or_insert_with(|| m.clone()).insert(k.clone(), r);
                }
            }
            out.map(Value::Object)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn the_known_formats_compile() {
        assert!(KNOWN.is_some());
        // The shortest credential of a known format is still found.
        let shortest = "Pwd=abcdef";
        assert_eq!(shortest.len(), KNOWN_SHORTEST);
        assert!(known(shortest) && !known(&shortest[..KNOWN_SHORTEST - 1]));
    }

    #[test]
    fn names_that_hold_secrets_and_names_that_point_at_them() {
        for n in [
            "password",
            "MasterUserPassword",
            "client_secret",
            "API-KEY",
            "accessKey",
            "AWS_SECRET_ACCESS_KEY",
            "connectionString",
            "adminPwd",
            "githubToken",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "secretName",
            "passwordSecretRef",
            "secretKeyRef",
            "tokenTtl",
            "imagePullSecrets",
            "keyVaultSecretId",
            "expirationSeconds",
            "tokenExpirationSeconds",
            "name",
            "image",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn known_formats_and_random_tokens_are_found_alone() {
        for s in [
            "AKIAIOSFODNN7EXAMPLE",
            AWS_SECRET,
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE…",
            "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=bm90LWEta2V5LWJ1dC1sb25n;",
        ] {
            assert!(looks_secret(s), "{s}");
        }
        for s in [
            "nginx:1.25",
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
            "0.0.0.0/0",
            "TLS1_2",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaAAAA1111",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ] {
            assert!(!looks_secret(s), "{s}");
        }
    }

    #[test]
    fn values_are_redacted_by_their_names_and_siblings_and_references_are_kept() {
        let c = json!({"name": "app", "image": "nginx", "env": [
            {"name": "AWS_SECRET_ACCESS_KEY", "value": "hunter2-but-longer"},
            {"name": "MODE", "value": "prod"},
            {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}
        ], "args": ["--token", "abc"], "password": "{{resolve:secretsmanager:db}}"});
        let mut found = Vec::new();
        let r = redact(&c, None, &mut found).expect("a secret is found");
        assert_eq!(found, vec!["hunter2-but-longer".to_string()]);
        assert_eq!(r["env"][0]["value"], json!(mask("hunter2-but-longer")));
        assert_eq!(r["env"][1], c["env"][1]);
        assert_eq!(r["env"][2], c["env"][2]);
        assert_eq!(r["password"], c["password"]);
        assert_eq!(r["image"], json!("nginx"));
        let r = redact(&json!("x"), Some("MasterUserPassword"), &mut found);
        assert_eq!(r, Some(json!(mask("x"))));
        assert_eq!(
            redact(&json!({"name": "a", "ports": [80]}), None, &mut found),
            None
        );
        let flag = json!({"automountServiceAccountToken": "true", "secretName": "tls"});
        assert_eq!(redact(&flag, None, &mut found), None);
    }

    #[test]
    fn texts_lose_the_secrets_found_and_those_they_carry() {
        let found = vec!["hunter2-but-longer".to_string()];
        let t =
            format!("set hunter2-but-longer and {AWS_SECRET} or AKIAIOSFODNN7EXAMPLE, keep nginx");
        let s = scrub(&t, &found);
        assert!(!s.contains("hunter2") && !s.contains(AWS_SECRET) && !s.contains("AKIAIOSF"));
        assert!(s.contains("keep nginx") && s.contains(&mask(AWS_SECRET)));
        assert!(matches!(scrub("nothing here", &found), Cow::Borrowed(_)));
        let id = "/subscriptions/3f2a9b1c-7d4e-4a5b-9c8d-1e2f3a4b5c6d/resourceGroups/Prod7Qx/providers/Microsoft.Storage/storageAccounts/a";
        assert!(matches!(scrub(id, &[]), Cow::Borrowed(_)));
        let end = format!("the key is {AWS_SECRET}.");
        assert_eq!(
            scrub(&end, &[]),
            format!("the key is {}.", mask(AWS_SECRET))
        );
        let cs = "Server=db;Password=hunter2hunter2;Pwd=x";
        assert_eq!(
            scrub(cs, &[]),
            format!("Server=db;{};Pwd=x", mask("Password=hunter2hunter2"))
        );
    }

    #[test]
    fn the_mask_is_a_short_stable_fingerprint() {
        assert_eq!(mask("secret"), "<secret sha256:2bb80d53>");
    }

    #[test]
    fn named_secrets_are_found_alike_in_values_and_encodings() {
        let doc = serde_json::json!({
            "properties": {"osProfile": {"adminPassword": "Literal-Passw0rd!", "adminUsername": "azureuser"},
                           "ref": {"password": "[parameters('p')]"}},
            "env": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}, {"name": "MODE", "value": "prod"}],
            "unread": {"password": "NotRead-123!"}
        });
        let mut p = crate::abi::Projection::default();
        p.add(&["properties".into()], true);
        p.add(&["env".into(), "*".into()], true);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        super::named(&doc, &p, None, &mut a);
        super::named_encoded(&crate::value::to_bytes(&doc), &p, None, &mut b);
        assert_eq!(a, vec!["Literal-Passw0rd!", "hunter2hunter2"]);
        assert_eq!(a, b);
        // Everything, when the projection keeps everything.
        let all = crate::abi::Projection {
            all: true,
            ..Default::default()
        };
        let mut c = Vec::new();
        super::named_encoded(&crate::value::to_bytes(&doc), &all, None, &mut c);
        assert!(c.contains(&"NotRead-123!".to_string()));
    }

    #[test]
    fn the_holders_of_a_projection_keep_only_where_a_secret_can_be() {
        let mut p = crate::abi::Projection::default();
        for path in [
            "properties.minimumTlsVersion",
            "properties.osProfile.adminPassword",
            "properties.rules.*.port",
            "sku.name",
        ] {
            p.add(
                &path.split('.').map(String::from).collect::<Vec<_>>(),
                false,
            );
        }
        let h = holders(&p).expect("a password is read");
        assert_eq!(h.fields.keys().collect::<Vec<_>>(), ["properties"]);
        let props = &h.fields["properties"];
        // The array's elements may be a map's values, named only in the document: kept.
        assert_eq!(
            props.fields.keys().collect::<Vec<_>>(),
            ["osProfile", "rules"]
        );
        let mut q = crate::abi::Projection::default();
        q.add(&["sku".into(), "name".into()], false);
        assert!(holders(&q).is_none());
        // A `value` is named by its sibling `name`, which only the document says.
        q.add(&["env".into(), "*".into(), "value".into()], false);
        let d = serde_json::json!({"env": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}]});
        let mut found = Vec::new();
        super::named(&d, &holders(&q).expect("a value is read"), None, &mut found);
        assert_eq!(found, ["hunter2hunter2"]);
    }

    /// The member names of the generated documents and projections.
    const KEYS: &[&str] = &[
        "name",
        "value",
        "password",
        "secretName",
        "tags",
        "env",
        "rules",
        "port",
        "token",
    ];

    fn doc() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let key = prop::sample::select(KEYS.to_vec());
        let leaf = prop_oneof![
            Just(Value::String("Literal-Passw0rd!".into())),
            Just(Value::String("DB_PASSWORD".into())),
            Just(Value::String("prod".into())),
            Just(Value::Bool(true)),
            Just(serde_json::json!({"name": "DB_PASSWORD", "value": "hunter2hunter2"})),
        ];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..5).prop_map(|m| Value::Object(
                    m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                )),
            ]
        })
    }

    fn paths() -> impl proptest::strategy::Strategy<Value = Vec<(Vec<String>, bool)>> {
        use proptest::prelude::*;
        let step = prop::sample::select([KEYS, &["*"]].concat());
        prop::collection::vec(
            (
                prop::collection::vec(step.prop_map(String::from), 1..4),
                any::<bool>(),
            ),
            0..5,
        )
    }

    proptest::proptest! {
        #[test]
        fn the_holders_find_what_the_whole_projection_finds(d in doc(), ps in paths()) {
            let mut p = crate::abi::Projection::default();
            for (path, whole) in &ps {
                p.add(path, *whole);
            }
            let mut all = Vec::new();
            super::named(&d, &p, None, &mut all);
            let (mut some, mut encoded) = (Vec::new(), Vec::new());
            if let Some(h) = holders(&p) {
                super::named(&d, &h, None, &mut some);
                super::named_encoded(&crate::value::to_bytes(&d), &h, None, &mut encoded);
            }
            proptest::prop_assert_eq!(&all, &some);
            proptest::prop_assert_eq!(&all, &encoded);
        }
    }

    /// [`scrub`]'s masking of random tokens, written the simple way: every word in turn.
    fn scrub_words_simply(text: &str) -> String {
        let word = |c: char| c.is_ascii_alphanumeric() || "+/=_-.:@%".contains(c);
        let mut s = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(word) {
            s.push_str(&rest[..start]);
            rest = &rest[start..];
            let end = rest.find(|c: char| !word(c)).unwrap_or(rest.len());
            let t = rest[..end].trim_end_matches(['.', ':']);
            if random_token(t) {
                s.push_str(&mask(t));
                s.push_str(&rest[t.len()..end]);
            } else {
                s.push_str(&rest[..end]);
            }
            rest = &rest[end..];
        }
        s.push_str(rest);
        s
    }

    proptest::proptest! {
        #[test]
        fn random_tokens_are_masked_as_the_simple_definition_says(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                AWS_SECRET, "wJalrXUtnFEMI", "K7MDENG", "/", ".", ":", " ", "é", "—", "Storage",
                "Qx9mZ2vT8kLp4RwY7nB3cF6hJ1dS5gA0", "https://example.com/a", "\n",
            ]), 0..12)
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(scrub(&text, &[]), scrub_words_simply(&text));
        }
    }
}
