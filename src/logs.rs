//! The log viewer's logic, without the browser: the store of loaded entries (in order, no
//! duplicates), level counts and filter, search over every loaded entry, the virtual
//! list's window, the cost of loading everything, and the text and JSON Lines exports.
//!
//! Everything here is incremental where it has to be: appending a page of 100 entries to
//! 200,000 costs O(100), not O(200,000), so loading all stays linear.

use crate::api::{FlowRunLog, LogLevel};
use crate::time::{civil_from_days, format_datetime};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Height of one row of the virtual list, in CSS pixels (the stylesheet uses the same).
pub const ROW_HEIGHT: f64 = 24.0;
/// Rows rendered above and below the viewport.
pub const OVERSCAN: usize = 12;
/// Messages longer than this (in bytes) are collapsed behind "show all".
pub const COLLAPSE_BYTES: usize = 10 * 1024;
/// At most this many characters of a message are put in a row (the detail shows it all).
pub const ROW_CHARS: usize = 400;
/// Entries per request when loading everything (the API's maximum).
pub const LOAD_PER_PAGE: u32 = 100;
/// Loading more than this many pages asks first.
pub const CONFIRM_PAGES: u64 = 50;
/// The real API's documented limit, for the estimate shown before a large load.
pub const API_PER_MINUTE: u32 = 240;

