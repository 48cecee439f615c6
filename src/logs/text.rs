//! Entries as text: a row's message, search highlights, long messages collapsed, clock and
//! offset times, and the lines of the `.txt` and `.jsonl` exports.

use super::store::fold;
use crate::api::{FlowRunLog, LogLevel};
use crate::time::{civil_from_days, format_datetime};

/// Messages longer than this (in bytes) are collapsed behind "show all".
pub const COLLAPSE_BYTES: usize = 10 * 1024;
/// At most this many characters of a message are put in a row (the detail shows it all).
pub const ROW_CHARS: usize = 400;

/// A message as one row shows it: line breaks as ⏎, at most `ROW_CHARS` characters.
pub fn row_text(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(ROW_CHARS * 4));
    for (n, c) in message.chars().enumerate() {
        if n >= ROW_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str(" ⏎ "),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Splits `text` into pieces, marking those that match the folded `query`.
pub fn highlight(text: &str, folded_query: &str) -> Vec<(String, bool)> {
    if folded_query.is_empty() || text.is_empty() {
        return vec![(text.to_string(), false)];
    }
    let folded = fold(text);
    // Character positions of the matches in `folded`, which line up with `text`'s.
    let q_chars = folded_query.chars().count();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = folded[from..].find(folded_query) {
        let start_byte = from + at;
        let start = folded[..start_byte].chars().count();
        spans.push((start, start + q_chars));
        from = start_byte + folded_query.len().max(1);
        if from >= folded.len() {
            break;
        }
    }
    if spans.is_empty() {
        return vec![(text.to_string(), false)];
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    for (s, e) in spans {
        let (s, e) = (s.min(chars.len()), e.min(chars.len()));
        if s > at {
            out.push((chars[at..s].iter().collect(), false));
        }
        if e > s {
            out.push((chars[s..e].iter().collect(), true));
        }
        at = e;
    }
    if at < chars.len() {
        out.push((chars[at..].iter().collect(), false));
    }
    out
}

/// The first `COLLAPSE_BYTES` of a long message (cut at a character boundary), or `None`
/// when it is short enough to show whole.
pub fn collapsed(message: &str) -> Option<&str> {
    if message.len() <= COLLAPSE_BYTES {
        return None;
    }
    let mut end = COLLAPSE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    Some(&message[..end])
}

/// "14:03:27.120" at an offset east of UTC (the date is in the detail and the export).
pub fn clock_ms(ms: i64, offset_minutes: i32) -> String {
    let shifted = ms.saturating_add(i64::from(offset_minutes) * 60_000);
    let day_ms = shifted.rem_euclid(86_400_000);
    let s = day_ms / 1000;
    format!("{:02}:{:02}:{:02}.{:03}", s / 3600, s / 60 % 60, s % 60, day_ms % 1000)
}

/// "+1:02:03.456" after the run's start ("-" before it).
pub fn offset_ms(ms: i64, start_ms: i64) -> String {
    let d = ms - start_ms;
    let sign = if d < 0 { '-' } else { '+' };
    let a = d.unsigned_abs();
    let s = a / 1000;
    format!("{sign}{}:{:02}:{:02}.{:03}", s / 3600, s / 60 % 60, s % 60, a % 1000)
}

/// "2026-10-30T06:47:31.893Z" (the export's time stamps are UTC, whatever the display).
pub fn iso_ms(ms: i64) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(86_400_000));
    let day_ms = ms.rem_euclid(86_400_000);
    let s = day_ms / 1000;
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", s / 3600, s / 60 % 60, s % 60, day_ms % 1000)
}

/// The date and time of an entry as the detail shows it.
pub fn detail_time(ms: i64, offset_minutes: i32) -> String {
    let full = format_datetime(ms, offset_minutes);
    // Put the milliseconds after the seconds: "2026-10-30 06:47:31.893 UTC".
    match full.split_at_checked(19) {
        Some((head, zone)) => format!("{head}.{:03}{zone}", ms.rem_euclid(1000)),
        None => full,
    }
}

