//! What some runs carry besides the basics: a `name`, a `summary`, and tracked data (values
//! a flow records for searching, such as order numbers). All derived from `hash(seed, id)`.

use crate::data::{mix, LiveRun, Status};
use crate::render::timestamp;
use serde_json::{json, Value};

/// The run's `name`, on about a third of the runs. Never the flow's name alone, so that a
/// client showing it as the flow's name is caught.
pub fn name(live: &LiveRun, seed: u64) -> Option<String> {
    let run = &live.run;
    let h = mix(seed, 20, run.id);
    Some(match h % 9 {
        0 => format!("{} #{}", run.flow_name, run.id),
        1 => format!("{} run by user {}", run.trigger, run.user_id),
        2 => format!("Nightly <batch> {} — «{}»", 1 + (h >> 8) % 30, run.flow_name),
        _ => return None,
    })
}

/// The run's `summary`: always on failures and partial successes once ended (the
/// dashboard's failure summary), on some other ended runs, never while running.
pub fn summary(live: &LiveRun, seed: u64, failing_step: &str) -> Option<String> {
    let run = &live.run;
    let h = mix(seed, 21, run.id);
    let records = live.log_count;
    Some(match live.status {
        Status::Running => return None,
        Status::Failure if h.is_multiple_of(3) => {
            format!(
                "Step \"{failing_step}\" failed: HTTP 502 from destination after 3 attempts.\nRecords processed before the failure: {}",
                records / 2
            )
        }
        Status::Failure => format!("Step \"{failing_step}\" failed: HTTP 502 from destination after 3 attempts."),
        Status::PartialSuccess => format!("Processed {records} records; {} skipped with warnings.", 1 + records / 20),
        Status::Stopped => format!("Stopped by user {} after {records} log entries.", run.user_id),
        Status::Success if h.is_multiple_of(2) => format!("Processed {records} records."),
        Status::Success => return None,
    })
}

const TRACKED_KEYS: [&str; 5] = ["order_number", "customer_email", "sku", "region", "external_id"];

/// The run's tracked data (`include=trackedData`): none on about 60% of the runs, one to
/// four items on the others.
pub fn tracked_data(live: &LiveRun, seed: u64, first_step: u64) -> Vec<Value> {
    let run = &live.run;
    let h = mix(seed, 22, run.id);
    let n = if h % 5 < 3 { 0 } else { 1 + (h >> 8) % 4 };
    (0..n)
        .map(|k| {
            let hk = mix(seed, 23, run.id.wrapping_mul(8).wrapping_add(k));
            let key = TRACKED_KEYS[(hk % TRACKED_KEYS.len() as u64) as usize];
            let value = match key {
                "order_number" => format!("SO-{}", 10_000 + hk % 90_000),
                "customer_email" => format!("customer{}@example.test", hk % 1000),
                "sku" => format!("SKU-{:05}", hk % 100_000),
                "region" => ["eu", "us", "apac"][(hk % 3) as usize].to_string(),
                _ => format!("{:x}", hk >> 16),
            };
            json!({
                "id": run.id.wrapping_mul(10).wrapping_add(k),
                "flow_run_id": run.id,
                "flow_step_id": first_step,
                "key": key,
                "value": value,
                "created_at": timestamp(run.started_at_ms + k as i64),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::World;

    #[test]
    fn some_runs_carry_names_summaries_and_tracked_data() {
        let w =
            World { seed: 5, runs: 600, anchor_ms: 1_800_000_000_000, span_ms: 86_400_000, log_overrides: vec![], live_overrides: vec![] };
        let lives: Vec<LiveRun> = (1..=600).filter_map(|i| w.run(i)).map(|r| r.at(w.anchor_ms, None)).collect();
        let named = lives.iter().filter(|l| name(l, 5).is_some()).count();
        assert!((100..300).contains(&named), "{named}");
        assert!(lives.iter().filter_map(|l| name(l, 5)).all(|n| !crate::data::FLOWS.contains(&n.as_str())));
        for l in &lives {
            let s = summary(l, 5, "Send");
            match l.status {
                Status::Running => assert!(s.is_none()),
                Status::Failure | Status::PartialSuccess => assert!(s.is_some()),
                _ => {}
            }
        }
        assert!(lives.iter().any(|l| l.status == Status::Success && summary(l, 5, "x").is_some()));
        assert!(lives.iter().any(|l| l.status == Status::Success && summary(l, 5, "x").is_none()));
        let tracked: Vec<usize> = lives.iter().map(|l| tracked_data(l, 5, 1).len()).collect();
        assert!(tracked.iter().filter(|n| **n > 0).count() > 150);
        assert!(tracked.contains(&0));
    }
}
