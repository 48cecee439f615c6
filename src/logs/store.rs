//! The store of loaded entries: in order, without duplicates, held in fixed chunks so that
//! growing never copies them; level counts and the level filter; search over every entry
//! (folded copies only for non-ASCII text, narrowing as the term grows). Incremental:
//! appending 100 entries to 200,000 costs O(100), so loading everything stays linear.
//!
//! Over 400 lines with its tests (about 300 without): the store, its filter and its search
//! are one piece of state (the matches are positions among the filtered rows), so they stay
//! together.

use crate::api::{FlowRunLog, LogLevel};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Lower-cases character by character, one character for one, so that positions in the
/// folded text map back to the original by counting characters.
pub fn fold(s: &str) -> String {
    s.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

/// The text search looks at: the message and the step's name, folded. `None` when both are
/// ASCII: those are searched in place ([`Needle::in_ascii`]), so most entries keep no
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

/// A folded search term, prepared once per search: every entry is then scanned without
/// preparing the term again.
struct Needle<'q> {
    query: &'q str,
    /// The term's first byte in either case, found a word at a time (`memchr`).
    first: memchr::arch::all::memchr::Two,
    /// The term's first byte as it is (in folded text, which is matched exactly).
    exact: memchr::arch::all::memchr::One,
    /// A term with other characters than ASCII cannot be in ASCII text (folding keeps ASCII
    /// ASCII).
    ascii: bool,
}

impl<'q> Needle<'q> {
    fn new(query: &'q str) -> Needle<'q> {
        let b = query.as_bytes().first().copied().unwrap_or(0);
        let (first, exact) = (memchr::arch::all::memchr::Two::new(b, b.to_ascii_uppercase()), memchr::arch::all::memchr::One::new(b));
        Needle { query, first, exact, ascii: query.is_ascii() }
    }

    /// Whether ASCII `text` contains the term ignoring ASCII case. (std's `contains` built a
    /// Two-Way searcher for the term anew for every entry: a third of a search over 200,000
    /// entries, #16's profile.)
    fn in_ascii(&self, text: &str) -> bool {
        let q = self.query.as_bytes();
        let rest = q.get(1..).unwrap_or_default();
        self.ascii
            && scan(text.as_bytes(), q.len(), |h| self.first.find(h), |r| r.iter().zip(rest).all(|(a, b)| a.to_ascii_lowercase() == *b))
    }

    /// Whether folded text contains the term exactly (bytes: a UTF-8 term matches only at a
    /// character's start), for the entries that keep a folded copy.
    fn in_folded(&self, text: &str) -> bool {
        let q = self.query.as_bytes();
        let rest = q.get(1..).unwrap_or_default();
        scan(text.as_bytes(), q.len(), |h| self.exact.find(h), |r| r == rest)
    }

    /// Whether entry `e` (with its folded text, if it has one) contains the term.
    fn in_entry(&self, e: &FlowRunLog, folded: Option<&str>) -> bool {
        match folded {
            Some(f) => self.in_folded(f),
            None => self.in_ascii(&e.message) || e.step_name.as_deref().is_some_and(|s| self.in_ascii(s)),
        }
    }
}

/// Whether `h` holds a term of `len` bytes: from one place `find` gives for its first byte to
/// the next, until `rest` takes the bytes after one.
fn scan(h: &[u8], len: usize, find: impl Fn(&[u8]) -> Option<usize>, rest: impl Fn(&[u8]) -> bool) -> bool {
    if len == 0 {
        return true;
    }
    let Some(last_start) = h.len().checked_sub(len) else { return false };
    let mut i = 0;
    while i <= last_start {
        let Some(p) = find(&h[i..=last_start]) else { return false };
        let at = i + p;
        if rest(&h[at + 1..at + len]) {
            return true;
        }
        i = at + 1;
    }
    false
}

/// What the step filter compares: the step's id, else its name.
pub fn step_key(e: &FlowRunLog) -> Option<&str> {
    e.step_id.as_deref().or(e.step_name.as_deref())
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
    /// The step shown (`step_key`); `None` means all (a server page filters by step itself).
    step: Option<String>,
    /// Every step seen, by `step_key`, with its name.
    steps: BTreeMap<String, Option<String>>,
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
        let (levels, query, step) = (std::mem::take(&mut self.levels), std::mem::take(&mut self.query), self.step.take());
        *self = LogStore { levels, query, step, ..LogStore::default() };
    }

    /// Appends entries in order, skipping ids already held; answers how many were new.
    pub fn append(&mut self, items: impl IntoIterator<Item = FlowRunLog>) -> usize {
        let mut added = 0;
        let query = self.query.clone();
        let needle = Needle::new(&query);
        for e in items {
            if self.by_id.contains_key(&e.id) {
                continue;
            }
            let i = self.entries.len();
            self.by_id.insert(e.id.clone(), i);
            *self.counts.entry(e.level.clone()).or_default() += 1;
            if let Some(key) = step_key(&e).filter(|k| !self.steps.contains_key(*k)) {
                self.steps.insert(key.to_string(), e.step_name.clone());
            }
            let folded = haystack(&e);
            if self.passes(&e) {
                let pos = self.visible.len() as u32;
                self.visible.push(i as u32);
                if !query.is_empty() && needle.in_entry(&e, folded.as_deref()) {
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
        (self.levels.is_empty() || e.level.as_ref().is_some_and(|l| self.levels.contains(l)))
            && self.step.as_deref().is_none_or(|s| step_key(e) == Some(s))
    }

    /// Every step seen (its id, else its name) with its name, in order of the key.
    pub fn steps(&self) -> &BTreeMap<String, Option<String>> {
        &self.steps
    }

    /// Shows only the entries of one step (`None`: all); recomputes the rows and the matches.
    pub fn set_step(&mut self, step: Option<String>) {
        if step != self.step {
            self.step = step;
            self.refilter();
        }
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
        self.refilter();
    }

    fn refilter(&mut self) {
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
        let needle = Needle::new(&self.query);
        rows.into_iter()
            .filter(|&p| {
                let Some(&i) = self.visible.get(p as usize) else { return false };
                let i = i as usize;
                self.entries.get(i).is_some_and(|e| needle.in_entry(e, self.folded.get(i).and_then(|f| f.as_deref())))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::entry;
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        /// The prepared term finds exactly what `str::contains` finds: ignoring ASCII case in
        /// ASCII text, exactly in folded text (multi-byte characters, repeated first bytes).
        fn the_needle_finds_what_contains_finds(text in "[a-cA-C1é ]{0,24}", q in "[a-cA-C1é]{0,4}") {
            let (ft, fq) = (fold(&text), fold(&q));
            let n = Needle::new(&fq);
            prop_assert_eq!(n.in_folded(&ft), ft.contains(fq.as_str()));
            if text.is_ascii() {
                prop_assert_eq!(n.in_ascii(&text), ft.contains(fq.as_str()));
            }
        }
    }

    proptest! {
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
    }
}
