//! Generators of well-typed policies and of resources for the differential tests. Driven by a
//! seed so a failing case is reproducible from its seed alone.

use serde_json::{json, Map, Value};

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Strings that exercise the stdlib's parsers and comparisons.
pub const STRINGS: &[&str] = &[
    "",
    "a",
    "A",
    "Allow",
    "allow",
    "Deny",
    "tcp",
    "TCP",
    "*",
    "22",
    "-1",
    "0065536",
    "1234567890123456",
    "3389",
    "20-25",
    "3380-3390",
    "22,80",
    " 22 , 443 ",
    "0-65535",
    "23-21",
    "70000",
    "0.0.0.0/0",
    "0.0.0.0",
    "::/0",
    "::",
    "Internet",
    "INTERNET",
    "any",
    "VirtualNetwork",
    "10.0.0.0/8",
    "10.1.2.3",
    "172.16.5.4/12",
    "192.168.0.0/16",
    "8.8.8.8",
    "01.2.3.4",
    "1.2.3.4/33",
    "1.2.3.4/032",
    "fe80::1",
    "fd00::/8",
    "2001:db8::/32",
    "::1",
    "1::",
    "1:2:3:4:5:6:7:8",
    "1::2::3",
    "::ffff:1.2.3.4",
    "gggg::",
    "TLS1_0",
    "TLS1_2",
    "TLS1_3",
    "1.2",
    "1.10.0",
    "v1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-beta.11",
    "1.0.0+build",
    "2024-02-29",
    "2023-02-29",
    "2024-02-29T01:00:00+01:00",
    "2026-01-01T00:00:00Z",
    "2025-06-30T12:30:45.5z",
    "2024-01-01T24:00:00Z",
    "1969-12-31T23:59:59Z",
    "prod-web-01",
    "Prod_DB",
    "busybox:latest",
    "nginx@sha256:abc",
    "héllo wörld",
    " padded\t",
    "a,b,,c",
    "x/y/z",
    "Microsoft.Storage/storageAccounts",
];

/// Regex patterns used in generated policies.
pub const REGEXES: &[&str] = &[
    "^[a-z][a-z0-9-]{1,38}[a-z0-9]$",
    "TLS1_[23]",
    "(?i)^prod",
    "^$",
    "[0-9]+",
    "a|b",
    ":latest$",
    "é",
];
/// Glob patterns used in generated policies.
pub const GLOBS: &[&str] = &[
    "*",
    "prod-*",
    "*:latest",
    "Microsoft.*/*",
    "?",
    "[a-c]*",
    "{a,b}*",
];
const NUMBERS: &[f64] = &[
    0.0,
    1.0,
    -1.0,
    2.5,
    22.0,
    443.0,
    3389.0,
    65535.0,
    70000.0,
    1e9,
    -0.5,
    1_767_225_600.0,
];

fn scalar(r: &mut Rng) -> Value {
    match r.below(10) {
        0..=4 => json!(r.pick(STRINGS)),
        5..=6 => tenet_stdlib::value::number(*r.pick(NUMBERS)),
        7 => json!(r.one_in(2)),
        8 => Value::Null,
        _ => tenet_stdlib::value::unknown(),
    }
}

fn any_value(r: &mut Rng, depth: usize) -> Value {
    if depth == 0 || r.below(3) > 0 {
        return scalar(r);
    }
    if r.one_in(2) {
        Value::Array((0..r.below(4)).map(|_| any_value(r, depth - 1)).collect())
    } else {
        object(r, depth - 1)
    }
}

fn object(r: &mut Rng, depth: usize) -> Value {
    let mut m = Map::new();
    for k in ["s", "n", "b", "l", "x"] {
        if !r.one_in(4) {
            let v = match k {
                "s" => json!(r.pick(STRINGS)),
                "n" => tenet_stdlib::value::number(*r.pick(NUMBERS)),
                "b" => json!(r.one_in(2)),
                "l" => Value::Array((0..r.below(4)).map(|_| json!(r.pick(STRINGS))).collect()),
                _ => any_value(r, depth),
            };
            m.insert(k.to_string(), v);
        }
    }
    Value::Object(m)
}

