//! Failures grouped by cause (pure): which runs to read and what it costs, which runs need
//! their log read, and the grouping rule itself. The view (`components::failure_groups`)
//! fetches; everything it decides is here, with native and property tests.
//!
//! A cause is an error message through [`crate::causes::normalise`]. A group holds every run
//! with at least one error entry of that cause (a run counts once per group, and is in as
//! many groups as it has causes), the flows and steps it hit, when it was first and last
//! seen, and one message in full. Groups come most runs first.

use crate::api::{FlowRun, FlowRunLog, LogQuery, LogSort, RunQuery, RunSort, RunStatus};
use crate::causes::normalise;
use std::collections::{BTreeMap, BTreeSet};

/// Runs read per list request (the API's page-size ceiling).
pub const PER_PAGE: u32 = 100;
/// List requests at most: the latest `LIST_PAGES × PER_PAGE` runs are grouped.
pub const LIST_PAGES: u32 = 5;
/// The most runs grouped.
pub const RUN_LIMIT: u32 = LIST_PAGES * PER_PAGE;
/// Requests at most for single runs: a run's own warnings and errors (where a page of them
/// would be too large to ask for at once), or the log of a failed run whose included entries
/// hold no error.
pub const LOG_LOOKUPS: u32 = 20;
/// The most warnings and errors asked for in one answer. The API does not bound the
/// `errorWarningLogs` include: a page of runs with thousands of entries each would be
/// hundreds of megabytes. Their counts come first; a page is asked for with its entries only
/// when they add up to no more than this.
pub const PAGE_ENTRIES_MAX: u64 = 3_000;
/// The most entries asked for with a single run (the run table's failure summary's bound).
pub const RUN_ENTRIES_MAX: u64 = 100;

/// The most requests one grouping makes: list pages (counts), the same pages with their
/// entries, then single runs and logs.
pub const fn max_requests() -> u32 {
    2 * LIST_PAGES + LOG_LOOKUPS
}

/// The statuses grouped: failed and partly succeeded.
const GROUPED: [RunStatus; 2] = [RunStatus::Failure, RunStatus::PartialSuccess];

/// Page `page` (1-based) of the runs to group: the view's filters narrowed to failed and
/// partly succeeded runs, newest first, with how many warnings and errors each has (never the
/// entries themselves: see [`PAGE_ENTRIES_MAX`]), started before `before_ms` (when the
/// grouping began, so that the same page asked again holds the same runs). `None` when the
/// view's status filter leaves no failed run to read.
pub fn list_query(view: &RunQuery, page: u32, before_ms: i64) -> Option<RunQuery> {
    let status: Vec<RunStatus> =
        if view.status.is_empty() { GROUPED.to_vec() } else { GROUPED.iter().filter(|s| view.status.contains(s)).cloned().collect() };
    if status.is_empty() {
        return None;
    }
    Some(RunQuery {
        status,
        include: vec!["flow".into(), "errorWarningLogsCount".into()],
        fields: vec![],
        sort: Some(RunSort::NewestFirst),
        page: page.clamp(1, LIST_PAGES),
        per_page: PER_PAGE,
        started_before: Some(view.started_before.map_or(before_ms, |b| b.min(before_ms))),
        ..view.clone()
    })
}

/// The same page with its runs' warnings and errors, when their counts say it is small
/// enough ([`page_fits`]).
pub fn entries_query(list: &RunQuery) -> RunQuery {
    RunQuery { include: vec!["flow".into(), "errorWarningLogs".into()], ..list.clone() }
}

/// Whether a page's runs may be asked for with their entries at once: every count known,
/// some entry to read, and no more than [`PAGE_ENTRIES_MAX`] in all.
pub fn page_fits(runs: &[FlowRun]) -> bool {
    let counts: Option<Vec<u64>> = runs.iter().map(|r| r.problem_count).collect();
    counts.is_some_and(|c| c.iter().any(|n| *n > 0) && c.iter().fold(0u64, |a, n| a.saturating_add(*n)) <= PAGE_ENTRIES_MAX)
}

