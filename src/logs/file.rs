//! Log files opened in the browser: the format sniffed from the content (never the name),
//! then parsed chunk by chunk as the file is read, so a line or a JSON value split between two
//! chunks reads the same as whole. JSON Lines (the `.jsonl` export, or API pages one a line),
//! a JSON document (an array of entries, a whole API page `{"data": [...]}`, pretty-printed
//! or not), CSV with a header row (columns matched by name), and text (the `.txt` export,
//! anything else line by line). Whatever is not an entry is kept as a plain message; a line
//! longer than `MAX_LINE` is cut there. The JSON document's scanner is in `file_json`.

use super::store::LogStore;
use crate::api::{FlowRunLog, LogLevel};
use crate::time::parse_iso;
use serde_json::{Map, Value};

/// A line (or one JSON value, or CSV record) longer than this is cut here (1 MB).
pub const MAX_LINE: usize = 1_000_000;
/// The format is decided from at most this many bytes: the first line, if it ends before.
pub const SNIFF: usize = 64 * 1024;
/// At most this much text is read from a file (after decompression); the rest is left.
pub const MAX_TEXT_BYTES: u64 = 250_000_000;
/// At most this many entries are read from a file.
pub const MAX_ENTRIES: usize = 1_000_000;

/// What a file holds, as sniffed from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Json,
    /// CSV with its delimiter.
    Csv(u8),
    Text,
    Binary,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::JsonLines => "JSON Lines",
            Format::Json => "JSON",
            Format::Csv(_) => "CSV",
            Format::Text => "text",
            Format::Binary => "binary",
        }
    }
}

/// Whether bytes start as gzip does.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// gzip's last four bytes: the size of the (last member's) content, modulo 4 GiB.
pub fn gzip_size(tail: &[u8]) -> Option<u64> {
    let b: [u8; 4] = tail.try_into().ok()?;
    Some(u64::from(u32::from_le_bytes(b)))
}

/// What reading a file came across besides entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Lines (or values) that were not entries, kept as plain messages.
    pub plain: u64,
    /// Lines (or values) longer than `MAX_LINE`, cut there.
    pub cut: u64,
    /// The first line looked like a CSV header naming no column the viewer reads.
    pub unknown_header: bool,
    /// The file ended inside a JSON value.
    pub truncated: bool,
}

/// A CSV column the viewer reads, by its header's name.
fn column(name: &str) -> Option<&'static str> {
    let n = name.trim().trim_matches('"').trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Some(match n.as_str() {
        "id" | "log_id" | "entry_id" => "id",
        "level" | "log_level" | "severity" | "loglevel" => "log_level",
        "message" | "log_message" | "msg" | "text" => "log_message",
        "step" | "step_id" | "flow_step_id" => "flow_step_id",
        "step_name" | "flow_step_name" | "flow_step" => "step_name",
        "created_at" | "time" | "timestamp" | "date" | "datetime" | "created" => "created_at",
        "run" | "run_id" | "flow_run_id" => "flow_run_id",
        "meta" | "metadata" => "meta",
        "attempts" => "attempts",
        "page_number" | "page" => "page_number",
        "payload_ids" => "payload_ids",
        _ => return None,
    })
}

/// The fields of one CSV record (RFC 4180: quoted fields may hold the delimiter, `""` and line breaks).
pub fn csv_fields(record: &str, delimiter: u8) -> Vec<String> {
    let (mut out, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
        } else if c == '"' && field.is_empty() {
            // Quoted only from a field's start (RFC 4180); elsewhere a quote is text.
            quoted = true;
        } else if c as u32 == u32::from(delimiter) {
            out.push(std::mem::take(&mut field));
        } else {
            field.push(c);
        }
    }
    out.push(field);
    out
}

