//! Test hygiene that `cargo xtask test` enforces: tests that never run because their
//! `#[test]` is missing, and native tests lost without anyone deciding so.
//!
//! Inside `proptest! { … }` a function without `#[test]` compiles, is never called and
//! never fails (`highlight_pieces_rebuild_the_text` sat like that unnoticed), so the source
//! is read as text for it. A lost module, `cfg` or test file leaves no such trace, so the
//! count of native tests that pass may not fall below the floor in `xtask/native-test-floor`.

use crate::util::{root, Result};
use std::path::{Path, PathBuf};

/// Where the Rust sources with tests live, from the workspace root.
pub const SCANNED: [&str; 4] = ["src", "sim/src", "tests", "sim/tests"];
/// The file holding the floor, from the workspace root.
pub const FLOOR_FILE: &str = "xtask/native-test-floor";

/// A function inside a `proptest!` block without `#[test]`: its 1-based line and name.
#[derive(Debug, PartialEq, Eq)]
pub struct Untested {
    pub line: usize,
    pub name: String,
}

/// Every function in a `proptest! { … }` block of Rust source `text` that lacks `#[test]`.
/// A light lexer: comments, strings (raw and byte ones too) and char literals are skipped,
/// so braces and the word `proptest!` inside them do not count; the closure form
/// `proptest!(|(x in …)| …)` has no functions and is left alone.
pub fn untested_props(text: &str) -> Vec<Untested> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Bracket depth ((), [], {} alike), and the depth just inside a proptest! block.
    let mut depth = 0usize;
    let mut block: Option<usize> = None;
    let mut has_test = false;
    let mut last_ident = String::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut nest = 0;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        nest += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        nest -= 1;
                        i += 2;
                        if nest == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(b[i] == b'\n');
                        i += 1;
                    }
                }
            }
            b'"' => i = skip_string(b, i, None, &mut line),
            b'\'' => {
                // A char literal ('x', '\n', '{'), or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    i += if b.get(i + 1 + width) == Some(&b'\'') { width + 2 } else { 1 };
                }
            }
            b'#' if block == Some(depth) && b.get(i + 1) == Some(&b'[') => {
                // An attribute on an item of the block: `#[test]` is the one that matters.
                let Some(end) = matching(b, i + 1) else { break };
                let inner: String = text[i + 2..end - 1].split_whitespace().collect();
                has_test |= inner == "test";
                line += b[i..end].iter().filter(|&&x| x == b'\n').count();
                i = end;
            }
            b'(' | b'[' | b'{' => {
                if c == b'{' && block.is_none() && last_ident == "proptest!" {
                    block = Some(depth + 1);
                    has_test = false;
                }
                depth += 1;
                last_ident.clear();
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                match block {
                    Some(d) if depth < d => block = None,
                    // The end of an item (a function's body) at the block's top level.
                    Some(d) if depth == d && c == b'}' => has_test = false,
                    _ => {}
                }
                last_ident.clear();
                i += 1;
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                let word = &text[start..i];
                let quote = b.get(i).copied();
                if matches!(word, "r" | "br" | "cr") && matches!(quote, Some(b'"' | b'#')) {
                    let hashes = b[i..].iter().take_while(|&&x| x == b'#').count();
                    if b.get(i + hashes) == Some(&b'"') {
                        i = skip_string(b, i + hashes, Some(hashes), &mut line);
                        continue;
                    }
                }
                if matches!(word, "b" | "c") && quote == Some(b'"') {
                    i = skip_string(b, i, None, &mut line);
                    continue;
                }
                if block == Some(depth) && last_ident == "fn" {
                    if !has_test {
                        found.push(Untested { line, name: word.to_string() });
                    }
                    has_test = false;
                }
                last_ident = if word == "proptest" && quote == Some(b'!') {
                    i += 1;
                    "proptest!".into()
                } else {
                    word.to_string()
                };
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                last_ident.clear();
                i += 1;
            }
        }
    }
    found
}

/// The index just past a string whose opening quote is at `at`; `raw` holds the number of
/// `#`s of a raw string (where backslashes escape nothing).
fn skip_string(b: &[u8], at: usize, raw: Option<usize>, line: &mut usize) -> usize {
    let hashes = raw.unwrap_or(0);
    let mut i = at + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if raw.is_none() => {
                *line += usize::from(b.get(i + 1) == Some(&b'\n'));
                i += 2;
            }
            b'"' if b[i + 1..].iter().take(hashes).filter(|&&x| x == b'#').count() == hashes => return i + 1 + hashes,
            x => {
                *line += usize::from(x == b'\n');
                i += 1;
            }
        }
    }
    b.len()
}

