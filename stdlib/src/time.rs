//! Dates: RFC 3339 parsing and day arithmetic relative to the host's evaluation time.
//!
//! Accepted: `YYYY-MM-DD`, or `YYYY-MM-DD` `T`/`t`/space `HH:MM:SS`, an optional fraction of any
//! length (the first nine digits count), and `Z`/`z` or `±HH:MM`. Seconds are 0 to 59.

use crate::call::{arg, Ctx, Ret};
use crate::value::number;
use serde_json::Value;

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    let mut v = 0i64;
    for c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Parses an RFC 3339 date or date-time into seconds since the epoch.
pub fn parse(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (y, m, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month(y, m)
    {
        return None;
    }
    let days = days_from_civil(y, m, d) as f64;
    if b.len() == 10 {
        return Some(days * 86400.0);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (hh, mm, ss) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let mut at = 19;
    let mut frac = 0.0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        let (mut n, mut k) = (0i64, 0i32);
        while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            if k < 9 {
                n = n * 10 + i64::from(c - b'0');
                k += 1;
            }
            at += 1;
        }
        if at == start {
            return None;
        }
        frac = n as f64 / 10f64.powi(k);
    }
    let offset = match b.get(at) {
        Some(b'Z' | b'z') if b.len() == at + 1 => 0,
        Some(sign @ (b'+' | b'-')) if b.len() == at + 6 && b.get(at + 3) == Some(&b':') => {
            let (oh, om) = (digits(b, at + 1, 2)?, digits(b, at + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some(days * 86400.0 + (hh * 3600 + mm * 60 + ss - offset) as f64 + frac)
}

/// A time argument: a number of seconds, or an RFC 3339 string. `None` when unparsable.
fn seconds(v: &Value) -> Result<Option<f64>, crate::call::Fault> {
    match v {
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) => Ok(parse(s)),
        _ => Err(crate::call::Fault::Type),
    }
}

pub(crate) fn time(a: &[&Value], _: &Ctx) -> Ret {
    Ok(seconds(arg(a, 0)?)?.map(number))
}

pub(crate) fn now(_: &[&Value], ctx: &Ctx) -> Ret {
    Ok(Some(number(ctx.now)))
}

fn between(from: f64, to: f64) -> Value {
    number(((to - from) / 86400.0).floor())
}

pub(crate) fn days_between(a: &[&Value], _: &Ctx) -> Ret {
    let (x, y) = (seconds(arg(a, 0)?)?, seconds(arg(a, 1)?)?);
    Ok(x.zip(y).map(|(x, y)| between(x, y)))
}

pub(crate) fn days_since(a: &[&Value], ctx: &Ctx) -> Ret {
    Ok(seconds(arg(a, 0)?)?.map(|x| between(x, ctx.now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rfc3339() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse("2024-02-29"), Some(1_709_164_800.0));
        assert_eq!(parse("2024-02-29T01:00:00+01:00"), Some(1_709_164_800.0));
        assert_eq!(parse("2024-01-01T00:00:00.5z"), Some(1_704_067_200.5));
        assert_eq!(parse("2023-02-29"), None);
        assert_eq!(parse("2024-01-01T24:00:00Z"), None);
        assert_eq!(parse("2024-01-01T00:00:00"), None);
        assert_eq!(parse("1969-12-31T23:59:59Z"), Some(-1.0));
    }

    #[test]
    fn agrees_with_jiff_on_generated_times() {
        for secs in (-2_000_000_000i64..4_000_000_000).step_by(7_777_777) {
            let ts = jiff::Timestamp::from_second(secs).unwrap();
            let text = ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            assert_eq!(parse(&text), Some(secs as f64), "{text}");
        }
    }
}
