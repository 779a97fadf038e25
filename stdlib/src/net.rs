//! Addresses, CIDR blocks and port ranges.
//!
//! An address or block parses to a closed range of addresses within one family: IPv4 dotted quads
//! (four decimal octets, no leading zeros) and IPv6 (hexadecimal groups, one `::`), each with an
//! optional `/prefix` of decimal digits. IPv4-embedded IPv6 notation (`::ffff:1.2.3.4`) is not
//! accepted. Host bits of a block are ignored. Families never contain each other.

use crate::call::{arg, str_arg, Ctx, Ret};
use serde_json::Value;

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// IPv6 when true.
    pub v6: bool,
    /// First address.
    pub lo: u128,
    /// Last address.
    pub hi: u128,
}

fn prefix_range(addr: u128, bits: u32, prefix: u32) -> (u128, u128) {
    let host = bits - prefix;
    let host_mask: u128 = if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    };
    (addr & !host_mask, addr | host_mask)
}

/// Parses an address or CIDR block.
pub fn parse_block(s: &str) -> Option<Block> {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => {
            if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (a, Some(p.parse::<u32>().ok()?))
        }
        None => (s, None),
    };
    let (v6, value, bits) = if addr.contains(':') {
        if addr.contains('.') {
            return None;
        }
        (
            true,
            u128::from(addr.parse::<std::net::Ipv6Addr>().ok()?),
            128,
        )
    } else {
        (
            false,
            u128::from(u32::from(addr.parse::<std::net::Ipv4Addr>().ok()?)),
            32,
        )
    };
    let prefix = prefix.unwrap_or(bits);
    if prefix > bits {
        return None;
    }
    let (lo, hi) = prefix_range(value, bits, prefix);
    Some(Block { v6, lo, hi })
}

fn blocks(a: &[&Value]) -> Result<Option<(Block, Block)>, crate::call::Fault> {
    let (x, y) = (str_arg(a, 0)?, str_arg(a, 1)?);
    Ok(parse_block(x).zip(parse_block(y)))
}

fn b(v: bool) -> Ret {
    Ok(Some(Value::Bool(v)))
}

pub(crate) fn cidr_contains(a: &[&Value], _: &Ctx) -> Ret {
    b(blocks(a)?.is_some_and(|(x, y)| x.v6 == y.v6 && x.lo <= y.lo && y.hi <= x.hi))
}

pub(crate) fn cidr_overlaps(a: &[&Value], _: &Ctx) -> Ret {
    b(blocks(a)?.is_some_and(|(x, y)| x.v6 == y.v6 && x.lo <= y.hi && y.lo <= x.hi))
}

/// The private ranges `is_private` and `is_public` know.
pub const PRIVATE: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
];

fn private(block: &Block) -> bool {
    PRIVATE
        .iter()
        .filter_map(|p| parse_block(p))
        .any(|p| p.v6 == block.v6 && p.lo <= block.lo && block.hi <= p.hi)
}

pub(crate) fn is_private(a: &[&Value], _: &Ctx) -> Ret {
    b(parse_block(str_arg(a, 0)?).is_some_and(|x| private(&x)))
}

pub(crate) fn is_public(a: &[&Value], _: &Ctx) -> Ret {
    b(parse_block(str_arg(a, 0)?).is_some_and(|x| !private(&x)))
}

pub(crate) fn is_any_source(a: &[&Value], _: &Ctx) -> Ret {
    let s = str_arg(a, 0)?;
    let l = s.to_ascii_lowercase();
    b(l == "*"
        || l == "any"
        || l == "internet"
        || parse_block(s).is_some_and(|x| {
            x.lo == 0
                && x.hi
                    == if x.v6 {
                        u128::MAX
                    } else {
                        u128::from(u32::MAX)
                    }
        }))
}

