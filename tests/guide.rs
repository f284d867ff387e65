//! The compiler messages quoted in `docs/guide.md` and in the README are the compiler's: each
//! quoted block is, line for line, the start of a trybuild snapshot in `tests/ui/`, which
//! `tests/compile_fail.rs` checks against the compiler.

use std::fs;

/// The ```text blocks of a markdown file that quote a compiler error.
fn quoted_errors(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("```text\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed code block");
        if body.starts_with("error") {
            blocks.push(body[..end].to_string());
        }
        rest = &body[end + 3..];
    }
    blocks
}

fn snapshots() -> Vec<String> {
    let mut all = Vec::new();
    for entry in fs::read_dir("tests/ui").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            all.push(fs::read_to_string(path).unwrap());
        }
    }
    all
}

fn check(file: &str, at_least: usize) {
    let text = fs::read_to_string(file).unwrap();
    let blocks = quoted_errors(&text);
    assert!(
        blocks.len() >= at_least,
        "{file}: {} quoted errors",
        blocks.len()
    );
    let snapshots = snapshots();
    for block in blocks {
        assert!(
            snapshots.iter().any(|s| s.starts_with(&block)),
            "{file} quotes a message no snapshot in tests/ui/ starts with:\n{block}"
        );
    }
}

#[test]
fn the_guide_quotes_the_compiler() {
    check("docs/guide.md", 4);
}

#[test]
fn the_readme_quotes_the_compiler() {
    check("README.md", 1);
}
