//! Two runs side by side (pure): the summary fields that differ, the steps aligned by step id
//! (by name where the ids do not match, as across flow versions), the first step where the
//! runs diverge, and the warning and error messages of one run that the other has not
//! (compared by `causes::normalise`, so that numbers, ids and quoted values do not count).
//!
//! "A" is the first run of a comparison and "B" the second; swapping them swaps every result.

use crate::api::{FlowRun, FlowRunLog, RunQuery, RunSort};
use crate::causes::normalise;
use crate::steps::StepStats;
use std::collections::BTreeMap;

/// The most warnings and errors of one run read for the message comparison.
pub const MAX_MESSAGES: usize = 10_000;

/// One line of the summaries.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub a: String,
    pub b: String,
    /// The values differ (compared as the API gave them, not as shown).
    pub differs: bool,
}

/// Status, duration, CPU time, payload size, operations and score of both runs.
pub fn summary(a: &FlowRun, b: &FlowRun) -> Vec<Field> {
    use crate::format::format_bytes;
    use crate::time::format_duration_ms;
    fn field<T: PartialEq>(label: &'static str, a: Option<T>, b: Option<T>, show: impl Fn(T) -> String) -> Field {
        let differs = a != b;
        let show = |v: Option<T>| v.map(&show).unwrap_or_else(|| "–".into());
        Field { label, differs, a: show(a), b: show(b) }
    }
    let num = |n: i64| n.to_string();
    vec![
        field("Status", a.status.as_ref(), b.status.as_ref(), |s| s.label()),
        field("Duration", a.duration_ms, b.duration_ms, format_duration_ms),
        field("CPU time", a.cpu_time_ms, b.cpu_time_ms, format_duration_ms),
        field("Payload size", a.payload_size_bytes, b.payload_size_bytes, format_bytes),
        field("Operations sent", a.operations_sent, b.operations_sent, num),
        field("Operations received", a.operations_received, b.operations_received, num),
        field("Score", a.score, b.score, num),
    ]
}

/// One step's figures in one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StepFig {
    /// From its first entry to its last; `None` where the entries were not read.
    pub duration_ms: Option<i64>,
    pub errors: u64,
    pub warnings: u64,
}

impl StepFig {
    fn of(s: &StepStats) -> StepFig {
        let duration_ms = s.first_ms.zip(s.last_ms).map(|(f, l)| (l - f).max(0));
        StepFig { duration_ms, errors: s.errors, warnings: s.warnings }
    }

    /// 2 errors (over warnings), 1 warnings, 0 neither.
    fn outcome(&self) -> u8 {
        if self.errors > 0 {
            2
        } else {
            u8::from(self.warnings > 0)
        }
    }
}

/// A step of either run, with its figures in each (`None`: that run has no such step).
#[derive(Clone, Debug, PartialEq)]
pub struct StepRow {
    pub id: String,
    pub name: String,
    pub a: Option<StepFig>,
    pub b: Option<StepFig>,
    /// Only one run has the step, or one run had errors (or warnings) in it and the other not.
    pub diverges: bool,
}