/// Whether a first line is a header: per delimiter, its columns; the delimiter naming most known columns wins.
fn csv_header(line: &str) -> Option<(u8, Vec<Option<&'static str>>)> {
    [b',', b';', b'\t']
        .into_iter()
        .map(|d| (d, csv_fields(line, d).iter().map(|f| column(f)).collect::<Vec<_>>()))
        .filter(|(_, cols)| cols.len() >= 2)
        .max_by_key(|(_, cols)| cols.iter().filter(|c| c.is_some()).count())
        .filter(|(_, cols)| cols.iter().any(Option::is_some))
}

/// Whether a first line looks like a CSV header all the same: a few short names, delimited.
fn looks_like_header(line: &str) -> bool {
    let fields = csv_fields(line, b',');
    fields.len() >= 2
        && fields.iter().all(|f| {
            !f.is_empty() && f.trim() == f && f.len() <= 40 && f.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | ' ' | '-' | '.'))
        })
}

/// The format of a file from its first bytes (at most `SNIFF` of them are looked at).
pub fn sniff(head: &[u8]) -> Format {
    let head = &head[..head.len().min(SNIFF)];
    let whole_file = head.len() < SNIFF;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let odd = text.chars().filter(|&c| c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace())).count();
    if head.contains(&0) || odd * 16 > text.chars().count().max(1) {
        return Format::Binary;
    }
    let t = text.trim_start();
    let first = t.lines().next().unwrap_or("");
    // The first line ends within what is looked at.
    let complete = t.contains('\n') || whole_file;
    if let Some(rest) = t.strip_prefix('[') {
        if rest.trim_start().starts_with(['{', ']', '"']) || rest.trim_start().is_empty() {
            return Format::Json;
        }
    }
    if t.starts_with('{') {
        return match serde_json::from_str::<Value>(first) {
            Ok(Value::Object(_)) if complete => Format::JsonLines,
            _ => Format::Json,
        };
    }
    match csv_header(first) {
        Some((d, _)) if complete => Format::Csv(d),
        _ => Format::Text,
    }
}

/// An entry of the text export: `<time|-> <level|-> [<step|->] #<id> <message>`.
pub fn text_entry(line: &str) -> Option<FlowRunLog> {
    let (time, rest) = line.split_once(' ')?;
    let created_at_ms = if time == "-" { None } else { Some(parse_iso(time)?) };
    let (level, rest) = rest.trim_start().split_once(' ')?;
    let rest = rest.trim_start().strip_prefix('[')?;
    let (step, rest) = rest.split_once("] #")?;
    let (id, message) = rest.split_once(' ').unwrap_or((rest, ""));
    let some = |s: &str| (s != "-" && !s.is_empty()).then(|| s.to_string());
    Some(FlowRunLog {
        id: some(id)?,
        level: some(level).and_then(|l| LogLevel::from_value(&Value::String(l))),
        step_name: some(step),
        message: message.to_string(),
        created_at_ms,
        ..FlowRunLog::default()
    })
}

/// The incremental parser: `feed` chunks as they are read, then `finish`.
#[derive(Default)]
pub struct FileParser {
    format: Option<Format>,
    /// Bytes kept until the format is known.
    head: Vec<u8>,
    /// The line being read, and whether it passed `MAX_LINE`.
    line: Vec<u8>,
    cut: bool,
    /// Records so far: the id of an entry that has none.
    n: u64,
    columns: Vec<Option<&'static str>>,
    /// A CSV record spanning lines, and whether it is inside a quoted field so far.
    record: String,
    quoted: bool,
    /// A text entry that continuation lines may still extend.
    pending: Option<FlowRunLog>,
    pub(super) doc: super::file_json::Doc,
    pub stats: Stats,
}

impl FileParser {
    pub fn new() -> FileParser {
        FileParser::default()
    }

    pub fn format(&self) -> Option<Format> {
        self.format
    }