/// Lower-cases character by character, one character for one, so that positions in the
/// folded text map back to the original by counting characters.
pub fn fold(s: &str) -> String {
    s.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

/// The text search looks at: the message and the step's name, folded. `None` when both are
/// ASCII: those are searched in place ([`contains_ascii_folded`]), so most entries keep no
/// second copy of their text.
fn haystack(e: &FlowRunLog) -> Option<Box<str>> {
    if e.message.is_ascii() && e.step_name.as_deref().is_none_or(str::is_ascii) {
        return None;
    }
    let mut s = fold(&e.message);
    if let Some(step) = &e.step_name {
        s.push('\u{1}');
        s.push_str(&fold(step));
    }
    Some(s.into_boxed_str())
}

/// Whether ASCII `text` contains `query` (already folded) ignoring ASCII case. A query with
/// other characters cannot be in ASCII text: folding keeps ASCII ASCII.
fn contains_ascii_folded(text: &str, query: &str) -> bool {
    let (h, q) = (text.as_bytes(), query.as_bytes());
    let Some((&first, rest)) = q.split_first() else { return true };
    if !q.is_ascii() || h.len() < q.len() {
        return false;
    }
    // Without letters case does not matter (ids, numbers, paths): the standard search.
    if !q.iter().any(u8::is_ascii_alphabetic) {
        return text.contains(query);
    }
    // Jump from one occurrence of the first byte (either case) to the next, then compare.
    let upper = first.to_ascii_uppercase();
    let last_start = h.len() - q.len();
    let mut i = 0;
    while let Some(p) = h[i..=last_start].iter().position(|&b| b == first || b == upper) {
        let at = i + p;
        if h[at + 1..at + q.len()].iter().zip(rest).all(|(a, b)| a.to_ascii_lowercase() == *b) {
            return true;
        }
        i = at + 1;
        if i > last_start {
            break;
        }
    }
    false
}

/// Entries per chunk of [`Chunked`].
const CHUNK: usize = 4096;

/// A list that grows by whole chunks: appending never moves what is already held. (One `Vec`
/// of 200,000 log entries holds two copies of itself for a moment each time it grows, and a
/// wasm heap never gives memory back, so that moment sets the tab's memory for good.)
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<T> Chunked<T> {
    fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(item),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(item);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    fn len(&self) -> usize {
        self.len
    }

    fn last(&self) -> Option<&T> {
        self.chunks.last()?.last()
    }
}

/// Whether entry `e` (with its folded text, if it has one) contains the folded `query`.
fn matches(e: &FlowRunLog, folded: Option<&str>, query: &str) -> bool {
    match folded {
        Some(f) => f.contains(query),
        None => contains_ascii_folded(&e.message, query) || e.step_name.as_deref().is_some_and(|s| contains_ascii_folded(s, query)),
    }
}

/// The loaded entries of one log view, and what is derived from them.
#[derive(Default)]
pub struct LogStore {
    entries: Chunked<FlowRunLog>,
    /// Per entry, its folded text when it is not all ASCII (see [`haystack`]).
    folded: Chunked<Option<Box<str>>>,
    by_id: HashMap<String, usize>,
    counts: BTreeMap<Option<LogLevel>, usize>,
    /// Levels shown; empty means all.
    levels: BTreeSet<LogLevel>,
    /// Indices into `entries` of the rows shown (those passing the level filter).
    visible: Vec<u32>,
    /// The folded search term; empty means no search.
    query: String,
    /// Positions in `visible` whose entry matches `query`.
    matches: Vec<u32>,
}

impl LogStore {
    pub fn new() -> LogStore {
        LogStore::default()
    }

    /// Forgets every entry (keeps the level filter and the search).
    pub fn clear(&mut self) {
        let (levels, query) = (std::mem::take(&mut self.levels), std::mem::take(&mut self.query));
        *self = LogStore { levels, query, ..LogStore::default() };
    }

    /// Appends entries in order, skipping ids already held; answers how many were new.
    pub fn append(&mut self, items: impl IntoIterator<Item = FlowRunLog>) -> usize {
        let mut added = 0;
        for e in items {
            if self.by_id.contains_key(&e.id) {
                continue;
            }
            let i = self.entries.len();
            self.by_id.insert(e.id.clone(), i);
            *self.counts.entry(e.level.clone()).or_default() += 1;
            let folded = haystack(&e);
            if self.passes(&e) {
                let pos = self.visible.len() as u32;
                self.visible.push(i as u32);
                if !self.query.is_empty() && matches(&e, folded.as_deref(), &self.query) {
                    self.matches.push(pos);
                }
            }
            self.folded.push(folded);
            self.entries.push(e);
            added += 1;
        }
        added
    }

    fn passes(&self, e: &FlowRunLog) -> bool {
        self.levels.is_empty() || e.level.as_ref().is_some_and(|l| self.levels.contains(l))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    pub fn last_id(&self) -> Option<&str> {
        self.entries.last().map(|e| e.id.as_str())
    }

    /// Entries per level, most severe first (entries without a level last).
    pub fn counts(&self) -> Vec<(Option<LogLevel>, usize)> {
        let mut v: Vec<_> = self.counts.iter().map(|(l, n)| (l.clone(), *n)).collect();
        v.sort_by(|a, b| match (&a.0, &b.0) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, _) => std::cmp::Ordering::Greater,
            (_, None) => std::cmp::Ordering::Less,
            (Some(x), Some(y)) => y.cmp(x),
        });
        v
    }

    pub fn levels(&self) -> &BTreeSet<LogLevel> {
        &self.levels
    }

    /// Shows only these levels (empty: all); recomputes the rows and the matches.
    pub fn set_levels(&mut self, levels: BTreeSet<LogLevel>) {
        if levels == self.levels {
            return;
        }
        self.levels = levels;
        self.visible = (0..self.entries.len()).filter(|&i| self.entries.get(i).is_some_and(|e| self.passes(e))).map(|i| i as u32).collect();
        self.rematch();
    }

    /// Searches for `term` (case-insensitive) over every loaded entry.
    pub fn set_query(&mut self, term: &str) {
        let folded = fold(term.trim());
        if folded == self.query {
            return;
        }
        // Typing on: an entry containing the longer term contains the shorter one too, so
        // only the entries that matched so far need a look.
        let narrower = !self.query.is_empty() && folded.contains(self.query.as_str());
        self.query = folded;
        if narrower {
            let before = std::mem::take(&mut self.matches);
            self.matches = self.matching(before);
        } else {
            self.rematch();
        }
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    fn rematch(&mut self) {
        self.matches = if self.query.is_empty() { Vec::new() } else { self.matching(0..self.visible.len() as u32) };
    }

    /// The rows among `rows` (positions in `visible`, increasing) whose entry contains the query.
    fn matching(&self, rows: impl IntoIterator<Item = u32>) -> Vec<u32> {
        rows.into_iter()
            .filter(|&p| {
                let Some(&i) = self.visible.get(p as usize) else { return false };
                let i = i as usize;
                self.entries.get(i).is_some_and(|e| matches(e, self.folded.get(i).and_then(|f| f.as_deref()), &self.query))
            })
            .collect()
    }

    /// Rows shown (after the level filter).
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// The entry shown at row `pos`.
    pub fn row(&self, pos: usize) -> Option<&FlowRunLog> {
        self.visible.get(pos).and_then(|&i| self.entries.get(i as usize))
    }

    /// Every entry shown, in order.
    pub fn rows(&self) -> impl Iterator<Item = &FlowRunLog> {
        self.visible.iter().filter_map(|&i| self.entries.get(i as usize))
    }

    pub fn get(&self, id: &str) -> Option<&FlowRunLog> {
        self.by_id.get(id).and_then(|&i| self.entries.get(i))
    }

    /// The row at which entry `id` is shown, if it is loaded and passes the filter.
    pub fn position_of(&self, id: &str) -> Option<usize> {
        let i = *self.by_id.get(id)? as u32;
        // `visible` is increasing, so a binary search finds it.
        self.visible.binary_search(&i).ok()
    }

    pub fn match_count(&self) -> usize {
        self.matches.len()
    }

    /// The row of match `n` (0-based).
    pub fn match_row(&self, n: usize) -> Option<usize> {
        self.matches.get(n).map(|&p| p as usize)
    }

    /// Whether row `pos` matches the search.
    pub fn is_match(&self, pos: usize) -> bool {
        !self.query.is_empty() && self.matches.binary_search(&(pos as u32)).is_ok()
    }

    /// The match at or after row `pos` (wrapping), for "first match from here".
    pub fn match_from(&self, pos: usize) -> Option<usize> {
        if self.matches.is_empty() {
            return None;
        }
        Some(match self.matches.binary_search(&(pos as u32)) {
            Ok(n) => n,
            Err(n) if n < self.matches.len() => n,
            Err(_) => 0,
        })
    }
}

/// The next match index after `current` going forward or backward, wrapping around.
pub fn step_match(current: Option<usize>, count: usize, forward: bool) -> Option<usize> {
    if count == 0 {
        return None;
    }
    Some(match (current, forward) {
        (None, true) => 0,
        (None, false) => count - 1,
        (Some(c), true) => (c + 1) % count,
        (Some(c), false) => (c + count - 1) % count,
    })
}

/// Rows `[start, end)` to render for a viewport at `scroll_top` of height `viewport`.
pub fn window(scroll_top: f64, viewport: f64, rows: usize, row_height: f64, overscan: usize) -> (usize, usize) {
    if rows == 0 || row_height <= 0.0 {
        return (0, 0);
    }
    let top = if scroll_top.is_finite() { scroll_top.max(0.0) } else { 0.0 };
    let height = if viewport.is_finite() { viewport.max(0.0) } else { 0.0 };
    let first = ((top / row_height).floor() as usize).min(rows.saturating_sub(1));
    let shown = (height / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan);
    let end = (first + shown + overscan).min(rows);
    (start, end)
}

/// The scroll position that puts row `pos` in the middle of the viewport.
pub fn scroll_to_row(pos: usize, viewport: f64, row_height: f64) -> f64 {
    (pos as f64 * row_height - (viewport - row_height) / 2.0).max(0.0)
}

/// What loading every entry will take: requests, and minutes at a rate of requests a minute.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadCost {
    pub requests: u64,
    pub minutes_at_budget: f64,
    pub minutes_at_api: f64,
}

