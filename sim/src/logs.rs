//! Log entries of a run, generated lazily: entry `j` of run `r` is computed from
//! `hash(seed, r, j)`, so a run with 200,000 entries costs nothing until a page is asked for.

use crate::data::mix;

/// Steps of a flow: (id, name). Every run of a flow walks them in order.
pub fn flow_steps(flow_id: u64, seed: u64) -> Vec<(u64, &'static str)> {
    const NAMES: [&str; 10] = [
        "Trigger",
        "Fetch orders",
        "Map fields",
        "Filter unchanged",
        "Route by region",
        "Script: normalise",
        "Send to NetSuite",
        "Cache lookup",
        "Notify on failure",
        "Flow end",
    ];
    let n = 3 + (mix(seed, 10, flow_id) % 6) as usize;
    (0..n).map(|k| (flow_id * 1000 + k as u64 + 1, NAMES[(k + (flow_id as usize % 3)) % NAMES.len()])).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Fatal,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// What kind of text a message is, to exercise the client's rendering.
const MESSAGES: [&str; 12] = [
    "Fetched {n} records from source",
    "Mapped order {n}: 14 fields, 0 dropped",
    "Skipped {n} unchanged records",
    "HTTP 200 from https://api.example.test/orders?page={n}",
    "Payload {n} cached for 72 hours",
    "Заказ {n} передан в NetSuite",
    "تمت مزامنة الطلب رقم {n} بنجاح",
    "<script>alert('log {n}')</script> <b>not bold</b> &amp; &lt;tag&gt;",
    "Emoji check 🚚📦✅ for record {n}, combining: e\u{301} a\u{30a}",
    "{\"record\": {n}, \"status\": \"ok\", \"nested\": {\"a\": [1, 2, 3]}}",
    "Tab\tseparated\tline {n} with trailing spaces   ",
    "Multi-line message {n}\n  at step Script: normalise\n  at line 42",
];

/// Which message fields an entry carries: the published schema has both `log_message`
/// (text) and `message` (a list of objects); the vendor's tools read `log_message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageForm {
    /// `log_message` only (most entries).
    Text,
    /// `log_message` and `message`.
    Both,
    /// `message` only.
    Parts,
}

pub struct Entry {
    pub id: u64,
    pub index: u64,
    pub step_id: u64,
    pub step_name: &'static str,
    pub level: Level,
    pub message: String,
    pub created_at_ms: i64,
    pub payload_ids: Vec<u64>,
    pub attempts: u32,
    pub form: MessageForm,
}

/// The entries of one run, as generated for its state at a given time.
#[derive(Clone, Debug)]
pub struct RunLog {
    pub seed: u64,
    pub run_id: u64,
    pub steps: Vec<(u64, &'static str)>,
    /// Entries that exist now (fewer than planned while the run is running).
    pub count: u64,
    pub started_ms: i64,
    /// Time between consecutive entries.
    pub spacing_ms: i64,
    /// The run ended in failure: its last entries are errors.
    pub failed: bool,
    /// The run's `has_warnings` flag: only such runs have warning entries.
    pub warnings: bool,
    /// `--failure-causes`: errors take one of a few causes (`causes`) instead of one message.
    pub causes: bool,
}

/// Globally unique log ids: run id × 1,000,000 + index + 1 (runs hold at most 999,999 entries).
pub const IDS_PER_RUN: u64 = 1_000_000;

impl RunLog {
    pub fn step_range(&self, step_id: u64) -> Option<(u64, u64)> {
        let k = self.steps.iter().position(|(id, _)| *id == step_id)? as u64;
        let n = self.steps.len() as u64;
        let lo = (k * self.count).div_ceil(n);
        let hi = ((k + 1) * self.count).div_ceil(n);
        Some((lo, hi))
    }

    /// The step entry `j` belongs to.
    pub fn step_of(&self, j: u64) -> u64 {
        let n = self.steps.len() as u64;
        self.steps[((j * n) / self.count.max(1)).min(n - 1) as usize].0
    }

    pub fn index_of(&self, log_id: u64) -> Option<u64> {
        let j = log_id.checked_sub(self.run_id.checked_mul(IDS_PER_RUN)?.checked_add(1)?)?;
        (j < self.count).then_some(j)
    }

    fn hash(&self, j: u64) -> u64 {
        mix(self.seed, 11, self.run_id.wrapping_mul(IDS_PER_RUN) + j)
    }