    /// Reads a chunk; entries read in full go to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<FlowRunLog>) {
        if self.format.is_none() {
            let want = SNIFF - self.head.len();
            let (take, rest) = bytes.split_at(bytes.len().min(want));
            self.head.extend_from_slice(take);
            bytes = rest;
            // Decided on exactly the first `SNIFF` bytes (or the whole file, if shorter),
            // however the file arrives in chunks.
            if self.head.len() < SNIFF {
                return;
            }
            self.decide(out);
        }
        self.read(bytes, out);
    }

    /// The end of the file: what is still held goes to `out`.
    pub fn finish(&mut self, out: &mut Vec<FlowRunLog>) {
        if self.format.is_none() {
            self.decide(out);
        }
        match self.format {
            Some(Format::Json) => self.doc_finish(out),
            Some(Format::Binary) | None => {}
            Some(_) => {
                if !self.line.is_empty() || self.cut {
                    self.end_line(out);
                }
                if !self.record.is_empty() {
                    let record = std::mem::take(&mut self.record);
                    self.csv_record(record, out);
                }
                out.extend(self.pending.take());
            }
        }
    }

    fn decide(&mut self, out: &mut Vec<FlowRunLog>) {
        let format = sniff(&self.head);
        self.format = Some(format);
        let head = std::mem::take(&mut self.head);
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        if format == Format::Text {
            let first = String::from_utf8_lossy(&head[..head.iter().position(|&b| b == b'\n').unwrap_or(head.len())]);
            self.stats.unknown_header = text_entry(&first).is_none() && looks_like_header(&first);
        }
        self.read(head, out);
    }

    fn read(&mut self, bytes: &[u8], out: &mut Vec<FlowRunLog>) {
        match self.format {
            Some(Format::Json) => self.scan(bytes, out),
            Some(Format::Binary) | None => {}
            Some(_) => {
                for (i, part) in bytes.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        self.end_line(out);
                    }
                    let room = MAX_LINE.saturating_sub(self.line.len());
                    self.cut |= part.len() > room;
                    self.line.extend_from_slice(&part[..part.len().min(room)]);
                }
            }
        }
    }

    fn end_line(&mut self, out: &mut Vec<FlowRunLog>) {
        let bytes = std::mem::take(&mut self.line);
        if std::mem::take(&mut self.cut) {
            self.stats.cut += 1;
        }
        let text = String::from_utf8_lossy(bytes.strip_suffix(b"\r").unwrap_or(&bytes));
        match self.format {
            Some(Format::JsonLines) => self.json_line(&text, out),
            Some(Format::Csv(_)) => self.csv_line(&text, out),
            _ => self.text_line(&text, out),
        }
    }

    fn json_line(&mut self, line: &str, out: &mut Vec<FlowRunLog>) {
        if line.trim().is_empty() {
            return;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(mut m)) if m.get("data").is_some_and(Value::is_array) && !m.contains_key("id") => {
                if let Some(Value::Array(items)) = m.remove("data") {
                    items.into_iter().for_each(|v| self.value(v, out));
                }
            }
            Ok(Value::Array(items)) => items.into_iter().for_each(|v| self.value(v, out)),
            Ok(v @ Value::Object(_)) => self.value(v, out),
            _ => self.plain(line.to_string(), out),
        }
    }

    fn text_line(&mut self, line: &str, out: &mut Vec<FlowRunLog>) {
        if let (Some(rest), Some(p)) = (line.strip_prefix("    "), self.pending.as_mut()) {
            if p.message.len() + rest.len() < MAX_LINE {
                p.message.push('\n');
                p.message.push_str(rest);
            } else {
                self.stats.cut += 1;
            }
            return;
        }
        out.extend(self.pending.take());
        if line.trim().is_empty() {
            return;
        }
        self.n += 1;
        self.pending = Some(text_entry(line).unwrap_or_else(|| {
            self.stats.plain += 1;
            FlowRunLog { id: self.n.to_string(), message: line.to_string(), ..FlowRunLog::default() }
        }));
    }

    fn csv_line(&mut self, line: &str, out: &mut Vec<FlowRunLog>) {
        if !self.record.is_empty() {
            self.record.push('\n');
        }
        self.record.push_str(line);
        let Some(Format::Csv(d)) = self.format else { return };
        self.quoted = still_quoted(line, char::from(d), self.quoted);
        if self.quoted && self.record.len() < MAX_LINE {
            return;
        }
        let record = std::mem::take(&mut self.record);
        self.csv_record(record, out);
    }

    fn csv_record(&mut self, record: String, out: &mut Vec<FlowRunLog>) {
        let Some(Format::Csv(d)) = self.format else { return };
        self.quoted = false;
        if record.trim().is_empty() {
            return;
        }
        if self.columns.is_empty() {
            self.columns = csv_header(&record).map(|(_, c)| c).unwrap_or_default();
            if !self.columns.is_empty() {
                return;
            }
        }
        let (mut m, mut extra) = (Map::new(), Map::new());
        for (i, field) in csv_fields(&record, d).into_iter().enumerate() {
            match self.columns.get(i).copied().flatten() {
                _ if field.is_empty() => {}
                Some("step_name") => {
                    m.insert("flow_step".into(), serde_json::json!({ "name": field }));
                }
                Some("meta") => {
                    m.insert("meta".into(), serde_json::from_str(&field).unwrap_or(Value::String(field)));
                }
                Some(key) => {
                    m.insert(key.into(), Value::String(field));
                }
                None => {
                    extra.insert(format!("column {}", i + 1), Value::String(field));
                }
            }
        }
        if m.is_empty() {
            return self.plain(record, out);
        }
        if !extra.is_empty() && !m.contains_key("meta") {
            m.insert("meta".into(), Value::Object(extra));
        }
        self.value(Value::Object(m), out);
    }

    /// A JSON value read from the file: an entry where it is one (given an id if it has
    /// none), else a plain message.
    pub(super) fn value(&mut self, mut v: Value, out: &mut Vec<FlowRunLog>) {
        self.n += 1;
        if let Value::Object(m) = &mut v {
            if m.get("id").is_none_or(Value::is_null) && !m.contains_key("attributes") {
                m.insert("id".into(), Value::from(self.n));
            }
        }
        match (FlowRunLog::from_value(&v), v) {
            (Some(e), _) => out.push(e),
            (None, Value::String(s)) => self.plain_numbered(s, out),
            (None, v) => self.plain_numbered(v.to_string(), out),
        }
    }

    pub(super) fn plain(&mut self, message: String, out: &mut Vec<FlowRunLog>) {
        self.n += 1;
        self.plain_numbered(message, out);
    }

    fn plain_numbered(&mut self, message: String, out: &mut Vec<FlowRunLog>) {
        self.stats.plain += 1;
        out.push(FlowRunLog { id: self.n.to_string(), message, ..FlowRunLog::default() });
    }
}