pub fn load_cost(entries: u64, per_minute_background: u32) -> LoadCost {
    let requests = entries.div_ceil(u64::from(LOAD_PER_PAGE)).max(1);
    let at = |rate: u32| requests as f64 / f64::from(rate.max(1));
    LoadCost { requests, minutes_at_budget: at(per_minute_background), minutes_at_api: at(API_PER_MINUTE) }
}

/// "about 8 minutes", "under a minute".
pub fn minutes_text(m: f64) -> String {
    if m < 1.0 {
        "under a minute".into()
    } else if m < 90.0 {
        format!("about {} minutes", m.round() as u64)
    } else {
        format!("about {:.1} hours", m / 60.0)
    }
}

/// Pages of a load, handed out to a few workers and put back in order.
#[derive(Debug, Default)]
pub struct LoadPlan {
    pub next_page: u32,
    pub last_page: u32,
    /// Pages fetched ahead of the next one to append, by page number.
    pub pending: BTreeMap<u32, Vec<FlowRunLog>>,
    /// The next page to append to the store.
    pub next_append: u32,
}

impl LoadPlan {
    pub fn new(first_page: u32, last_page: u32) -> LoadPlan {
        LoadPlan { next_page: first_page, last_page, pending: BTreeMap::new(), next_append: first_page }
    }