    /// The level of entry `j` alone (cheap, for scans).
    pub fn level(&self, j: u64) -> Level {
        let h = self.hash(j);
        let from_end = self.count.saturating_sub(1 + j);
        if self.failed && from_end < 2 {
            if from_end == 0 && h.is_multiple_of(4) {
                Level::Fatal
            } else {
                Level::Error
            }
        } else {
            match h % 100 {
                0..=14 => Level::Debug,
                94.. if self.warnings => Level::Warning,
                _ => Level::Info,
            }
        }
    }

    /// Whether entry `j` is a warning or worse (`errorWarningLogs`).
    pub fn is_problem(&self, j: u64) -> bool {
        matches!(self.level(j), Level::Warning | Level::Error | Level::Fatal)
    }

    /// Every warning and error, in id order, generated as it is read.
    pub fn problems(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.count).filter(|j| self.is_problem(*j))
    }

    pub fn entry(&self, j: u64) -> Entry {
        let h = self.hash(j);
        let n = self.steps.len() as u64;
        let k = ((j * n) / self.count.max(1)).min(n - 1) as usize;
        let (step_id, step_name) = self.steps[k];
        let level = self.level(j);
        let mut message = MESSAGES[((h >> 8) % MESSAGES.len() as u64) as usize].replace("{n}", &(j + 1).to_string());
        if level == Level::Error || level == Level::Fatal {
            message = if self.causes {
                crate::causes::message(self.seed, self.run_id, j, step_name)
            } else {
                format!("Step \"{step_name}\" failed: HTTP 502 from destination after 3 attempts (record {})", j + 1)
            };
        } else if (h >> 20).is_multiple_of(997) {
            // Now and then a very long line (about 12 KB).
            message = format!("Large payload dump {}: {}", j + 1, "0123456789abcdef".repeat(750));
        }
        let payload_ids = if (h >> 30).is_multiple_of(3) { vec![self.run_id * 10 + (j % 7)] } else { vec![] };
        Entry {
            id: self.run_id * IDS_PER_RUN + j + 1,
            index: j,
            step_id,
            step_name,
            level,
            message,
            created_at_ms: self.started_ms + j as i64 * self.spacing_ms,
            payload_ids,
            attempts: 1 + (h >> 40).is_multiple_of(3) as u32,
            form: match (h >> 44) % 20 {
                0 => MessageForm::Parts,
                1..=3 => MessageForm::Both,
                _ => MessageForm::Text,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_problem_in_id_order_and_some_entries_carry_message_parts() {
        let l = log(20_000, true);
        let all: Vec<u64> = l.problems().collect();
        assert!(all.len() > 20, "no cap: {}", all.len());
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            all.len() as u64,
            (0..20_000).filter(|j| l.entry(*j).level != Level::Debug && l.entry(*j).level != Level::Info).count() as u64
        );
        let forms: Vec<MessageForm> = (0..2000).map(|j| l.entry(j).form).collect();
        for f in [MessageForm::Text, MessageForm::Both, MessageForm::Parts] {
            assert!(forms.contains(&f), "{f:?}");
        }
    }

    use super::*;

    fn log(count: u64, failed: bool) -> RunLog {
        RunLog {
            seed: 1,
            run_id: 5,
            steps: flow_steps(101, 1),
            count,
            started_ms: 0,
            spacing_ms: 10,
            failed,
            warnings: true,
            causes: false,
        }
    }

    #[test]
    fn step_ranges_partition_the_entries() {
        for count in [0, 1, 2, 7, 100, 200_000] {
            let l = log(count, false);
            let mut next = 0;
            for (id, _) in &l.steps {
                let (lo, hi) = l.step_range(*id).unwrap();
                assert_eq!(lo, next);
                for j in [lo, hi.saturating_sub(1)] {
                    if lo <= j && j < hi {
                        assert_eq!(l.entry(j).step_id, *id, "count {count} j {j}");
                    }
                }
                next = hi;
            }
            assert_eq!(next, count);
        }
    }

    #[test]
    fn only_runs_flagged_with_warnings_have_warning_entries() {
        let with = log(2000, false);
        let without = RunLog { warnings: false, ..log(2000, false) };
        assert!((0..2000).any(|j| with.level(j) == Level::Warning));
        assert!((0..2000).all(|j| without.level(j) != Level::Warning));
    }

    #[test]
    fn failed_runs_end_in_errors_and_ids_round_trip() {
        let l = log(50, true);
        assert!(matches!(l.entry(49).level, Level::Error | Level::Fatal));
        assert_eq!(l.index_of(u64::MAX), None);
        for j in [0, 25, 49] {
            assert_eq!(l.index_of(l.entry(j).id), Some(j));
        }
        assert_eq!(l.index_of(5 * IDS_PER_RUN + 51), None);
        assert_eq!(l.index_of(3), None);
    }
}