/// Characters an export never holds raw: control characters (C0 with ESC, a bare CR; DEL;
/// C1 with U+0085), the line and paragraph separators some readers split lines at, and the
/// bidirectional controls that make text display in another order than it reads.
pub fn unsafe_in_export(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character `unsafe_in_export` written as a visible escape (`\t`, `\r`,
/// `\u{1b}`), so a line of the export cannot forge another line or move a terminal's cursor.
pub fn escape_for_export(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unsafe_in_export) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if unsafe_in_export(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One entry of the text export: a line, and a message's own lines (LF or CRLF) as
/// continuation lines indented by four spaces, so no entry can pass for the start of another.
/// Every other control character, wherever it is (message, level, step, id), is escaped.
pub fn text_line(e: &FlowRunLog) -> String {
    let time = e.created_at_ms.map(iso_ms).unwrap_or_else(|| "-".into());
    let level = escape_for_export(e.level.as_ref().map(LogLevel::label).unwrap_or("-"));
    let step = escape_for_export(e.step_name.as_deref().or(e.step_id.as_deref()).unwrap_or("-"));
    let message =
        e.message.replace("\r\n", "\n").split('\n').map(|line| escape_for_export(line).into_owned()).collect::<Vec<_>>().join("\n    ");
    format!("{time} {level:<8} [{step}] #{} {message}\n", escape_for_export(&e.id))
}

/// One line of the JSON Lines export: the entry's fields, `meta` and metadata as they came.
/// JSON escapes C0 controls itself; DEL, C1 (U+0085), U+2028/2029 and bidirectional controls,
/// which JSON may hold raw but some line readers split at or show reordered, are escaped too.
pub fn json_line(e: &FlowRunLog) -> String {
    use serde_json::{json, Value};
    let raw = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()).unwrap_or(Value::Null);
    let v = json!({
        "id": e.id,
        "flow_run_id": e.run_id,
        "flow_step_id": e.step_id,
        "flow_step_name": e.step_name,
        "log_level": e.level.as_ref().map(LogLevel::label),
        "log_message": e.message,
        "message": raw(&e.parts),
        "created_at": e.created_at_ms.map(iso_ms),
        "attempts": e.attempts,
        "page_number": e.page_number,
        "payload_ids": e.payload_ids,
        "meta": raw(&e.meta),
        "flow_run_log_metadata": raw(&e.metadata),
    });
    let text = v.to_string();
    // These characters can only be inside JSON strings, where `\uXXXX` means the same.
    let mut s = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if unsafe_in_export(c) {
            s.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            s.push(c);
        }
    }
    s.push('\n');
    s
}

/// The export's file name: `run-<id>-logs.<ext>` with only `A-Z a-z 0-9 - _ .` from the id
/// (anything else becomes `_`, at most 64 of them), so no path, quote or control character
/// reaches the file system or the download bar.
pub fn export_file_name(run_id: &str, ext: &str) -> String {
    let safe = |c: char| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' };
    let id: String = run_id.chars().take(64).map(safe).collect();
    let id = id.trim_start_matches('.');
    let ext: String = ext.chars().map(safe).collect();
    format!("run-{}-logs.{ext}", if id.is_empty() { "_" } else { id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::entry;
    use proptest::prelude::*;

    #[test]
    fn highlight_marks_matches() {
        assert_eq!(
            highlight("Fetched 12 Records, record", "record"),
            vec![("Fetched 12 ".into(), false), ("Record".into(), true), ("s, ".into(), false), ("record".into(), true)]
        );
        assert_eq!(highlight("abc", ""), vec![("abc".into(), false)]);
        assert_eq!(highlight("Заказ", "каз"), vec![("За".into(), false), ("каз".into(), true)]);
    }

    #[test]
    fn rows_and_long_messages() {
        assert_eq!(row_text("a\r\nb"), "a ⏎ b");
        assert_eq!(row_text(&"x".repeat(1000)).chars().count(), ROW_CHARS + 1);
        assert!(collapsed("short").is_none());
        let long = "é".repeat(COLLAPSE_BYTES);
        let head = collapsed(&long).unwrap();
        assert!(head.len() <= COLLAPSE_BYTES && head.len() >= COLLAPSE_BYTES - 1);
    }

    #[test]
    fn times() {
        let ms = 1_793_342_851_893; // 2026-10-30T06:47:31.893Z
        assert_eq!(iso_ms(ms), "2026-10-30T06:47:31.893Z");
        assert_eq!(clock_ms(ms, 60), "07:47:31.893");
        assert_eq!(offset_ms(ms, ms - 3_723_004), "+1:02:03.004");
        assert_eq!(offset_ms(ms, ms + 5), "-0:00:00.005");
        assert_eq!(detail_time(ms, 0), "2026-10-30 06:47:31.893 UTC");
    }

    #[test]
    fn exports() {
        let e = FlowRunLog {
            step_name: Some("Map".into()),
            created_at_ms: Some(1_793_342_851_893),
            meta: Some(r#"{"a":[1,2]}"#.into()),
            payload_ids: vec!["73".into()],
            ..entry(7, LogLevel::Warning, "line one\nline <b>two</b>")
        };
        assert_eq!(text_line(&e), "2026-10-30T06:47:31.893Z WARNING  [Map] #7 line one\n    line <b>two</b>\n");
        let v: serde_json::Value = serde_json::from_str(json_line(&e).trim_end()).unwrap();
        assert_eq!(v["meta"]["a"][1], 2);
        assert_eq!(v["log_message"], "line one\nline <b>two</b>");
        assert_eq!(v["payload_ids"][0], "73");
        assert!(json_line(&e).ends_with("}\n") && json_line(&e).matches('\n').count() == 1);
    }

    #[test]
    fn exports_escape_what_could_forge_lines_or_drive_a_terminal() {
        let e = FlowRunLog {
            step_name: Some("Map\u{1b}[2J".into()),
            level: Some(LogLevel::Other("ERR\rOR".into())),
            ..entry(7, LogLevel::Info, "ok\r2026-01-01T00:00:00.000Z ERROR    [Forged] #8 boom\u{2028}x\u{85}y\u{1b}[31mred\tz")
        };
        let t = text_line(&e);
        assert_eq!(t.matches('\n').count(), 1);
        assert!(!t.trim_end_matches('\n').chars().any(unsafe_in_export), "{t:?}");
        assert!(t.contains("ok\\r2026") && t.contains("\\u{2028}x\\u{85}y\\u{1b}[31mred\\tz") && t.contains("[Map\\u{1b}[2J]"), "{t}");
        assert!(t.contains("ERR\\rOR"), "{t}");
        let j = json_line(&e);
        assert!(!j.trim_end_matches('\n').chars().any(unsafe_in_export), "{j:?}");
        let v: serde_json::Value = serde_json::from_str(j.trim_end()).unwrap();
        assert_eq!(v["log_message"].as_str(), Some(e.message.as_str()), "the JSON still says exactly what came");
    }

    #[test]
    fn export_file_names_are_safe() {
        assert_eq!(export_file_name("42", "txt"), "run-42-logs.txt");
        assert_eq!(export_file_name("../../etc/passwd", "txt"), "run-_.._etc_passwd-logs.txt");
        assert_eq!(export_file_name("a\"b\r\n<c>", "jsonl"), "run-a_b___c_-logs.jsonl");
        assert_eq!(export_file_name("", "txt"), "run-_-logs.txt");
        assert_eq!(export_file_name(&"9".repeat(500), "txt").len(), "run--logs.txt".len() + 64);
    }

    proptest! {
        #[test]
        /// Whatever an entry holds, its `.txt` export is one line, plus its message's own lines
        /// indented as continuations, with no control character or line separator in any.
        fn every_text_export_line_is_one_clean_line(msg in ".{0,40}|[\\x00-\\x1f\\x7f\\u{85}\\u{2028}\\u{2029}a\\n\\r ]{0,20}", step in ".{0,8}", id in ".{0,8}") {
            let e = FlowRunLog { id: id.clone(), step_name: Some(step), ..entry(1, LogLevel::Info, &msg) };
            let t = text_line(&e);
            prop_assert!(t.ends_with('\n'));
            let lines: Vec<&str> = t.trim_end_matches('\n').split('\n').collect();
            prop_assert_eq!(lines.len(), msg.replace("\r\n", "\n").matches('\n').count() + 1);
            for (i, line) in lines.iter().enumerate() {
                prop_assert!(!line.chars().any(unsafe_in_export), "{:?}", line);
                prop_assert!(i == 0 || line.starts_with("    "), "{:?}", line);
            }
        }

        #[test]
        /// Its `.jsonl` export is exactly one line of JSON, with no control character or line
        /// separator, and reads back to the same message.
        fn every_jsonl_export_line_is_one_clean_line(msg in ".{0,40}|[\\x00-\\x1f\\x7f\\u{85}\\u{2028}\\u{2029}\\u{202e}a\\n\\r ]{0,20}") {
            let e = entry(1, LogLevel::Info, &msg);
            let j = json_line(&e);
            prop_assert!(j.ends_with('\n'));
            let body = j.trim_end_matches('\n');
            prop_assert!(!body.chars().any(|c| c == '\n' || unsafe_in_export(c)), "{:?}", body);
            let v: serde_json::Value = serde_json::from_str(body).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(v["log_message"].as_str(), Some(msg.as_str()));
        }

        #[test]
        fn export_file_names_hold_only_safe_characters(id in any::<String>()) {
            let name = export_file_name(&id, "txt");
            prop_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')), "{:?}", name);
            prop_assert!(name.starts_with("run-") && name.ends_with("-logs.txt") && name.len() <= 77);
        }

        #[test]
        /// The pieces put back together are the text, and every marked piece is a match.
        fn highlight_pieces_rebuild_the_text(text in "\\PC{0,40}", q in "\\PC{0,3}") {
            let fq = fold(&q);
            let pieces = highlight(&text, &fq);
            prop_assert_eq!(pieces.iter().map(|(t, _)| t.as_str()).collect::<String>(), text.clone());
            for (piece, marked) in &pieces {
                prop_assert!(!marked || fold(piece) == fq, "{:?} marked for {:?}", piece, fq);
            }
        }

        #[test]
        /// Over a few letters whose lower case changes their length in bytes (İ, K as the
        /// Kelvin sign), matches are frequent: as many pieces are marked as the folded text
        /// holds the term, and the rest is the text between them.
        fn highlight_marks_every_match(text in "[aAİiKkK ]{0,24}", q in "[aAİiKkK]{1,3}") {
            let fq = fold(&q);
            let pieces = highlight(&text, &fq);
            prop_assert_eq!(pieces.iter().map(|(t, _)| t.as_str()).collect::<String>(), text.clone());
            prop_assert_eq!(pieces.iter().filter(|(_, m)| *m).count(), fold(&text).matches(fq.as_str()).count());
        }
    }
}
