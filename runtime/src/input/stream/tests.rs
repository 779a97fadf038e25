//! Tests of the streamed reader: streaming in small batches reads what reading at once reads,
//! and malformed input is located.

use super::*;
use crate::input::CHUNK;

fn pieces(name: &str, text: &str, chunk: usize) -> Result<Vec<(String, usize, usize)>, InputError> {
    let mut out = Vec::new();
    let ext = Path::new(name).extension().and_then(|e| e.to_str());
    read_bytes(
        name,
        text.as_bytes(),
        ext,
        Format::Auto,
        chunk,
        &mut |b: Batch| {
            for p in &b.pieces {
                match p {
                    Piece::Json {
                        start,
                        end,
                        line,
                        col,
                    } => out.push((
                        String::from_utf8_lossy(&b.text[*start..*end]).into_owned(),
                        *line,
                        *col,
                    )),
                    Piece::Line { start, end, line } => out.push((
                        String::from_utf8_lossy(&b.text[*start..*end]).into_owned(),
                        *line,
                        1,
                    )),
                    Piece::Value {
                        value, line, col, ..
                    } => out.push((value.to_string(), *line, *col)),
                    Piece::Yaml {
                        start,
                        end,
                        line,
                        doc,
                    } => {
                        for p in yaml_values(&b, *start, *end, *line, *doc)? {
                            if let Piece::Value {
                                value, line, col, ..
                            } = p
                            {
                                out.push((value.to_string(), line, col));
                            }
                        }
                    }
                }
            }
            Ok(())
        },
    )?;
    Ok(out)
}

#[test]
fn streaming_equals_whole_reading() {
    let texts = [
        "{\"$schema\": \"x\",\n \"resources\": [\n  {\"type\": \"a\", \"s\": \"]}\\\"\"},\n  {\"type\": \"b\", \"resources\": [{\"x\": 1}]}\n ], \"tail\": [1]}",
        "[ {\"type\": \"a\"} ,\n\n {\"type\": \"é\", \"n\": [1, 2, {\"m\": null}]}, 3 ]",
        "{\"kind\": \"List\", \"apiVersion\": \"v1\", \"items\": [{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"metadata\": {}}]}",
        "{\"type\": \"one\", \"properties\": {\"a\": [1, 2, 3]}}",
    ];
    for t in texts {
        let whole = pieces("a.json", t, CHUNK).unwrap();
        assert!(!whole.is_empty());
        for chunk in [16, 17, 31, 64] {
            assert_eq!(
                pieces("a.json", t, chunk).unwrap(),
                whole,
                "chunk {chunk}: {t}"
            );
        }
    }
    let lines = "{\"type\": \"a\"}\n\n  {\"type\": \"b\"}\n[{\"type\": \"c\"}]";
    let whole = pieces("a.jsonl", lines, CHUNK).unwrap();
    assert_eq!(whole.len(), 3);
    assert_eq!((whole[1].1, whole[2].1), (3, 4));
    assert_eq!(pieces("a.jsonl", lines, 16).unwrap(), whole);
    assert_eq!(pieces("noext", lines, CHUNK).unwrap(), whole, "sniffed");
}

#[test]
fn malformed_input_is_located_when_streaming() {
    // The splitter checks the structure between resources; `scan` checks each resource.
    let t = "[\n {\"type\": \"a\"},\n {\"type\": \"b\"}\n {}]";
    for chunk in [16, CHUNK] {
        let e = pieces("a.json", t, chunk).unwrap_err();
        assert_eq!(
            (e.line, e.col, e.file.as_str()),
            (4, 2, "a.json"),
            "{chunk}: {e}"
        );
    }
    let e = pieces("a.json", "[{\"type\": \"a\"} {}]", 16).unwrap_err();
    assert_eq!(e.line, 1);
    let e = pieces("a.json", "[{\"type\": \"a\"}, {\"type\": \"b\"", 16).unwrap_err();
    assert!(e.message.contains("EOF"), "{e}");
}

#[test]
fn many_yaml_documents_go_to_work_in_batches_in_order() {
    let n = 2000;
    let text = (0..n)
        .map(|i| format!("kind: Pod\napiVersion: v1\nmetadata: {{name: p{i}}}\n"))
        .collect::<Vec<_>>()
        .join("---\n");
    let mut batches = Vec::new();
    read_bytes(
        "a.yaml",
        text.as_bytes(),
        Some("yaml"),
        Format::Auto,
        4096,
        &mut |b: Batch| {
            batches.push((b.first, b.pieces.len(), b.text.len()));
            Ok(())
        },
    )
    .unwrap();
    assert!(batches.len() > 10, "{batches:?}");
    // Each batch holds whole documents, about a read's worth, and follows the one before.
    let mut next = 0;
    for (first, pieces, bytes) in &batches {
        assert_eq!(*first, next);
        assert!(*bytes < 2 * 4096 + 100, "{bytes}");
        next += pieces;
    }
    assert_eq!(next, n);
    let docs = pieces("a.yaml", &text, 4096).unwrap();
    assert_eq!(docs.len(), n);
    assert!(docs.windows(2).all(|w| w[0].1 < w[1].1), "in order");
    assert_eq!(docs[n - 1].1, 4 * (n - 1) + 1);
    assert_eq!(docs, pieces("a.yaml", &text, CHUNK).unwrap());
}

#[test]
fn yaml_is_cut_where_documents_start_and_end() {
    // Comments and directives go with the document after them; `...` ends one; a block
    // scalar's lines that only look like markers (indented, or longer) stay in it.
    let text = "# head\n%YAML 1.2\n---\na: 1\ns: |\n  ---\n  ...\n----: 2\n...\n# between\n---\nb: 2\n...\nc: 3\n---\n";
    for chunk in [16, 17, 64, CHUNK] {
        let mut cut = Vec::new();
        read_bytes(
            "a.yaml",
            text.as_bytes(),
            Some("yaml"),
            Format::Auto,
            chunk,
            &mut |b: Batch| {
                for p in &b.pieces {
                    if let Piece::Yaml {
                        start,
                        end,
                        line,
                        doc,
                    } = p
                    {
                        let t = String::from_utf8_lossy(&b.text[*start..*end]).into_owned();
                        cut.push((t, *line, *doc));
                    }
                }
                Ok(())
            },
        )
        .unwrap();
        let want = [
            (
                "# head\n%YAML 1.2\n---\na: 1\ns: |\n  ---\n  ...\n----: 2\n...\n",
                1,
                0,
            ),
            ("# between\n---\nb: 2\n...\n", 10, 1),
            ("c: 3\n", 14, 2),
            ("---\n", 15, 3),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(t, l, d)| (t.to_string(), *l, *d))
            .collect();
        assert_eq!(cut, want, "chunk {chunk}");
        let docs = pieces("a.yaml", text, chunk).unwrap();
        assert_eq!(
            docs,
            [
                (r#"{"a":1,"s":"---\n...\n","----":2}"#.to_string(), 4, 1),
                (r#"{"b":2}"#.to_string(), 12, 1),
                (r#"{"c":3}"#.to_string(), 14, 1),
                ("null".to_string(), 16, 1),
            ]
        );
    }
}

#[test]
fn a_yaml_document_that_does_not_parse_is_located_in_its_file() {
    let text = "a: 1\n---\nb: [1,\n---\nc: 3\n";
    let e = pieces("a.yaml", text, 16).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("a.yaml", 4), "{e}");
}