/// A resource with the fields generated policies read (any of them may be absent or odd).
pub fn resource(r: &mut Rng) -> Value {
    let mut m = match object(r, 2) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.insert(
        "type".into(),
        json!(r.pick(&[
            "Microsoft.Storage/storageAccounts",
            "AWS::S3::Bucket",
            "microsoft.storage/STORAGEACCOUNTS"
        ])),
    );
    m.insert("name".into(), json!(r.pick(STRINGS)));
    if !r.one_in(5) {
        m.insert(
            "o".into(),
            Value::Array((0..r.below(5)).map(|_| object(r, 1)).collect()),
        );
    }
    if !r.one_in(5) {
        let mut tags = Map::new();
        for _ in 0..r.below(4) {
            tags.insert(r.pick(STRINGS).to_string(), scalar(r));
        }
        m.insert("m".into(), Value::Object(tags));
    }
    if r.one_in(6) {
        m.insert("o".into(), scalar(r));
    }
    Value::Object(m)
}

fn lit_str(r: &mut Rng) -> String {
    serde_json::to_string(r.pick(STRINGS)).unwrap_or_default()
}

fn lit_num(r: &mut Rng) -> String {
    tenet_stdlib::text::format_number(*r.pick(NUMBERS))
}

/// Builds expressions over the resource and the quantifier variables in scope.
pub struct Policy<'r> {
    r: &'r mut Rng,
    vars: Vec<(String, bool)>,
    next_var: usize,
}

