//! Finding the elements of a large JSON array without parsing them: one pass that tracks strings
//! and nesting, so the elements can then be parsed (and validated) in parallel. Anything the
//! splitter cannot make sense of is left to the JSON parser to report.

/// Byte ranges of the elements of the array that starts at `text[start]` (which must be `[`),
/// or `None` when the text is not shaped like an array (the caller then parses it whole).
pub fn array_elements(text: &str, start: usize) -> Option<Vec<(usize, usize)>> {
    array_with_end(text, start).map(|(v, _)| v)
}

/// [`array_elements`] and one past the closing bracket.
pub fn array_with_end(text: &str, start: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let b = text.as_bytes();
    let mut i = start;
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    loop {
        i = skip_ws(b, i);
        if b.get(i)? == &b']' && out.is_empty() {
            return Some((out, i + 1));
        }
        let end = value_end(b, i)?;
        out.push((i, end));
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i += 1,
            b']' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// Bytes that matter to the shape of a JSON value: quotes and brackets.
static STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t
};

/// One past the end of the value starting at `b[i]` (shape only; not validated), or `None`
/// when the bytes end first.
pub fn value_end_at(b: &[u8], i: usize) -> Option<usize> {
    value_end(b, i)
}

/// One past the end of the value starting at `i` (shape only; not validated).
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                j += b.get(j..)?.iter().position(|&c| STRUCTURAL[c as usize])?;
                match b.get(j)? {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    _ => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                }
                j += 1;
            }
        }
        _ => {
            let rest = b.get(i..)?;
            let n = rest
                .iter()
                .position(|c| matches!(c, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                .unwrap_or(rest.len());
            Some(i + n)
        }
    }
}

fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        j += memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
        match b.get(j)? {
            b'"' => return Some(j + 1),
            _ => j += 2,
        }
    }
}

/// 1-based line and column (in characters) of ascending offsets, counting incrementally.
pub fn positions(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    // Characters are counted as the bytes that do not continue a UTF-8 sequence.
    let chars = |s: &[u8]| s.iter().filter(|&&c| (c as i8) >= -0x40).count();
    // `col` is the column of `at`: each byte is looked at once, even on one long line.
    let (mut line, mut col, mut at) = (1usize, 1usize, 0usize);
    let mut out = Vec::with_capacity(offsets.len());
    for &o in offsets {
        let o = o.min(b.len()).max(at);
        let seg = &b[at..o];
        match memchr::memrchr(b'\n', seg) {
            Some(k) => {
                line += memchr::memchr_iter(b'\n', seg).count();
                col = 1 + chars(&seg[k + 1..]);
            }
            None => col += chars(seg),
        }
        at = o;
        out.push((line, col));
    }
    out
}

/// The members of the object that starts at `text[start]`: key (without quotes) and value range,
/// plus, for members named in `lists` whose value is an array, the array's element ranges (found
/// in the same pass), and one past the closing brace. `None` when the text is not shaped like an
/// object.
#[allow(
    clippy::type_complexity,
    reason = "a private result tuple read right where it is made"
)]
pub fn object_members<'t>(
    text: &'t str,
    start: usize,
    lists: &[&str],
) -> Option<(
    Vec<(&'t str, (usize, usize), Option<Vec<(usize, usize)>>)>,
    usize,
)> {
    let b = text.as_bytes();
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(b, start + 1);
    let mut out = Vec::new();
    if b.get(i) == Some(&b'}') {
        return Some((out, i + 1));
    }
    loop {
        let kend = string_end(b, i)?;
        let key = text.get(i + 1..kend - 1)?;
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let (vend, elements) = if lists.contains(&key) && b.get(i) == Some(&b'[') {
            let (els, end) = array_with_end(text, i)?;
            (end, Some(els))
        } else {
            (value_end(b, i)?, None)
        };
        out.push((key, (i, vend), elements));
        i = skip_ws(b, vend);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return Some((out, i + 1)),
            _ => return None,
        }
    }
}

/// Whether only white space follows `end`.
pub fn only_space_after(text: &str, end: usize) -> bool {
    skip_ws(text.as_bytes(), end) == text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_arrays() {
        let t = r#" [ {"a": "x]}\"", "b": [1, {"c": null}]}, 2 , "s,]" ,[[]] ] "#;
        let parts: Vec<&str> = array_elements(t, 1)
            .unwrap()
            .iter()
            .map(|(s, e)| &t[*s..*e])
            .collect();
        assert_eq!(
            parts,
            [
                r#"{"a": "x]}\"", "b": [1, {"c": null}]}"#,
                "2",
                r#""s,]""#,
                "[[]]"
            ]
        );
        assert_eq!(array_elements("[]", 0), Some(vec![]));
        assert_eq!(array_elements("[1, 2", 0), None);
        assert_eq!(array_elements("[1 2]", 0), None);
        assert_eq!(
            positions("ab\ncdé\nf", &[0, 4, 8]),
            vec![(1, 1), (2, 2), (3, 1)]
        );
    }
}