/// The index just past the bracket closing the one at `open` (strings inside not counted).
fn matching(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => {
                i = skip_string(b, i, None, &mut 0);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Fails, naming each one, when a function in a `proptest!` block under `SCANNED` lacks
/// `#[test]`.
pub fn check_proptest_tests(root: &Path) -> Result {
    let mut files = Vec::new();
    for dir in SCANNED {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("reading {}: {e}", f.display()))?;
        for u in untested_props(&text) {
            let shown = f.strip_prefix(root).unwrap_or(f).display();
            problems.push(format!("  {shown}:{}: fn {} in proptest! has no #[test], so it never runs", u.line, u.name));
        }
    }
    if problems.is_empty() {
        println!("{} files scanned: every function in a proptest! block has #[test]", files.len());
        Ok(())
    } else {
        Err(format!("property tests that never run (add #[test] above each):\n{}", problems.join("\n")))
    }
}

/// The floor in the text of `xtask/native-test-floor`: its one line that is not blank and
/// not a `#` comment, a whole number.
pub fn parse_floor(text: &str) -> Result<u64> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    match (lines.next().map(str::parse::<u64>), lines.next()) {
        (Some(Ok(n)), None) => Ok(n),
        _ => Err(format!("{FLOOR_FILE} must hold one whole number (lines starting with # are comments)")),
    }
}

/// Layer 1's count against the floor: fewer fails; more passes with a note to raise it.
pub fn judge_native_count(passed: u64, floor: u64) -> Result {
    if passed < floor {
        return Err(format!(
            "layer 1 passed {passed} native tests, fewer than the floor of {floor} in {FLOOR_FILE}: tests were lost \
             (a missing #[test], a dropped module or test file, a cfg). Bring them back; or, if they were removed on \
             purpose, lower the floor to {passed} in the same commit and explain why in its message."
        ));
    }
    if passed > floor {
        println!("note: {passed} native tests passed, above the floor of {floor}: raise it to {passed} in {FLOOR_FILE}");
    }
    Ok(())
}

/// Reads the floor file and judges layer 1's count against it.
pub fn check_native_floor(passed: u64) -> Result {
    let path = root().join(FLOOR_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    judge_native_count(passed, parse_floor(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(usize, String)> {
        untested_props(text).into_iter().map(|u| (u.line, u.name)).collect()
    }

    #[test]
    fn a_property_without_test_is_caught() {
        // The case that hid in src/logs.rs: the last function of a block, after a tested one.
        let src = r#"
mod tests {
    proptest! {
        #[test]
        fn window_never_exceeds_its_bound(top in 0.0f64..1e8) {
            prop_assert!(top >= 0.0);
        }

        fn highlight_pieces_rebuild_the_text(text in "\\PC{0,40}", q in "\\PC{0,3}") {
            let pieces = highlight(&text, &fold(&q));
        }
    }
}
"#;
        assert_eq!(names(src), vec![(9, "highlight_pieces_rebuild_the_text".to_string())]);
    }

    #[test]
    fn tested_properties_pass_in_every_spelling() {
        let src = r##"
proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    /// A doc comment after the attribute, with a brace: {
    fn a(x in "[a-z{}]{0,3}", y in (0..3u8).prop_map(|n| { n + 1 })) {
        let s = '}'; let t = r#"}"{"#; let u = b"{";
        if x.is_empty() { return Ok(()); }
    }

    /// A doc comment before it.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn b(v in proptest::collection::vec(any::<u8>(), 0..3)) { let _ = v; }

    #[ test ]
    fn c<'a>(x in 0..1) { let _: &'a str = ""; }
}
"##;
        assert_eq!(names(src), vec![]);
    }

    #[test]
    fn every_untested_function_of_every_block_is_named() {
        let src = "proptest! { fn one(x in 0..1) {} #[test] fn two(x in 0..1) {} fn three(x in 0..1) { {} } }\n\
                   fn outside() {}\n\
                   mod m { proptest! {\n #[test] fn four(x in 0..1) {}\n #[should_panic]\n fn five(x in 0..1) {} } }";
        assert_eq!(names(src), vec![(1, "one".into()), (1, "three".into()), (6, "five".into())]);
    }

    #[test]
    fn proptest_in_comments_strings_and_closures_is_not_a_block() {
        let src = r#"
// proptest! { fn commented(x in 0..1) {} }
/* proptest! { fn block_commented(x in 0..1) {} /* nested */ } */
const S: &str = "proptest! { fn quoted(x in 0..1) {} }";
#[test]
fn closure_form() {
    proptest!(|(x in 0..1)| { fn helper() {} prop_assert!(x < 1); });
}
fn plain() {}
"#;
        assert_eq!(names(src), vec![]);
    }

    #[test]
    fn the_repository_runs_all_its_properties() {
        check_proptest_tests(&root()).unwrap();
    }

    #[test]
    fn the_floor() {
        assert_eq!(parse_floor("# comment\n\n  160 \n"), Ok(160));
        assert!(parse_floor("160\n161").is_err() && parse_floor("# only comments").is_err() && parse_floor("many").is_err());
        assert!(judge_native_count(160, 160).is_ok() && judge_native_count(170, 160).is_ok());
        let e = judge_native_count(150, 160).unwrap_err();
        assert!(e.contains("150") && e.contains("160") && e.contains(FLOOR_FILE), "{e}");
        // The file in the repository reads.
        parse_floor(&std::fs::read_to_string(root().join(FLOOR_FILE)).unwrap()).unwrap();
    }
}