/// How a run of a page too large to ask for at once is read: with its own entries when it has
/// at most [`RUN_ENTRIES_MAX`], else its log's newest entries (as [`log_lookup`] reads one).
/// `None`: nothing to read (no warnings or errors).
#[derive(Clone, Debug, PartialEq)]
pub enum Single {
    Run,
    Log(LogQuery),
}

pub fn single(run: &FlowRun) -> Option<Single> {
    match run.problem_count {
        Some(0) => None,
        Some(n) if n <= RUN_ENTRIES_MAX => Some(Single::Run),
        _ => Some(Single::Log(LogQuery { sort: Some(LogSort::Newest), ..LogQuery::standard(1, PER_PAGE) })),
    }
}

/// Whether a run of the answer is one to group: not one of another known status (an API
/// that ignored the status filter).
pub fn is_grouped(run: &FlowRun) -> bool {
    run.status.as_ref().is_none_or(|s| GROUPED.contains(s) || matches!(s, RunStatus::Other(_)))
}

/// Whether another list page is worth asking for after page `page` held `got` runs: never
/// past our own limit, whatever the answer's meta says.
pub fn more_pages(page: u32, got: usize) -> bool {
    page < LIST_PAGES && got >= PER_PAGE as usize
}

/// A run as grouping reads it: its flow, when it started, its error entries.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RunErrors {
    pub run_id: String,
    pub flow: Option<String>,
    pub started_at_ms: Option<i64>,
    pub errors: Vec<FlowRunLog>,
}

impl RunErrors {
    /// The run's error entries among its included warnings and errors.
    pub fn of(run: &FlowRun) -> RunErrors {
        RunErrors {
            run_id: run.id.clone(),
            flow: run.flow_name.clone().or_else(|| run.flow_id.as_ref().map(|id| format!("flow {id}"))),
            started_at_ms: run.started_at_ms,
            errors: errors_of(&run.problems),
        }
    }
}

/// Error entries kept a run: enough for its causes, bounded whatever the API sends.
pub const ERRORS_PER_RUN: usize = 100;

/// The first [`ERRORS_PER_RUN`] entries that are errors or worse, each message as its
/// cause's text (`cause_text`); the rest are neither copied nor read.
pub fn errors_of(entries: &[FlowRunLog]) -> Vec<FlowRunLog> {
    entries
        .iter()
        .filter(|e| e.level.as_ref().is_some_and(|l| l.is_error()))
        .take(ERRORS_PER_RUN)
        .map(|e| FlowRunLog { message: cause_text(e), ..e.clone() })
        .collect()
}

/// The text a cause is read from. An entry sent with `message` parts
/// (`[{"type": "text", "text": …}, {"type": "context", "record": 3}]`) and no `log_message`
/// reads as its parts line by line, the context's values included: its cause is in its text
/// parts alone. Where `log_message` says something else, it is kept.
pub fn cause_text(e: &FlowRunLog) -> String {
    let parts = e.parts.as_deref().and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok());
    let texts: Vec<&str> =
        parts.as_ref().and_then(|p| p.as_array()).into_iter().flatten().filter_map(|p| p.get("text")?.as_str()).collect();
    let text = texts.join("\n");
    if !text.is_empty() && e.message.starts_with(&text) {
        text
    } else {
        e.message.clone()
    }
}

/// The log request for a failed run whose included entries hold no error (the include was
/// cut, or not sent): its newest entries, filtered to the step of its last included warning
/// when there is one (the step that went wrong, most likely). `None` for other runs.
pub fn log_lookup(run: &FlowRun) -> Option<LogQuery> {
    if run.status != Some(RunStatus::Failure) || run.problems.iter().any(|e| e.level.as_ref().is_some_and(|l| l.is_error())) {
        return None;
    }
    let step = run.problems.iter().rev().find_map(|e| e.step_id.clone());
    Some(LogQuery { flow_step_id: step.into_iter().collect(), sort: Some(LogSort::Newest), ..LogQuery::standard(1, PER_PAGE) })
}

