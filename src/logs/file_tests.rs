//! Tests of `file` and `file_json`: every format, bad files, and chunk boundaries.

use super::file::*;
use super::{json_line, text_line, LogStore};
use crate::api::{FlowRunLog, LogLevel};
use proptest::prelude::*;

/// Parses `bytes` fed in chunks of `sizes` (cycled; whole if empty).
fn parse_in(bytes: &[u8], sizes: &[usize]) -> (Vec<FlowRunLog>, Stats, Option<Format>) {
    let (mut p, mut out, mut rest, mut i) = (FileParser::new(), Vec::new(), bytes, 0);
    while !rest.is_empty() {
        let n = sizes.get(i % sizes.len().max(1)).copied().unwrap_or(rest.len()).clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        p.feed(chunk, &mut out);
        rest = tail;
        i += 1;
    }
    p.finish(&mut out);
    (out, p.stats.clone(), p.format())
}

fn parse(text: &str) -> (Vec<FlowRunLog>, Stats, Option<Format>) {
    parse_in(text.as_bytes(), &[])
}

fn sample(n: u32) -> Vec<FlowRunLog> {
    (1..=n)
        .map(|i| FlowRunLog {
            id: (i * 10).to_string(),
            run_id: Some("42".into()),
            step_id: Some((i % 3).to_string()),
            step_name: Some(format!("Step {}", i % 3)),
            level: Some(if i % 4 == 0 { LogLevel::Error } else { LogLevel::Info }),
            message: format!("message {i}, with \"quotes\"\nand a second line"),
            created_at_ms: Some(1_793_342_851_000 + i64::from(i)),
            meta: (i % 2 == 0).then(|| r#"{"k":[1,2]}"#.to_string()),
            ..FlowRunLog::default()
        })
        .collect()
}

#[test]
fn the_jsonl_export_reads_back_the_same() {
    let entries = sample(7);
    let text: String = entries.iter().map(json_line).collect();
    let (read, stats, format) = parse(&text);
    assert_eq!(format, Some(Format::JsonLines));
    assert_eq!(read, entries);
    assert_eq!(stats, Stats::default());
}

#[test]
fn the_text_export_reads_back_with_its_continuation_lines() {
    let entries = sample(5);
    let text: String = entries.iter().map(text_line).collect();
    let (read, stats, format) = parse(&text);
    assert_eq!(format, Some(Format::Text));
    assert_eq!(read.len(), 5);
    assert_eq!(stats.plain, 0);
    for (r, e) in read.iter().zip(&entries) {
        assert_eq!((&r.id, &r.level, &r.message, r.created_at_ms), (&e.id, &e.level, &e.message, e.created_at_ms));
        assert_eq!(r.step_name, e.step_name);
    }
}

#[test]
fn json_arrays_and_api_pages_in_any_layout() {
    let arr = r#"[ {"id": 1, "log_level": "ERROR", "log_message": "a"}, {"log_message": "no id"}, "bare", 7 ]"#;
    let (read, stats, format) = parse(arr);
    assert_eq!(format, Some(Format::Json));
    assert_eq!(read.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(), ["a", "no id", "bare", "7"]);
    assert_eq!(read[1].id, "2");
    assert_eq!(stats.plain, 2);
    let page = "{\n  \"meta\": {\"total\": 2, \"data\": \"x\"},\n  \"data\": [\n    {\"id\": 5, \"log_message\": \"b ] } [\"},\n    {\"id\": 6, \"log_message\": \"c\", \"meta\": {\"data\": [1]}}\n  ],\n  \"links\": {\"next\": null}\n}\n";
    let (read, stats, _) = parse(page);
    assert_eq!(read.iter().map(|e| (e.id.as_str(), e.message.as_str())).collect::<Vec<_>>(), [("5", "b ] } ["), ("6", "c")]);
    assert_eq!(stats, Stats::default());
    // A compact page on one line, pages one a line, and pretty-printed entries one after another.
    let lines = "{\"data\":[{\"id\":1,\"log_message\":\"x\"}]}\n{\"data\":[{\"id\":2,\"log_message\":\"y\"}]}\n";
    assert_eq!(parse(lines).0.len(), 2);
    let pretty = "{\n \"id\": 1,\n \"log_message\": \"p\"\n}\n{\n \"id\": 2\n}\nstray text\n";
    let (read, _, format) = parse(pretty);
    assert_eq!(format, Some(Format::Json));
    assert_eq!(read.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(), ["p", "", "stray text"]);
}

#[test]
fn csv_columns_by_name_with_quoted_fields() {
    let csv = "Created At,Level,Message,Step,Step Name,Extra\r\n2026-10-30T06:47:31Z,error,\"a, \"\"b\"\"\nc\",3,Map,x\r\n,INFO,plain,,,\n";
    let (read, stats, format) = parse(csv);
    assert_eq!(format, Some(Format::Csv(b',')));
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].message, "a, \"b\"\nc");
    assert_eq!(
        (read[0].level.clone(), read[0].step_id.as_deref(), read[0].step_name.as_deref()),
        (Some(LogLevel::Error), Some("3"), Some("Map"))
    );
    assert_eq!(read[0].created_at_ms, Some(1_793_342_851_000));
    assert_eq!(read[0].meta.as_deref(), Some(r#"{"column 6":"x"}"#));
    assert_eq!(read[1].level, Some(LogLevel::Info));
    assert_eq!(stats, Stats::default());
    let (read, _, format) = parse("level;message\nwarn;one;two\n");
    assert_eq!((format, read[0].message.as_str()), (Some(Format::Csv(b';')), "one"));
}

#[test]
fn a_csv_with_a_wrong_header_is_kept_line_by_line() {
    let (read, stats, format) = parse("colour,shape\nred,round\nblue,square\n");
    assert_eq!(format, Some(Format::Text));
    assert!(stats.unknown_header);
    assert_eq!(read.len(), 3);
    assert_eq!(stats.plain, 3);
    assert!(!parse("hello, world\n").1.unknown_header);
}

#[test]
fn unknown_lines_are_kept_as_plain_messages() {
    let text = "{\"id\": 1, \"log_message\": \"ok\"}\nnot json at all\n\n[1, 2\n{\"id\": 2}\n";
    let (read, stats, _) = parse(text);
    assert_eq!(read.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(), ["ok", "not json at all", "[1, 2", ""]);
    assert_eq!(stats.plain, 2);
    let (read, _, format) = parse("2024-01-01 boot\n  at frame\nsecond\n");
    assert_eq!(format, Some(Format::Text));
    assert_eq!(read.len(), 3);
}

#[test]
fn binary_files_long_lines_and_truncated_documents() {
    let (read, _, format) = parse_in(&[0x50, 0x4b, 3, 4, 0, 0, 0xff, 0xfe], &[]);
    assert_eq!((read.len(), format), (0, Some(Format::Binary)));
    let long = format!("{{\"id\":1,\"log_message\":\"{}\"}}\n{{\"id\":2,\"log_message\":\"after\"}}\n", "x".repeat(3 * MAX_LINE));
    let (read, stats, _) = parse(&long);
    assert_eq!(stats.cut, 1);
    assert_eq!(read.len(), 2);
    assert!(read[0].message.len() <= MAX_LINE);
    assert_eq!(read[1].message, "after");
    let (read, stats, _) = parse(r#"[{"id": 1, "log_message": "whole"}, {"id": 2, "log_mes"#);
    assert!(stats.truncated);
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].message, "whole");
    assert_eq!(read[1].message, r#"{"id": 2, "log_mes"#);
}

#[test]
fn gzip_headers_and_sizes() {
    assert!(is_gzip(&[0x1f, 0x8b, 8]) && !is_gzip(b"{"));
    assert_eq!(gzip_size(&[0x40, 0x42, 0x0f, 0]), Some(1_000_000));
    assert_eq!(gzip_size(&[1, 2]), None);
}

#[test]
fn repeated_ids_are_renamed_not_dropped_and_steps_filter() {
    let mut store = LogStore::new();
    let one = |id: &str, step: &str| FlowRunLog { id: id.into(), step_name: Some(step.into()), ..FlowRunLog::default() };
    assert_eq!(append_all(&mut store, vec![one("1", "A"), one("1", "B"), one("1", "A")]), 3);
    assert_eq!(append_all(&mut store, vec![one("1", "B")]), 1);
    assert_eq!(store.len(), 4);
    assert_eq!(store.steps().keys().collect::<Vec<_>>(), ["A", "B"]);
    store.set_step(Some("B".into()));
    assert_eq!(store.visible_len(), 2);
    store.set_query("zzz");
    store.set_step(None);
    assert_eq!((store.visible_len(), store.match_count()), (4, 0));
}

#[test]
fn ids_written_to_collide_with_the_renaming_are_renamed_too() {
    // The names a repeat would be given, written into the file first, then the repeats.
    let n = 2_000;
    let mut entries: Vec<FlowRunLog> = vec![FlowRunLog { id: "x".into(), ..FlowRunLog::default() }];
    entries.extend((1..=3 * n).map(|k| FlowRunLog { id: format!("x·{k}"), ..FlowRunLog::default() }));
    entries.extend((0..n).map(|_| FlowRunLog { id: "x".into(), ..FlowRunLog::default() }));
    let total = entries.len();
    let mut store = LogStore::new();
    assert_eq!(append_all(&mut store, entries), total, "none dropped");
    assert_eq!(store.len(), total);
    let ids: std::collections::HashSet<String> = store.rows().map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), total, "every id distinct");
}