/// Parses a port spec into inclusive ranges: a number, `"*"`, `"a"`, `"a-b"`, or a comma-separated
/// list of those (spaces around items allowed). Ports are 0 to 65535; anything else is invalid.
pub fn parse_ports(v: &Value) -> Option<Vec<(u32, u32)>> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && (0.0..=65535.0).contains(&f)).then(|| vec![(f as u32, f as u32)])
        }
        Value::String(s) => {
            let mut out = Vec::new();
            for item in s.split(',') {
                let item = item.trim_matches(' ');
                if item == "*" {
                    out.push((0, 65535));
                    continue;
                }
                let (lo, hi) = match item.split_once('-') {
                    Some((l, h)) => (port(l)?, port(h)?),
                    None => (port(item)?, port(item)?),
                };
                if lo > hi {
                    return None;
                }
                out.push((lo, hi));
            }
            Some(out)
        }
        _ => None,
    }
}

fn port(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|p| *p <= 65535)
}

pub(crate) fn ports_overlap(a: &[&Value], _: &Ctx) -> Ret {
    let (x, y) = (parse_ports(arg(a, 0)?), parse_ports(arg(a, 1)?));
    b(match (x, y) {
        (Some(x), Some(y)) => x
            .iter()
            .any(|(l1, h1)| y.iter().any(|(l2, h2)| l1 <= h2 && l2 <= h1)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(f: fn(&[&Value], &Ctx) -> Ret, args: &[Value]) -> bool {
        let refs: Vec<&Value> = args.iter().collect();
        f(&refs, &Ctx::default()) == Ok(Some(json!(true)))
    }

    #[test]
    fn blocks_and_containment() {
        assert!(call(
            cidr_contains,
            &[json!("10.0.0.0/8"), json!("10.1.2.3")]
        ));
        assert!(call(
            cidr_contains,
            &[json!("10.0.0.0/8"), json!("10.1.0.0/16")]
        ));
        assert!(!call(
            cidr_contains,
            &[json!("10.1.0.0/16"), json!("10.0.0.0/8")]
        ));
        assert!(call(
            cidr_overlaps,
            &[json!("10.1.0.0/16"), json!("10.0.0.0/8")]
        ));
        assert!(!call(cidr_contains, &[json!("::/0"), json!("1.2.3.4")]));
        assert!(call(
            cidr_contains,
            &[json!("2001:db8::/32"), json!("2001:db8::1")]
        ));
        assert!(!call(
            cidr_contains,
            &[json!("10.0.0.0/33"), json!("10.0.0.1")]
        ));
        assert!(!call(
            cidr_contains,
            &[json!("Internet"), json!("10.0.0.1")]
        ));
        assert_eq!(parse_block("01.2.3.4"), None);
        assert_eq!(parse_block("::ffff:1.2.3.4"), None);
    }

    #[test]
    fn any_source_in_any_case() {
        for s in ["*", "Internet", "ANY", "0.0.0.0/0", "::/0", "1.2.3.4/0"] {
            assert!(call(is_any_source, &[json!(s)]), "{s}");
        }
        for s in ["0.0.0.0", "10.0.0.0/8", "VirtualNetwork", ""] {
            assert!(!call(is_any_source, &[json!(s)]), "{s}");
        }
        assert!(call(is_public, &[json!("0.0.0.0/0")]));
        assert!(call(is_private, &[json!("192.168.1.0/24")]));
        assert!(!call(is_public, &[json!("192.168.1.0/24")]));
        assert!(call(is_private, &[json!("fd00::1")]));
    }

    #[test]
    fn ports() {
        assert!(call(ports_overlap, &[json!("20-25"), json!(22)]));
        assert!(call(ports_overlap, &[json!("*"), json!("3389")]));
        assert!(call(
            ports_overlap,
            &[json!("80, 443,3380-3390"), json!(3389)]
        ));
        assert!(!call(ports_overlap, &[json!("23-21"), json!(22)]));
        assert!(!call(ports_overlap, &[json!("70000"), json!(22)]));
        assert!(!call(ports_overlap, &[json!(22.5), json!(22)]));
        assert!(call(ports_overlap, &[json!(22), json!("0-100")]));
    }
}
