//! JSON Pointers (RFC 6901): escaping a member name into one and splitting one into tokens.

/// Appends `s` to a JSON Pointer, escaped (`~` as `~0`, `/` as `~1`).
pub fn escape(s: &str, out: &mut String) {
    if !s.contains(['~', '/']) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// A pointer with one more member.
pub fn child(pointer: &str, key: &str) -> String {
    let mut p = pointer.to_string();
    p.push('/');
    escape(key, &mut p);
    p
}

/// The unescaped tokens of a pointer (`/a~1b/0` is `["a/b", "0"]`).
pub fn tokens(ptr: &str) -> Vec<String> {
    ptr.split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        let p = child(&child("", "a/b~c"), "0");
        assert_eq!(p, "/a~1b~0c/0");
        assert_eq!(tokens(&p), ["a/b~c", "0"]);
        assert!(tokens("").is_empty());
    }
}