/// One run of a group: where it failed with this cause and when.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRun {
    pub run_id: String,
    /// The step of its first entry with this cause.
    pub step_id: Option<String>,
    pub at_ms: Option<i64>,
}

/// Runs that failed with one cause.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The normalised message.
    pub key: String,
    /// One message of the group in full (the latest one).
    pub example: String,
    /// Newest first; each run once.
    pub runs: Vec<GroupRun>,
    /// Error entries of this cause.
    pub entries: usize,
    pub flows: Vec<String>,
    /// Step names (or `step <id>` where the name is unknown).
    pub steps: Vec<String>,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

/// Groups the error entries of `runs` by cause. The result does not depend on the order of
/// the runs or of their entries; groups come most runs first, then by key.
pub fn group(runs: &[RunErrors]) -> Vec<Group> {
    /// A run's first entry of a cause: its time (`i64::MAX` when unknown), step, run start.
    type First = (i64, Option<String>, Option<i64>);
    #[derive(Default)]
    struct Acc {
        example: Option<(Option<i64>, String)>,
        runs: BTreeMap<String, First>,
        entries: usize,
        flows: BTreeSet<String>,
        steps: BTreeSet<String>,
        first: Option<i64>,
        last: Option<i64>,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for run in runs {
        for e in &run.errors {
            let a = acc.entry(normalise(&e.message)).or_default();
            let at = e.created_at_ms.or(run.started_at_ms);
            a.entries += 1;
            // The latest message, the greatest text among equals: a choice order cannot change.
            let candidate = (at, e.message.clone());
            if a.example.as_ref().is_none_or(|x| candidate > *x) {
                a.example = Some(candidate);
            }
            // A run's entry of this cause: its earliest (then smallest step id) names the step.
            let mine: First = (at.unwrap_or(i64::MAX), e.step_id.clone(), run.started_at_ms);
            let slot = a.runs.entry(run.run_id.clone()).or_insert_with(|| mine.clone());
            if (mine.0, &mine.1) < (slot.0, &slot.1) {
                *slot = mine;
            }
            if let Some(f) = &run.flow {
                a.flows.insert(f.clone());
            }
            match (&e.step_name, &e.step_id) {
                (Some(n), _) => a.steps.insert(n.clone()),
                (None, Some(id)) => a.steps.insert(format!("step {id}")),
                _ => false,
            };
            if let Some(t) = at {
                a.first = Some(a.first.map_or(t, |f| f.min(t)));
                a.last = Some(a.last.map_or(t, |l| l.max(t)));
            }
        }
    }
    let mut groups: Vec<Group> = acc
        .into_iter()
        .map(|(key, a)| {
            let mut runs: Vec<GroupRun> = a
                .runs
                .into_iter()
                .map(|(run_id, (at, step_id, started))| GroupRun {
                    run_id,
                    step_id,
                    at_ms: Some(at).filter(|t| *t != i64::MAX).or(started),
                })
                .collect();
            runs.sort_by(|x, y| y.at_ms.cmp(&x.at_ms).then_with(|| x.run_id.cmp(&y.run_id)));
            Group {
                key,
                example: a.example.map(|(_, m)| m).unwrap_or_default(),
                runs,
                entries: a.entries,
                flows: a.flows.into_iter().collect(),
                steps: a.steps.into_iter().collect(),
                first_ms: a.first,
                last_ms: a.last,
            }
        })
        .collect();
    groups.sort_by(|x, y| y.runs.len().cmp(&x.runs.len()).then_with(|| x.key.cmp(&y.key)));
    groups
}

#[cfg(test)]
mod tests;
