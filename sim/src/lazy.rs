//! Long lists of log entries inside a run (`include=flowRunLogs`, `errorWarningLogs`) are
//! not built as JSON trees: the run's tree holds a placeholder string, and the answer is
//! written with each entry generated and serialized as the writer reaches it. A run with
//! 200,000 entries then costs the bytes of its answer, not a tree of 200,000 objects.

use crate::logs::RunLog;
use crate::render::{log_json, LogOptions};
use crate::shapes::Shapes;
use serde_json::Value;
use std::io::Write;

/// Which of a run's entries a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Every entry (`flowRunLogs`), with its step when `flowRunLogs.flowStep` was asked for.
    All { with_step: bool },
    /// Every warning and error (`errorWarningLogs`).
    Problems,
}

pub struct LazyList {
    pub log: RunLog,
    pub which: Which,
}

/// The lists of one answer; a list's placeholder is `"\u0000lazy:<index>"` (no generated
/// text holds a NUL, and nothing from the request is written into these answers).
#[derive(Default)]
pub struct Lazies {
    lists: Vec<LazyList>,
    shapes: Shapes,
}

const MARK: &[u8] = b"\"\\u0000lazy:";

impl Lazies {
    pub fn new(shapes: Shapes) -> Lazies {
        Lazies { lists: Vec::new(), shapes }
    }

    /// Registers a list and answers the value to put where it goes.
    pub fn add(&mut self, list: LazyList) -> Value {
        self.lists.push(list);
        Value::String(format!("\u{0}lazy:{}", self.lists.len() - 1))
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Serializes `v`, writing each placeholder's list in its place.
    pub fn to_bytes(&self, v: &Value) -> Vec<u8> {
        let tree = serde_json::to_vec(v).unwrap_or_default();
        if self.lists.is_empty() {
            return tree;
        }
        let mut out = Vec::with_capacity(tree.len());
        let mut rest = &tree[..];
        while let Some(at) = rest.windows(MARK.len()).position(|w| w == MARK) {
            out.extend_from_slice(&rest[..at]);
            let after = &rest[at + MARK.len()..];
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            let k: usize = std::str::from_utf8(&after[..digits]).ok().and_then(|d| d.parse().ok()).unwrap_or(usize::MAX);
            match self.lists.get(k) {
                Some(list) => self.write_list(list, &mut out),
                None => out.extend_from_slice(b"null"),
            }
            // Past the digits and the closing quote.
            rest = &after[(digits + 1).min(after.len())..];
        }
        out.extend_from_slice(rest);
        out
    }

    fn write_list(&self, list: &LazyList, out: &mut Vec<u8>) {
        let log = &list.log;
        let (indexes, includes): (Box<dyn Iterator<Item = u64>>, Vec<String>) = match list.which {
            Which::All { with_step } => (Box::new(0..log.count), if with_step { vec!["flowStep".into()] } else { vec![] }),
            Which::Problems => (Box::new(log.problems()), vec![]),
        };
        let opts = LogOptions::default();
        out.push(b'[');
        for (n, j) in indexes.enumerate() {
            if n > 0 {
                out.push(b',');
            }
            let mut entry = log_json(&log.entry(j), log.run_id, &includes, &opts);
            self.shapes.log_item(&mut entry, log.seed);
            let _ = serde_json::to_writer(&mut *out, &entry);
        }
        let _ = out.write_all(b"]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::flow_steps;
    use serde_json::json;

    fn log(count: u64) -> RunLog {
        RunLog {
            seed: 1,
            run_id: 7,
            steps: flow_steps(101, 1),
            count,
            started_ms: 0,
            spacing_ms: 10,
            failed: true,
            warnings: true,
            causes: false,
        }
    }

    #[test]
    fn placeholders_become_the_lists() {
        let mut lazies = Lazies::new(Shapes::Flat);
        let all = lazies.add(LazyList { log: log(300), which: Which::All { with_step: true } });
        let problems = lazies.add(LazyList { log: log(300), which: Which::Problems });
        let v = json!({"data": [{"id": 7, "flow_run_logs": all, "error_warning_logs": problems, "name": "a \u{1} b"}]});
        let out: Value = serde_json::from_slice(&lazies.to_bytes(&v)).unwrap();
        let entries = out["data"][0]["flow_run_logs"].as_array().unwrap();
        assert_eq!(entries.len(), 300);
        assert_eq!(entries[0]["id"], 7_000_001);
        assert!(entries[0]["flow_step"]["name"].is_string());
        let problems = out["data"][0]["error_warning_logs"].as_array().unwrap();
        let want = log(300).problems().count();
        assert_eq!(problems.len(), want);
        assert!(problems.iter().all(|e| ["WARNING", "ERROR", "FATAL"].contains(&e["log_level"].as_str().unwrap())));
        assert_eq!(out["data"][0]["name"], "a \u{1} b");
    }
}