    /// The next page to fetch, if any is left.
    pub fn take(&mut self) -> Option<u32> {
        (self.next_page <= self.last_page).then(|| {
            self.next_page += 1;
            self.next_page - 1
        })
    }

    /// Files a fetched page; answers the entries now ready to append, in order.
    pub fn put(&mut self, page: u32, items: Vec<FlowRunLog>) -> Vec<FlowRunLog> {
        self.pending.insert(page, items);
        let mut ready = Vec::new();
        while let Some(items) = self.pending.remove(&self.next_append) {
            ready.extend(items);
            self.next_append += 1;
        }
        ready
    }

    pub fn done(&self) -> bool {
        self.next_append > self.last_page
    }
}

/// The page of a log that holds entry number `index` (0-based) at `per_page` a page.
pub fn page_of(index: usize, per_page: u32) -> u32 {
    (index / per_page.max(1) as usize) as u32 + 1
}

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
    let shifted = ms + i64::from(offset_minutes) * 60_000;
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

/// One line of the text export; continuation lines of a message are indented.
pub fn text_line(e: &FlowRunLog) -> String {
    let time = e.created_at_ms.map(iso_ms).unwrap_or_else(|| "-".into());
    let level = e.level.as_ref().map(LogLevel::label).unwrap_or("-");
    let step = e.step_name.as_deref().or(e.step_id.as_deref()).unwrap_or("-");
    let message = e.message.replace("\r\n", "\n").replace('\n', "\n    ");
    format!("{time} {level:<8} [{step}] #{} {message}\n", e.id)
}