/// Files of every format, as they could be.
fn any_file() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "[a-z ,;\"{}\\[\\]0-9:]{0,30}",
        (0u32..50, "[a-z\"\\\\ ]{0,10}").prop_map(|(i, m)| serde_json::json!({"id": i, "log_message": m, "log_level": "WARN"}).to_string()),
        Just("    continued".to_string()),
        Just("2026-10-30T06:47:31.893Z ERROR    [Map] #7 boom".to_string()),
    ];
    let head = prop_oneof![Just(""), Just("[\n"), Just("{\"data\": [\n"), Just("level,message,step\n"), Just("\u{feff}")];
    (head, prop::collection::vec(line, 0..12), prop::bool::ANY)
        .prop_map(|(h, lines, commas)| format!("{h}{}", lines.join(if commas { ",\n" } else { "\n" })))
}

proptest! {
    #[test]
    /// However a file is cut into chunks, the same entries come out.
    fn chunk_boundaries_change_nothing(file in any_file(), sizes in prop::collection::vec(1usize..9, 1..5)) {
        let whole = parse_in(file.as_bytes(), &[]);
        prop_assert_eq!(parse_in(file.as_bytes(), &sizes), whole);
    }

    #[test]
    /// No bytes make the parser panic, in any chunks.
    fn no_input_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), sizes in prop::collection::vec(1usize..40, 1..4)) {
        let _ = parse_in(&bytes, &sizes);
    }

    #[test]
    /// Every line of a text file is an entry, or a continuation of the one before.
    fn text_lines_are_never_dropped(lines in prop::collection::vec("[a-zA-Z0-9 #\\[\\]:.-]{1,30}", 1..20)) {
        let lines: Vec<String> = lines.into_iter().filter(|l| !l.trim().is_empty() && !l.starts_with(['{', '[', ' '])).collect();
        let (read, _, _) = parse(&lines.join("\n"));
        let text: Vec<&str> = read.iter().map(|e| e.message.as_str()).collect();
        prop_assert_eq!(read.len(), lines.len(), "{:?}", text);
    }
}

#[test]
fn a_stray_quote_in_a_csv_message_keeps_the_records_after_it() {
    let mut text = String::from("id,level,message\n1,info,he said \"hi\n");
    for i in 2..=50 {
        text.push_str(&format!("{i},info,row {i}\n"));
    }
    text.push_str("51,error,\"a quoted\nmessage, two lines\"\n52,info,\"\"\"quoted\"\" words\"\n");
    let (entries, _, format) = parse(&text);
    assert!(matches!(format, Some(Format::Csv(b','))), "{format:?}");
    assert_eq!(entries.len(), 52, "every record its own entry");
    assert_eq!(entries[0].message, "he said \"hi");
    assert_eq!(entries[50].message, "a quoted\nmessage, two lines");
    assert_eq!(entries[51].message, "\"quoted\" words");
}