impl<'r> Policy<'r> {
    /// A generator.
    pub fn new(r: &'r mut Rng) -> Policy<'r> {
        Policy {
            r,
            vars: Vec::new(),
            next_var: 0,
        }
    }

    fn path(&mut self) -> String {
        let object_vars: Vec<String> = self
            .vars
            .iter()
            .filter(|v| v.1)
            .map(|v| v.0.clone())
            .collect();
        let scalar_vars: Vec<String> = self
            .vars
            .iter()
            .filter(|v| !v.1)
            .map(|v| v.0.clone())
            .collect();
        match self.r.below(10) {
            0..=2 if !object_vars.is_empty() => {
                let v = self.r.pick(&object_vars).clone();
                format!(
                    "{v}.{}",
                    self.r
                        .pick(&["s", "n", "b", "l", "x", "x.s", "l[0]", "l[-1]", "missing"])
                )
            }
            3 if !scalar_vars.is_empty() => self.r.pick(&scalar_vars).clone(),
            _ => self
                .r
                .pick(&[
                    "s",
                    "n",
                    "b",
                    "l",
                    "x",
                    "x.s",
                    "x.n",
                    "x.l",
                    "name",
                    "o[0].s",
                    "l[1]",
                    "m[\"a\"]",
                    "zz",
                    "self[\"s\"]",
                    "m[s]",
                ])
                .to_string(),
        }
    }

    fn str_val(&mut self, d: usize) -> String {
        match self.r.below(6) {
            0 => lit_str(self.r),
            1 if d > 0 => format!(
                "{}({})",
                self.r.pick(&["lower", "upper", "trim"]),
                self.str_val(d - 1)
            ),
            2 => format!("({} ?? {})", self.path(), lit_str(self.r)),
            _ => self.path(),
        }
    }

    fn num_val(&mut self, d: usize) -> String {
        match self.r.below(9) {
            0 => lit_num(self.r),
            1 if d > 0 => format!("length({})", self.any_val(d - 1)),
            2 if d > 0 => format!(
                "{}({}, {})",
                self.r.pick(&["min", "max"]),
                self.num_val(d - 1),
                self.num_val(d - 1)
            ),
            3 if d > 0 => format!("abs({})", self.num_val(d - 1)),
            4 if d > 0 => format!(
                "{}({}, {})",
                self.r
                    .pick(&["version_compare", "semver_compare", "days_between"]),
                self.str_val(d - 1),
                self.str_val(d - 1)
            ),
            5 if d > 0 => format!(
                "{}({})",
                self.r.pick(&["time", "days_since", "sum"]),
                self.path()
            ),
            6 if d > 0 => {
                let (src, obj) = self.source();
                let body = self.with_var(obj, |p, v| {
                    let b = p.bool_expr(d - 1);
                    format!("count {v} in {src} {{ {b} }}")
                });
                body
            }
            _ => self.path(),
        }
    }

    fn any_val(&mut self, d: usize) -> String {
        match self.r.below(8) {
            0 => self.str_val(d),
            1 => self.num_val(d),
            2 if d > 0 => format!("[{}, {}]", self.any_val(d - 1), self.any_val(d - 1)),
            3 if d > 0 => format!(
                "{}({})",
                self.r.pick(&["keys", "values", "unique"]),
                self.path()
            ),
            4 if d > 0 => format!(
                "split({}, {})",
                self.str_val(d - 1),
                self.r.pick(&["\",\"", "\"\"", "\"/\""])
            ),
            5 => self.r.pick(&["true", "false", "null", "now()"]).to_string(),
            6 if d > 0 => format!("concat({}, [{}])", self.path(), self.any_val(d - 1)),
            7 if d > 0 && self.r.one_in(2) => format!("number({})", self.any_val(d - 1)),
            7 if d > 0 => format!("as_list({})", self.any_val(d - 1)),
            _ => self.path(),
        }
    }

    fn source(&mut self) -> (String, bool) {
        match self.r.below(6) {
            0 => ("l".into(), false),
            1 => ("(l ?? [])".into(), false),
            2 => ("m".into(), false),
            3 => (format!("[{}, {}]", lit_str(self.r), lit_num(self.r)), false),
            5 if self.r.one_in(2) => ("concat(l ?? [], [1, \"x\"])".into(), false),
            4 if self.vars.iter().any(|v| v.1) => {
                let v = self
                    .vars
                    .iter()
                    .filter(|v| v.1)
                    .map(|v| v.0.clone())
                    .collect::<Vec<_>>();
                (format!("{}.l", self.r.pick(&v)), false)
            }
            _ => ("o".into(), true),
        }
    }

    fn with_var(&mut self, object: bool, f: impl FnOnce(&mut Self, String) -> String) -> String {
        let v = format!("v{}", self.next_var);
        self.next_var += 1;
        self.vars.push((v.clone(), object));
        let out = f(self, v);
        self.vars.pop();
        out
    }

    /// A boolean expression of depth at most `d`.
    pub fn bool_expr(&mut self, d: usize) -> String {
        let cmp = ["==", "!=", "<", "<=", ">", ">="];
        match self.r.below(if d == 0 { 5 } else { 13 }) {
            0 => {
                let op = self.r.pick(&cmp[..2]).to_string();
                format!("{} {op} {}", self.path(), self.any_val(d.saturating_sub(1)))
            }
            1 => {
                let op = self.r.pick(&cmp).to_string();
                if self.r.one_in(2) {
                    format!("{} {op} {}", self.path(), self.num_val(d.saturating_sub(1)))
                } else {
                    format!("{} {op} {}", self.str_val(d.saturating_sub(1)), self.path())
                }
            }
            2 => format!(
                "{}({})",
                self.r.pick(&["exists", "missing", "is_unknown"]),
                self.path()
            ),
            3 => {
                let f = self
                    .r
                    .pick(&["is_private", "is_public", "is_any_source"])
                    .to_string();
                format!("{f}({})", self.str_val(d.saturating_sub(1)))
            }
            4 => self.path(),
            5 => format!("{} and {}", self.bool_expr(d - 1), self.bool_expr(d - 1)),
            6 => format!("({} or {})", self.bool_expr(d - 1), self.bool_expr(d - 1)),
            7 => format!("not ({})", self.bool_expr(d - 1)),
            8 => {
                let f = self
                    .r
                    .pick(&[
                        "starts_with",
                        "ends_with",
                        "contains",
                        "cidr_contains",
                        "cidr_overlaps",
                        "port_in",
                        "ports_overlap",
                    ])
                    .to_string();
                let second = if matches!(f.as_str(), "contains" | "port_in" | "ports_overlap") {
                    self.any_val(d - 1)
                } else {
                    self.str_val(d - 1)
                };
                format!("{f}({}, {second})", self.str_val(d - 1))
            }
            9 => {
                if self.r.one_in(2) {
                    format!(
                        "matches({}, {})",
                        self.str_val(d - 1),
                        serde_json::to_string(self.r.pick(REGEXES)).unwrap_or_default()
                    )
                } else {
                    format!(
                        "glob({}, {})",
                        self.str_val(d - 1),
                        serde_json::to_string(self.r.pick(GLOBS)).unwrap_or_default()
                    )
                }
            }
            12 if self.r.one_in(2) => {
                // A condition used as a value: its truth, or missing when undecided.
                let b = if self.r.one_in(2) { "true" } else { "false" };
                format!("({} ?? ({})) == {b}", self.path(), self.bool_expr(d - 1))
            }
            10 => {
                let neg = if self.r.one_in(2) { "not in" } else { "in" };
                format!(
                    "{} {neg} {}",
                    self.any_val(d - 1),
                    self.r
                        .pick(&["l", "m", "s", "[\"a\", 22, \"Allow\"]", "\"Allowance\""])
                )
            }
            _ => {
                let q = self.r.pick(&["any", "all", "none"]).to_string();
                let (src, obj) = self.source();
                let two = src == "m" && self.r.one_in(2);
                self.with_var(obj, |p, v| {
                    if two {
                        p.vars.push((format!("k{v}"), false));
                        let b = p.bool_expr(d - 1);
                        p.vars.pop();
                        format!("{q} k{v}, {v} in {src} {{ {b} }}")
                    } else {
                        let b = p.bool_expr(d - 1);
                        format!("{q} {v} in {src} {{ {b} }}")
                    }
                })
            }
        }
    }
}

/// The selectors generated recommendations pick from (they overlap: the first that selects a
/// resource judges it).
const APPLIES: &[&str] = &[
    "azure \"Microsoft.Storage/storageAccounts\"",
    "* \"*\"",
    "aws [\"AWS::S3::*\", \"x\"]",
    "azure \"microsoft.storage/*\"",
];

/// A condition with its filter, remediation and fix.
fn body(p: &mut Policy) -> String {
    let cond = p.bool_expr(3);
    let when = if p.r.one_in(4) {
        format!("when {}\n", p.bool_expr(1))
    } else {
        String::new()
    };
    let placeholder = p.path().replace('"', "\\\"");
    let rem =
        format!("remediation \"{{name}} has {{s}} / {{{placeholder}}} / {{o[0]}} / {{n}}\"\n");
    let fix = match p.r.below(4) {
        0 => "fix { set s = lower(name ?? \"x\") remove x.s append 1 to l }\n".to_string(),
        1 => format!("fix {{ remove e in o where {} }}\n", {
            p.vars.push(("e".into(), true));
            let b = p.bool_expr(1);
            p.vars.pop();
            b
        }),
        // Through a `let` of alternative paths: the first one present is patched.
        2 if p.r.one_in(2) => {
            "let t = x ?? m ?? self\nfix { set t.s = lower(name ?? \"x\") remove t.n }\n"
                .to_string()
        }
        2 => format!("let t = x.o ?? o\nfix {{ remove e in t where {} }}\n", {
            p.vars.push(("e".into(), true));
            let b = p.bool_expr(1);
            p.vars.pop();
            b
        }),
        _ => String::new(),
    };
    format!("{when}compliant when {cond}\n{rem}{fix}")
}

/// A whole standard of `n` recommendations, with remediation templates and fixes.
pub fn standard(r: &mut Rng, n: usize) -> String {
    let mut out = String::from("standard gen \"Generated\" { version \"0\" }\n");
    for i in 0..n {
        let mut p = Policy::new(r);
        // One body, or (one in three) two `applies … { … }` blocks, each with its own.
        let shapes = if p.r.one_in(3) { 2 } else { 0 };
        let mut rec = String::new();
        for k in 0..shapes.max(1) {
            let applies = p.r.pick(APPLIES).to_string();
            let body = body(&mut p);
            if shapes == 0 {
                rec.push_str(&format!("applies {applies}\n{body}"));
            } else {
                rec.push_str(&format!("applies {applies} {{ // shape {k}\n{body}}}\n"));
            }
        }
        out.push_str(&format!(
            "recommendation r{i} \"R{i}\" {{\nseverity high\n{rec}}}\n"
        ));
    }
    out
}