/// One line of the JSON Lines export: the entry's fields, `meta` and metadata as they came.
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
        "created_at": e.created_at_ms.map(iso_ms),
        "attempts": e.attempts,
        "page_number": e.page_number,
        "payload_ids": e.payload_ids,
        "meta": raw(&e.meta),
        "flow_run_log_metadata": raw(&e.metadata),
    });
    let mut s = v.to_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(id: u32, level: LogLevel, message: &str) -> FlowRunLog {
        FlowRunLog { id: id.to_string(), level: Some(level), message: message.into(), ..FlowRunLog::default() }
    }

    fn store(n: u32) -> LogStore {
        let mut s = LogStore::new();
        s.append((1..=n).map(|i| {
            let level = if i % 10 == 0 { LogLevel::Error } else { LogLevel::Info };
            entry(i, level, &format!("record {i} done"))
        }));
        s
    }

    #[test]
    fn append_keeps_order_and_skips_duplicates() {
        let mut s = store(5);
        assert_eq!(s.append([entry(5, LogLevel::Info, "again"), entry(6, LogLevel::Info, "six")]), 1);
        assert_eq!(s.len(), 6);
        assert_eq!(s.row(5).map(|e| e.id.as_str()), Some("6"));
        assert_eq!(s.get("5").map(|e| e.message.as_str()), Some("record 5 done"));
        assert_eq!(s.last_id(), Some("6"));
    }

    #[test]
    fn level_filter_and_counts() {
        let mut s = store(100);
        assert_eq!(s.counts(), vec![(Some(LogLevel::Error), 10), (Some(LogLevel::Info), 90)]);
        s.set_levels([LogLevel::Error].into());
        assert_eq!(s.visible_len(), 10);
        assert_eq!(s.row(0).map(|e| e.id.as_str()), Some("10"));
        assert_eq!(s.position_of("20"), Some(1));
        assert_eq!(s.position_of("21"), None);
        // Appending keeps the filter.
        s.append([entry(101, LogLevel::Info, "x"), entry(110, LogLevel::Error, "y")]);
        assert_eq!(s.visible_len(), 11);
        s.set_levels(BTreeSet::new());
        assert_eq!(s.visible_len(), 102);
    }

    #[test]
    fn search_covers_every_entry_and_follows_appends() {
        let mut s = store(1000);
        s.set_query("RECORD 99");
        // 99, 990..=999
        assert_eq!(s.match_count(), 11);
        assert_eq!(s.match_row(0), Some(98));
        assert!(s.is_match(98) && !s.is_match(97));
        s.append([entry(1001, LogLevel::Info, "Record 99x")]);
        assert_eq!(s.match_count(), 12);
        s.set_levels([LogLevel::Error].into());
        // Only 990 is an error among them.
        assert_eq!(s.match_count(), 1);
        assert_eq!(s.row(s.match_row(0).unwrap()).unwrap().id, "990");
        s.set_query("");
        assert_eq!(s.match_count(), 0);
        assert!(!s.is_match(0));
    }

    #[test]
    fn search_is_case_insensitive_beyond_ascii() {
        let mut s = LogStore::new();
        s.append([entry(1, LogLevel::Info, "Заказ 5 передан"), entry(2, LogLevel::Info, "ÉCOLE")]);
        s.set_query("заказ");
        assert_eq!(s.match_count(), 1);
        s.set_query("école");
        assert_eq!(s.match_count(), 1);
    }

    #[test]
    fn search_reaches_the_step_name() {
        let mut s = LogStore::new();
        s.append([FlowRunLog { step_name: Some("Send to NetSuite".into()), ..entry(1, LogLevel::Info, "ok") }]);
        s.set_query("netsuite");
        assert_eq!(s.match_count(), 1);
    }

    #[test]
    fn match_navigation_wraps() {
        assert_eq!(step_match(None, 3, true), Some(0));
        assert_eq!(step_match(None, 3, false), Some(2));
        assert_eq!(step_match(Some(2), 3, true), Some(0));
        assert_eq!(step_match(Some(0), 3, false), Some(2));
        assert_eq!(step_match(Some(0), 0, true), None);
        let mut s = store(100);
        s.set_query("record 5");
        // 5, 50..=59
        assert_eq!(s.match_from(0), Some(0));
        assert_eq!(s.match_from(5), Some(1));
        assert_eq!(s.match_from(99), Some(0));
    }

    #[test]
    fn window_is_bounded_by_the_viewport() {
        assert_eq!(window(0.0, 480.0, 0, 24.0, 12), (0, 0));
        assert_eq!(window(0.0, 480.0, 200_000, 24.0, 12), (0, 33));
        let (s, e) = window(24.0 * 100_000.0, 480.0, 200_000, 24.0, 12);
        assert_eq!((s, e), (99_988, 100_033));
        // Past the end (a shrinking list) still answers rows that exist.
        let (s, e) = window(1e12, 480.0, 50, 24.0, 12);
        assert!(s < e && e == 50);
        assert_eq!(window(f64::NAN, f64::INFINITY, 10, 24.0, 2), (0, 3));
    }

    proptest! {
        #[test]
        fn window_never_exceeds_its_bound(top in 0.0f64..1e8, vh in 0.0f64..4000.0, rows in 0usize..1_000_000) {
            let (s, e) = window(top, vh, rows, ROW_HEIGHT, OVERSCAN);
            prop_assert!(s <= e && e <= rows);
            prop_assert!(e - s <= (vh / ROW_HEIGHT).ceil() as usize + 1 + 2 * OVERSCAN);
        }

        #[test]
        fn plan_appends_every_page_once_in_order(order in Just((1u32..=20).collect::<Vec<_>>()).prop_shuffle()) {
            let mut plan = LoadPlan::new(1, 20);
            let mut taken = Vec::new();
            while let Some(p) = plan.take() { taken.push(p); }
            prop_assert_eq!(taken, (1..=20).collect::<Vec<_>>());
            let mut out = Vec::new();
            for p in order {
                out.extend(plan.put(p, vec![entry(p, LogLevel::Info, "")]));
            }
            prop_assert!(plan.done());
            prop_assert_eq!(out.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), (1..=20).map(|i| i.to_string()).collect::<Vec<_>>());
        }

        #[test]
        /// The search finds exactly the entries whose folded message or step contains the
        /// folded term, whether the entry keeps a folded copy (non-ASCII) or is searched in
        /// place (ASCII); across chunk boundaries too.
        fn search_agrees_with_folding_every_entry(
            texts in proptest::collection::vec(("[a-zA-Z ÄäİıKK0-9=]{0,12}", proptest::option::of("[a-zA-Zé]{0,4}")), 1..40),
            q in "[a-zA-ZÄäİıKKé 0-9=]{1,3}",
        ) {
            let mut s = LogStore::new();
            s.append((0..CHUNK as u32 - 3).map(|i| entry(i + 1_000_000, LogLevel::Info, "filler")));
            let base = s.len();
            s.append(texts.iter().enumerate().map(|(i, (m, step))| FlowRunLog { step_name: step.clone(), ..entry(i as u32, LogLevel::Info, m) }));
            // Typed a character at a time (the narrowing path), or given whole: the same.
            for n in 1..=q.chars().count() {
                s.set_query(&q.chars().take(n).collect::<String>());
            }
            let fq = fold(q.trim());
            let expected: Vec<usize> = texts.iter().enumerate()
                .filter(|(_, (m, step))| !fq.is_empty() && (fold(m).contains(&fq) || step.as_deref().is_some_and(|st| fold(st).contains(&fq))))
                .map(|(i, _)| base + i).collect();
            let found: Vec<usize> = (0..s.match_count()).filter_map(|n| s.match_row(n)).filter(|&r| r >= base).collect();
            prop_assert_eq!(found, expected);
            prop_assert_eq!(s.row(base).map(|e| e.id.as_str()), Some("0"));
        }

        fn highlight_pieces_rebuild_the_text(text in "\\PC{0,40}", q in "\\PC{0,3}") {
            let pieces = highlight(&text, &fold(&q));
            prop_assert_eq!(pieces.iter().map(|(t, _)| t.as_str()).collect::<String>(), text);
        }
    }

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
    fn cost_of_loading_everything() {
        let c = load_cost(200_000, 90);
        assert_eq!(c.requests, 2000);
        assert!((c.minutes_at_api - 8.33).abs() < 0.01);
        assert_eq!(minutes_text(c.minutes_at_api), "about 8 minutes");
        assert_eq!(minutes_text(0.5), "under a minute");
        assert_eq!(load_cost(0, 90).requests, 1);
        assert_eq!(page_of(0, 100), 1);
        assert_eq!(page_of(199_999, 100), 2000);
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
}