/// Whether a CSV record is still inside a quoted field after `line` (`quoted`: it was
/// before it). As RFC 4180 has it, a field is quoted only when it begins with `"`, and `""`
/// in it is a quote: a stray `"` inside a message (`he said "hi`) opens nothing, so it
/// cannot swallow the records after it.
fn still_quoted(line: &str, delimiter: char, mut quoted: bool) -> bool {
    let mut field_start = !quoted;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    quoted = false;
                    field_start = false;
                }
            }
        } else if c == '"' && field_start {
            quoted = true;
        } else {
            field_start = c == delimiter;
        }
    }
    quoted
}

/// Appends a file's entries to the store, none dropped: an id already held (a file may
/// repeat one) becomes `<id>·<p>`, `p` its position in the store, or `<id>·<p>·<k>` if a file
/// holds that too. Each candidate belongs to one position, so ids written to collide can
/// cost each entry only as many tries as the file holds such ids (a walk along one shared
/// sequence was quadratic: 20,000 repeats took minutes). Answers how many were added.
pub fn append_all(store: &mut LogStore, entries: Vec<FlowRunLog>) -> usize {
    let mut added = 0;
    for mut e in entries {
        if store.get(&e.id).is_some() {
            let (id, at) = (std::mem::take(&mut e.id), store.len());
            e.id = format!("{id}·{at}");
            let mut k = 0u64;
            while store.get(&e.id).is_some() {
                k += 1;
                e.id = format!("{id}·{at}·{k}");
            }
        }
        added += store.append(std::iter::once(e));
    }
    added
}
