use super::*;
use crate::api::LogLevel;
use proptest::prelude::*;

fn entry(id: &str, level: LogLevel, step: Option<&str>, message: &str, at: Option<i64>) -> FlowRunLog {
    FlowRunLog {
        id: id.into(),
        step_id: step.map(str::to_string),
        level: Some(level),
        message: message.into(),
        created_at_ms: at,
        ..FlowRunLog::default()
    }
}

fn run(id: &str, flow: &str, at: i64, errors: Vec<FlowRunLog>) -> RunErrors {
    RunErrors { run_id: id.into(), flow: Some(flow.into()), started_at_ms: Some(at), errors }
}

#[test]
fn reads_failed_and_partial_runs_under_the_views_filters() {
    let view = RunQuery { flow_id: vec!["7".into()], include: vec!["flowVersion".into()], ..RunQuery::new(3, 25) };
    let q = list_query(&view, 2, 9_000).unwrap();
    assert_eq!(q.status, vec![RunStatus::Failure, RunStatus::PartialSuccess]);
    assert_eq!(q.flow_id, vec!["7".to_string()]);
    assert_eq!((q.page, q.per_page, q.sort), (2, 100, Some(RunSort::NewestFirst)));
    assert!(q.to_query_string().contains("include=flow%2CerrorWarningLogsCount&"), "counts, never the unbounded entries: {q:?}");
    assert_eq!(q.started_before, Some(9_000), "the same runs when a page is asked again");
    assert!(entries_query(&q).to_query_string().contains("include=flow%2CerrorWarningLogs&"));
    assert_eq!(list_query(&view, 99, 9_000).unwrap().page, LIST_PAGES, "never past the limit");
    let earlier = RunQuery { started_before: Some(5_000), ..view.clone() };
    assert_eq!(list_query(&earlier, 1, 9_000).unwrap().started_before, Some(5_000));
    let failed_only = RunQuery { status: vec![RunStatus::Failure, RunStatus::Success], ..view.clone() };
    assert_eq!(list_query(&failed_only, 1, 9_000).unwrap().status, vec![RunStatus::Failure]);
    let success = RunQuery { status: vec![RunStatus::Success], ..view };
    assert_eq!(list_query(&success, 1, 9_000), None, "no failed run under these filters");
}

#[test]
fn only_failed_partial_or_unknown_statuses_are_grouped() {
    let with = |s: Option<RunStatus>| is_grouped(&FlowRun { status: s, ..FlowRun::default() });
    assert!(with(Some(RunStatus::Failure)) && with(Some(RunStatus::PartialSuccess)));
    assert!(with(None) && with(Some(RunStatus::Other("9".into()))), "what the filter let through, unread");
    assert!(!with(Some(RunStatus::Success)) && !with(Some(RunStatus::Running)) && !with(Some(RunStatus::Stopped)));
}

#[test]
fn pages_end_at_the_limit_or_a_short_page() {
    assert!(more_pages(1, 100));
    assert!(!more_pages(1, 99));
    assert!(!more_pages(LIST_PAGES, 100), "never past our own limit");
    assert!(!more_pages(u32::MAX, usize::MAX));
    assert_eq!(max_requests(), 30);
    assert_eq!(RUN_LIMIT, 500);
}

#[test]
fn only_failed_runs_without_an_included_error_read_their_log() {
    let warn = entry("1", LogLevel::Warning, Some("1002"), "slow", None);
    let err = entry("2", LogLevel::Fatal, Some("1003"), "boom", None);
    let mut r = FlowRun { id: "5".into(), status: Some(RunStatus::Failure), problems: vec![warn.clone()], ..FlowRun::default() };
    let q = log_lookup(&r).unwrap();
    assert_eq!(q.flow_step_id, vec!["1002".to_string()]);
    assert_eq!(q.sort, Some(LogSort::Newest));
    r.problems.clear();
    assert_eq!(log_lookup(&r).unwrap().flow_step_id, Vec::<String>::new(), "no step known: the newest entries");
    r.problems = vec![warn.clone(), err];
    assert_eq!(log_lookup(&r), None, "the include was enough");
    let partial = FlowRun { status: Some(RunStatus::PartialSuccess), problems: vec![warn], ..r };
    assert_eq!(log_lookup(&partial), None);
    let errs = RunErrors::of(&FlowRun { flow_id: Some("9".into()), ..partial });
    assert_eq!((errs.flow.as_deref(), errs.errors.len()), (Some("flow 9"), 0));
}