/// Both runs' steps as one list: matched by id, then the rest by name (the k-th unmatched
/// step of a name in A with the k-th in B); ordered by their places in the two runs.
pub fn align(a: &[StepStats], b: &[StepStats]) -> Vec<StepRow> {
    let mut b_of: Vec<Option<usize>> = vec![None; a.len()];
    let mut taken = vec![false; b.len()];
    for pass in 0..2 {
        for (i, s) in a.iter().enumerate() {
            if b_of[i].is_some() {
                continue;
            }
            let same = |t: &StepStats| if pass == 0 { t.id == s.id } else { t.name == s.name };
            if let Some(j) = (0..b.len()).find(|&j| !taken[j] && same(&b[j])) {
                taken[j] = true;
                b_of[i] = Some(j);
            }
        }
    }
    // Each row's place, and a name for it that does not depend on which run is A.
    type Key = ((usize, usize), String, String);
    let row = |place: (usize, usize), s: &StepStats, t: Option<&StepStats>, fa: Option<StepFig>, fb: Option<StepFig>| {
        let diverges = fa.zip(fb).is_none_or(|(x, y)| x.outcome() != y.outcome());
        let t = t.unwrap_or(s);
        let key: Key = (place, s.id.clone().min(t.id.clone()), s.name.clone().min(t.name.clone()));
        (key, StepRow { id: s.id.clone(), name: s.name.clone(), a: fa, b: fb, diverges })
    };
    let mut keyed: Vec<(Key, StepRow)> = a
        .iter()
        .enumerate()
        .map(|(i, s)| match b_of[i] {
            Some(j) => row((i.min(j), i.max(j)), s, Some(&b[j]), Some(StepFig::of(s)), Some(StepFig::of(&b[j]))),
            None => row((i, i), s, None, Some(StepFig::of(s)), None),
        })
        .collect();
    keyed.extend(b.iter().enumerate().filter(|(j, _)| !taken[*j]).map(|(j, s)| row((j, j), s, None, None, Some(StepFig::of(s)))));
    keyed.sort_by(|x, y| x.0.cmp(&y.0));
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// The first step where the runs diverge.
pub fn first_divergence(rows: &[StepRow]) -> Option<usize> {
    rows.iter().position(|r| r.diverges)
}

/// A warning or error message (normalised) and how often each run logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub error: bool,
    pub key: String,
    /// The first message with this key as it was logged (A's, else B's), at most 500 characters.
    pub example: String,
    pub a: u32,
    pub b: u32,
}

/// Every warning and error cause of either run, errors first, with each run's count; the
/// first [`MAX_MESSAGES`] entries of each run are read.
pub fn messages(a: &[FlowRunLog], b: &[FlowRunLog]) -> Vec<Message> {
    let mut by_key: BTreeMap<(bool, String), Message> = BTreeMap::new();
    for (side, list) in [(0, a), (1, b)] {
        for e in list.iter().take(MAX_MESSAGES) {
            let error = e.level.as_ref().is_some_and(|l| l.is_error());
            let key = normalise(&e.message);
            let m = by_key.entry((!error, key.clone())).or_insert_with(|| Message {
                error,
                key,
                example: e.message.chars().take(500).collect(),
                a: 0,
                b: 0,
            });
            let n = if side == 0 { &mut m.a } else { &mut m.b };
            *n = n.saturating_add(1);
        }
    }
    by_key.into_values().collect()
}

/// The query for the runs of `run`'s flow that started before it, newest first (a few, in
/// case the API counts `started_before` inclusively); `None` without a flow or a start.
pub fn previous_query(run: &FlowRun) -> Option<RunQuery> {
    let flow = run.flow_id.clone()?;
    Some(RunQuery {
        flow_id: vec![flow],
        started_before: Some(run.started_at_ms?),
        sort: Some(RunSort::NewestFirst),
        ..RunQuery::new(1, 5)
    })
}

