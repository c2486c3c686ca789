//! Reading the expected transcripts: `insta` snapshot files in
//! `grader/snapshots/`, a YAML header between `---` lines, then the body.

use std::path::PathBuf;

use crate::workspace_root;

/// Where the snapshot of scenario `name` lives.
pub fn path(name: &str) -> PathBuf {
    workspace_root().join("grader/snapshots").join(format!("{name}.snap"))
}

/// The expected transcript of scenario `name`, if its snapshot exists.
pub fn expected(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(path(name)).ok()?;
    Some(body(&text).to_string())
}

/// The body of an insta snapshot file.
fn body(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").unwrap_or(text);
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}

/// Whether `actual` matches the expected body, ignoring trailing blank space
/// (insta stores bodies without it).
pub fn matches(expected: &str, actual: &str) -> bool {
    expected.trim_end() == actual.trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_skips_the_header() {
        assert_eq!(body("---\nsource: x.rs\n---\nline 1\nline 2\n"), "line 1\nline 2\n");
    }
}