/// The simulator's causes (`sim/src/causes.rs`, `--failure-causes`) and the keys it states
/// for them, written there by hand from the rule in `causes`: both sides must agree.
#[test]
fn the_simulators_causes_normalise_to_the_keys_it_states() {
    for (message, key) in [
        (
            r#"Step "Send to NetSuite" failed: HTTP 502 from destination after 3 attempts (record 17)"#,
            "Step <q> failed: HTTP <n> from destination after <n> attempts (record <n>)",
        ),
        (
            "Timeout after 30000 ms waiting for NetSuite (request 0b7e1c9a-44f1-4c2e-9a51-2d1f0e6b7c88)",
            "Timeout after <n> ms waiting for NetSuite (request <uuid>)",
        ),
        ("Order 'SO-1042' rejected by Shopify: SKU \"AB-77\" not found", "Order <q> rejected by Shopify: SKU <q> not found"),
        (
            "Rate limit exceeded at 2026-11-29T06:20:42Z for token tok_9f2c: retry in 35s",
            "Rate limit exceeded at <time> for token <id>: retry in <n>s",
        ),
    ] {
        assert_eq!(normalise(message), key);
    }
}

#[test]
fn messages_sent_as_parts_group_by_their_text() {
    let parts = r#"[{"type":"text","text":"Timeout after 9 s"},{"type":"context","step":"Map","record":3}]"#;
    let e = |m: &str, p: Option<&str>| FlowRunLog { parts: p.map(str::to_string), ..entry("1", LogLevel::Error, None, m, None) };
    let decoded = "Timeout after 9 s\n{\"record\":3,\"step\":\"Map\",\"type\":\"context\"}";
    assert_eq!(cause_text(&e(decoded, Some(parts))), "Timeout after 9 s", "parts only: the text parts");
    assert_eq!(cause_text(&e("Timeout after 9 s", Some(parts))), "Timeout after 9 s");
    assert_eq!(cause_text(&e("Gateway refused", Some(parts))), "Gateway refused", "log_message says otherwise: kept");
    for p in [None, Some("[{\"k\": 1}]"), Some("[{not json"), Some("7")] {
        assert_eq!(cause_text(&e(decoded, p)), decoded);
    }
    let runs = [run("1", "f", 0, errors_of(&[e(decoded, Some(parts))])), run("2", "f", 0, errors_of(&[e("Timeout after 10 s", None)]))];
    assert_eq!(group(&runs).len(), 1);
}

#[test]
fn groups_by_cause_with_runs_flows_steps_and_times() {
    let e = |id: &str, step: &str, m: &str, at: i64| entry(id, LogLevel::Error, Some(step), m, Some(at));
    let runs = vec![
        run("1", "Orders", 100, vec![e("a", "11", "Timeout after 30 s", 110), e("b", "12", "Timeout after 31 s", 120)]),
        run("2", "Stock", 200, vec![e("c", "21", "Timeout after 5 s", 210)]),
        run("3", "Orders", 300, vec![e("d", "11", "SKU 'X' unknown", 310)]),
        run("4", "Orders", 400, vec![]),
    ];
    let g = group(&runs);
    assert_eq!(g.len(), 2);
    assert_eq!(g[0].key, "Timeout after <n> s");
    assert_eq!(g[0].runs.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), vec!["2", "1"], "newest first, once each");
    assert_eq!(g[0].runs[1].step_id.as_deref(), Some("11"), "its first entry of the cause");
    assert_eq!(g[0].entries, 3);
    assert_eq!(g[0].flows, vec!["Orders".to_string(), "Stock".to_string()]);
    assert_eq!(g[0].steps, vec!["step 11".to_string(), "step 12".to_string(), "step 21".to_string()]);
    assert_eq!((g[0].first_ms, g[0].last_ms), (Some(110), Some(210)));
    assert_eq!(g[0].example, "Timeout after 5 s", "the latest message");
    assert_eq!(g[1].key, "SKU <q> unknown");
    assert!(group(&[]).is_empty());
}

const TEMPLATES: [&str; 4] = ["Timeout after {} ms", "Order '{}' rejected", "HTTP {} from destination", "can't reach host"];