/// The run before `run` in an answer to [`previous_query`]: the latest other run of the same
/// flow that started before it, or at the same moment with a smaller id (parallel triggers);
/// the answer is checked, not trusted.
pub fn previous_in(run: &FlowRun, answer: &[FlowRun]) -> Option<String> {
    // Numeric ids in numeric order, before any other id.
    let order = |r: &FlowRun| (r.started_at_ms, r.id.parse::<u64>().ok().map_or((1, 0), |n| (0, n)), r.id.clone());
    let mine = order(run);
    answer
        .iter()
        .filter(|r| r.id != run.id && r.flow_id == run.flow_id && r.started_at_ms.is_some() && run.started_at_ms.is_some())
        .map(|r| (order(r), r))
        .filter(|(o, _)| *o < mine)
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, r)| r.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{LogLevel, RunStatus};
    use proptest::prelude::*;

    fn step(id: &str, name: &str, errors: u64, warnings: u64, span: Option<(i64, i64)>) -> StepStats {
        StepStats {
            id: id.into(),
            name: name.into(),
            errors,
            warnings,
            total: errors + warnings + 1,
            first_ms: span.map(|s| s.0),
            last_ms: span.map(|s| s.1),
            ..StepStats::default()
        }
    }

    fn log(level: LogLevel, message: &str) -> FlowRunLog {
        FlowRunLog { level: Some(level), message: message.into(), ..FlowRunLog::default() }
    }

    #[test]
    fn summary_marks_what_differs() {
        let a = FlowRun { status: Some(RunStatus::Success), duration_ms: Some(1_000), score: Some(999), ..FlowRun::default() };
        let b = FlowRun { status: Some(RunStatus::Failure), duration_ms: Some(1_000), cpu_time_ms: Some(5), ..a.clone() };
        let s = summary(&a, &b);
        let differs: Vec<&str> = s.iter().filter(|f| f.differs).map(|f| f.label).collect();
        assert_eq!(differs, ["Status", "CPU time"]);
        assert_eq!((s[0].a.as_str(), s[0].b.as_str()), ("Success", "Failure"));
        assert_eq!((s[2].a.as_str(), s[6].b.as_str()), ("–", "999"));
    }

    #[test]
    fn steps_align_by_id_then_name_and_the_first_divergence_is_found() {
        let a = vec![step("1", "Fetch", 0, 0, Some((0, 50))), step("2", "Map", 0, 2, None), step("3", "Send", 0, 0, None)];
        // Another version: step 3's id changed, step 4 is new.
        let b = vec![
            step("1", "Fetch", 0, 0, Some((0, 90))),
            step("2", "Map", 0, 1, None),
            step("9", "Send", 1, 0, None),
            step("4", "Notify", 0, 0, None),
        ];
        let rows = align(&a, &b);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4"]);
        assert_eq!(rows[0].a.unwrap().duration_ms, Some(50));
        assert_eq!(rows[0].b.unwrap().duration_ms, Some(90));
        assert!(!rows[0].diverges && !rows[1].diverges, "durations and warning counts alone do not diverge");
        assert!(rows[2].diverges, "errors in B's Send only");
        assert_eq!((rows[3].a, rows[3].diverges), (None, true));
        assert_eq!(first_divergence(&rows), Some(2));
        assert_eq!(first_divergence(&align(&a, &a)), None);
        assert!(align(&[], &[]).is_empty());
    }

    #[test]
    fn messages_count_causes_per_run() {
        let a = vec![
            log(LogLevel::Error, "Order 17 failed: \"x\""),
            log(LogLevel::Error, "Order 18 failed: \"y\""),
            log(LogLevel::Warning, "slow"),
        ];
        let b = vec![log(LogLevel::Fatal, "Order 99 failed: 'z'"), log(LogLevel::Warning, "Retrying in 5 s")];
        let m = messages(&a, &b);
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].error, m[0].key.as_str(), m[0].a, m[0].b), (true, "Order <n> failed: <q>", 2, 1));
        assert_eq!(m[0].example, "Order 17 failed: \"x\"");
        assert_eq!((m[1].key.as_str(), m[1].a, m[1].b), ("Retrying in <n> s", 0, 1));
        assert_eq!((m[2].key.as_str(), m[2].a, m[2].b), ("slow", 1, 0));
    }

    #[test]
    fn the_previous_run_is_checked() {
        let run = FlowRun { id: "10".into(), flow_id: Some("7".into()), started_at_ms: Some(1_000), ..FlowRun::default() };
        let q = previous_query(&run).unwrap().to_query_string();
        assert_eq!(q, "filter%5Bflow_id%5D=7&filter%5Bstarted_before%5D=1000&sort=-started_at&page=1&per_page=5");
        assert_eq!(previous_query(&FlowRun { flow_id: None, ..run.clone() }), None);
        let other = |id: &str, flow: &str, at: i64| FlowRun {
            id: id.into(),
            flow_id: Some(flow.into()),
            started_at_ms: Some(at),
            ..FlowRun::default()
        };
        let answer = [run.clone(), other("3", "8", 900), other("4", "7", 800), other("5", "7", 950), other("6", "7", 2_000)];
        assert_eq!(previous_in(&run, &answer).as_deref(), Some("5"));
        assert_eq!(previous_in(&run, std::slice::from_ref(&run)), None);
        // Started at the same moment (parallel triggers): the smaller id ran first.
        let tied = [other("9", "7", 1_000), other("11", "7", 1_000), other("5", "7", 950)];
        assert_eq!(previous_in(&run, &tied).as_deref(), Some("9"));
    }

    fn stats() -> impl Strategy<Value = Vec<StepStats>> {
        // Unique ids per run, names from a small set (so that some match by name only).
        proptest::collection::btree_map("[1-9]{1,2}", ("[a-c]", 0u64..3, 0u64..3, proptest::option::of((0i64..100, 0i64..100))), 0..8)
            .prop_map(|m| m.into_iter().map(|(id, (name, e, w, span))| step(&id, &name, e, w, span)).collect())
            .prop_shuffle()
    }

    fn logs() -> impl Strategy<Value = Vec<FlowRunLog>> {
        let level = prop_oneof![Just(LogLevel::Warning), Just(LogLevel::Error), Just(LogLevel::Fatal)];
        proptest::collection::vec((level, "(Order|slow|Retry) [0-9]{0,3}( 'q[a-z]')?"), 0..12)
            .prop_map(|v| v.into_iter().map(|(l, m)| log(l, &m)).collect())
    }

    fn mirrored(r: &StepRow) -> (Option<StepFig>, Option<StepFig>, bool) {
        (r.b, r.a, r.diverges)
    }

    proptest! {
        #[test]
        fn a_run_compared_with_itself_shows_no_difference(run_steps in stats(), problems in logs(), d in proptest::option::of(0i64..9)) {
            let run = FlowRun { duration_ms: d, status: Some(RunStatus::Failure), ..FlowRun::default() };
            prop_assert!(summary(&run, &run).iter().all(|f| !f.differs));
            let rows = align(&run_steps, &run_steps);
            prop_assert_eq!(rows.len(), run_steps.len());
            prop_assert_eq!(first_divergence(&rows), None);
            prop_assert!(messages(&problems, &problems).iter().all(|m| m.a == m.b && m.a > 0));
        }

        #[test]
        fn swapping_the_runs_mirrors_the_result(sa in stats(), sb in stats(), la in logs(), lb in logs(), da in 0i64..3, db in 0i64..3) {
            let ra = FlowRun { duration_ms: Some(da), ..FlowRun::default() };
            let rb = FlowRun { duration_ms: Some(db), ..FlowRun::default() };
            let ab = summary(&ra, &rb);
            let ba = summary(&rb, &ra);
            for (x, y) in ab.iter().zip(&ba) {
                prop_assert_eq!((&x.a, &x.b, x.differs), (&y.b, &y.a, y.differs));
            }
            let ab = align(&sa, &sb);
            let ba = align(&sb, &sa);
            prop_assert_eq!(ab.iter().map(mirrored).collect::<Vec<_>>(), ba.iter().map(|r| (r.a, r.b, r.diverges)).collect::<Vec<_>>());
            prop_assert_eq!(first_divergence(&ab), first_divergence(&ba));
            prop_assert_eq!(ab.iter().filter(|r| r.a.is_some()).count(), sa.len());
            prop_assert_eq!(ab.iter().filter(|r| r.b.is_some()).count(), sb.len());
            let ab = messages(&la, &lb);
            let ba = messages(&lb, &la);
            prop_assert_eq!(ab.iter().map(|m| (m.error, &m.key, m.b, m.a)).collect::<Vec<_>>(), ba.iter().map(|m| (m.error, &m.key, m.a, m.b)).collect::<Vec<_>>());
        }
    }
}
