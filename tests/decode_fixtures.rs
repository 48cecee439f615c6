//! The app's decoding of recorded simulator answers (`tests/fixtures/sim/`, kept current by
//! the simulator's own `fixtures` test). Native only.
#![cfg(not(target_arch = "wasm32"))]

use flow_run_console::api::client::parse_answer;
use flow_run_console::api::models::decode_one;
use flow_run_console::api::{ActionOutcome, ApiError, FlowRun, FlowRunLog, LogLevel, Page, RunStatus, Trigger};
use serde_json::Value;

/// The decoded body of a recorded answer, or the error the client makes of it.
fn recorded(name: &str) -> Result<Value, ApiError> {
    let path = format!("{}/tests/fixtures/sim/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: Value = serde_json::from_str(&text).unwrap();
    let status = v["status"].as_u64().unwrap() as u16;
    parse_answer(status, v["retry_after"].as_str(), Some("application/json"), &v["body"].to_string(), name)
}

#[test]
fn a_page_of_runs() {
    let page = Page::decode(&recorded("runs_page").unwrap(), FlowRun::from_value).unwrap();
    assert_eq!(page.skipped, 0);
    assert_eq!(page.items.len(), 10);
    assert_eq!((page.meta.current_page, page.meta.per_page, page.meta.total), (2, 10, Some(400)));
    assert_eq!(page.meta.last_page, 40);
    assert_eq!(page.meta.links.first().map(|l| l.label.as_str()), Some("&laquo; Previous"));
    assert!(page.meta.links.iter().any(|l| l.label == "..." && l.url.is_none()));
    let ids: Vec<u64> = page.items.iter().map(|r| r.id.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    for r in &page.items {
        assert!(r.flow_name.is_some() && r.flow_version.is_some() && r.started_at_ms.is_some(), "{r:?}");
        assert!(matches!(r.status, Some(ref s) if RunStatus::KNOWN.contains(s)), "{r:?}");
        assert!(matches!(r.trigger, Some(ref t) if Trigger::KNOWN.contains(t)), "{r:?}");
        match r.status {
            Some(RunStatus::Running) => assert!(r.finished_at_ms.is_none() && r.duration_ms.is_none()),
            _ => assert_eq!(r.duration_ms, Some(r.finished_at_ms.unwrap() - r.started_at_ms.unwrap())),
        }
        if r.status == Some(RunStatus::Failure) {
            assert!(r.problems.iter().any(|p| p.level.as_ref().is_some_and(LogLevel::is_error)), "a failure has its errors: {r:?}");
        }
    }
}

#[test]
fn one_run_with_every_include() {
    let run = decode_one(&recorded("run_full").unwrap(), "run", FlowRun::from_value).unwrap();
    assert_eq!(run.status, Some(RunStatus::Failure));
    assert!(run.steps.len() >= 3 && run.steps.iter().all(|s| s.name.is_some()));
    assert!(run.cpu_time_ms.is_some() && run.payload_size_bytes.is_some());
    assert!(run.operations_sent.is_some() && run.operations_received.is_some());
    assert!(run.score.is_some_and(|s| s <= 999));
    assert!(run.starting_payload_count.is_some() && run.starting_payload_size_bytes.is_some());
    assert_eq!(run.steps_with_errors, Some(1));
    assert!(!run.problems.is_empty());
}

#[test]
fn a_page_of_logs_and_one_entry() {
    let page = Page::decode(&recorded("logs_page").unwrap(), FlowRunLog::from_value).unwrap();
    assert_eq!((page.items.len(), page.meta.total, page.meta.current_page), (40, Some(240), 3));
    let first = &page.items[0];
    assert_eq!(first.id, "396000201");
    assert_eq!(first.run_id.as_deref(), Some("396"));
    assert!(first.step_name.is_some() && first.created_at_ms.is_some() && first.metadata.is_some() && first.meta.is_some());
    assert!(page.items.iter().all(|e| e.level.as_ref().is_some_and(|l| LogLevel::KNOWN.contains(l))));
    assert!(page.items.iter().any(|e| !e.payload_ids.is_empty()));
    let times: Vec<i64> = page.items.iter().filter_map(|e| e.created_at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));

    let one = decode_one(&recorded("log_one").unwrap(), "log entry", FlowRunLog::from_value).unwrap();
    assert_eq!(one.id, "396000007");
    assert!(one.step_name.is_some());
}

#[test]
fn actions() {
    let retry = ActionOutcome::from_value(&recorded("retry_ok").unwrap());
    let new_run = retry.run.expect("the retry names the new run");
    assert_eq!(new_run.trigger, Some(Trigger::Retry));
    assert!(new_run.retry_of.is_some());
    assert!(retry.message.is_some());
    let stop = ActionOutcome::from_value(&recorded("stop_ok").unwrap());
    assert_eq!(stop.run.and_then(|r| r.status), Some(RunStatus::Stopped));
    assert!(ActionOutcome::from_value(&recorded("download").unwrap()).message.unwrap().contains("File Downloads"));
}

#[test]
fn errors() {
    match recorded("stop_422") {
        Err(ApiError::Validation { message, errors }) => {
            assert!(message.contains("running"));
            assert_eq!(errors[0].0, "flow_run");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(recorded("error_400"), Err(ApiError::BadRequest { message }) if message.starts_with("Requested filter(s) `colour`")));
    assert_eq!(recorded("error_401"), Err(ApiError::Unauthorized));
    assert_eq!(recorded("error_404"), Err(ApiError::NotFound));
}