fn arb_runs() -> impl Strategy<Value = Vec<RunErrors>> {
    let e = (0usize..4, 0u32..100_000, proptest::option::of(0i64..1_000), proptest::option::of(0u8..4), 0u8..3);
    let r = (0u8..5, proptest::option::of(0i64..1_000), proptest::collection::vec(e, 0..4));
    proptest::collection::vec(r, 0..12).prop_map(|runs| {
        runs.into_iter()
            .enumerate()
            .map(|(i, (flow, started, errors))| RunErrors {
                run_id: format!("r{i}"),
                flow: (flow > 0).then(|| format!("flow {flow}")),
                started_at_ms: started,
                errors: errors
                    .into_iter()
                    .enumerate()
                    .map(|(j, (t, n, at, step, level))| FlowRunLog {
                        id: format!("{i}-{j}"),
                        step_id: step.map(|s| s.to_string()),
                        level: Some([LogLevel::Error, LogLevel::Critical, LogLevel::Fatal][level as usize].clone()),
                        message: TEMPLATES[t].replace("{}", &n.to_string()),
                        created_at_ms: at,
                        ..FlowRunLog::default()
                    })
                    .collect(),
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn grouping_does_not_depend_on_order(runs in arb_runs(), seed in any::<u64>()) {
        let mut shuffled = runs.clone();
        // A deterministic shuffle of the runs and of each run's entries.
        let mut s = seed | 1;
        let mut next = move || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
        for i in (1..shuffled.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; shuffled.swap(i, j); }
        for r in &mut shuffled { r.errors.reverse(); }
        prop_assert_eq!(group(&runs), group(&shuffled));
    }

    #[test]
    fn counts_add_up_and_every_run_has_its_cause(runs in arb_runs()) {
        let groups = group(&runs);
        let total: usize = runs.iter().map(|r| r.errors.len()).sum();
        prop_assert_eq!(groups.iter().map(|g| g.entries).sum::<usize>(), total);
        let with_errors = runs.iter().filter(|r| !r.errors.is_empty()).count();
        let mut seen = BTreeSet::new();
        for g in &groups {
            let ids: BTreeSet<&str> = g.runs.iter().map(|r| r.run_id.as_str()).collect();
            prop_assert_eq!(ids.len(), g.runs.len(), "a run counts once per group");
            prop_assert!(g.runs.len() <= g.entries);
            prop_assert_eq!(normalise(&g.example), g.key.clone());
            for gr in &g.runs {
                let r = runs.iter().find(|r| r.run_id == gr.run_id).unwrap();
                prop_assert!(r.errors.iter().any(|e| normalise(&e.message) == g.key));
                seen.insert(gr.run_id.clone());
            }
            prop_assert!(g.first_ms <= g.last_ms);
        }
        prop_assert_eq!(seen.len(), with_errors, "every run with an error is in a group");
    }

    #[test]
    fn groups_come_most_runs_first_with_distinct_keys(runs in arb_runs()) {
        let groups = group(&runs);
        prop_assert!(groups.windows(2).all(|w| (w[0].runs.len(), &w[1].key) >= (w[1].runs.len(), &w[0].key)));
        let keys: BTreeSet<&str> = groups.iter().map(|g| g.key.as_str()).collect();
        prop_assert_eq!(keys.len(), groups.len());
    }

    #[test]
    fn any_message_groups_without_panicking(messages in proptest::collection::vec(any::<String>(), 0..6)) {
        let errors = messages.iter().enumerate().map(|(i, m)| entry(&i.to_string(), LogLevel::Error, None, m, None)).collect();
        let groups = group(&[run("1", "f", 0, errors)]);
        prop_assert!(groups.iter().all(|g| g.runs.len() == 1));
    }
}

#[test]
fn entries_are_asked_for_only_in_bounded_answers() {
    let with = |counts: &[Option<u64>]| -> Vec<FlowRun> {
        counts.iter().enumerate().map(|(i, c)| FlowRun { id: i.to_string(), problem_count: *c, ..FlowRun::default() }).collect()
    };
    assert!(page_fits(&with(&[Some(3), Some(0), Some(40)])));
    assert!(!page_fits(&with(&[Some(0), Some(0)])), "nothing to read");
    assert!(!page_fits(&with(&[Some(3), None])), "a count not given: unknown size");
    assert!(!page_fits(&with(&[Some(PAGE_ENTRIES_MAX), Some(1)])), "too many at once");
    assert!(!page_fits(&with(&[Some(u64::MAX), Some(u64::MAX)])), "no overflow");
    let one = |c: Option<u64>| single(&FlowRun { problem_count: c, ..FlowRun::default() });
    assert_eq!(one(Some(0)), None);
    assert_eq!(one(Some(RUN_ENTRIES_MAX)), Some(Single::Run));
    assert!(matches!(one(Some(RUN_ENTRIES_MAX + 1)), Some(Single::Log(_))), "thousands: the log's newest, not all");
    assert!(matches!(one(None), Some(Single::Log(_))), "unknown: bounded either way");
}
