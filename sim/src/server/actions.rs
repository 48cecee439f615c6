//! Actions on a run: download (queued), retry, stop.

use super::runs::{render, respond};
use super::state::Sim;
use super::{not_found, parse_id};
use crate::data::{Run, Status};
use crate::lazy::Lazies;
use crate::query::RunListQuery;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

pub(super) async fn download(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let now = sim.now();
    let found = {
        let ov = sim.read();
        parse_id(&id).and_then(|id| sim.live(&ov, id, now)).is_some()
    };
    if found {
        Json(json!({"message": "Your download has been queued. The file will appear in File Downloads when it is ready."})).into_response()
    } else {
        not_found()
    }
}

fn unprocessable(message: &str, reason: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": message, "errors": {"flow_run": [reason]}}))).into_response()
}

fn with_includes(includes: &[&str]) -> RunListQuery {
    RunListQuery { includes: includes.iter().map(|s| s.to_string()).collect(), ..RunListQuery::default() }
}

pub(super) async fn retry(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let now = sim.now();
    let mut lazies = Lazies::new(sim.opts.shapes);
    let body = {
        let mut ov = sim.overlay.write().unwrap_or_else(|e| e.into_inner());
        let Some(live) = parse_id(&id).and_then(|id| sim.live(&ov, id, now)) else { return not_found() };
        if !matches!(live.status, Status::Failure | Status::Stopped | Status::PartialSuccess) {
            let reason = match live.status {
                Status::Running => "The flow run is still running.",
                _ => "The flow run succeeded.",
            };
            return unprocessable("Only failed, stopped or partially successful flow runs can be retried.", reason);
        }
        let new_id = sim.total(&ov) + 1;
        let orig = live.run;
        let run = Run {
            id: new_id,
            final_status: Status::Success,
            trigger: "Retry",
            started_at_ms: now.max(sim.started_at(&ov, new_id - 1) + 1),
            planned_end_ms: now + 20_000,
            has_warnings: false,
            retry_of: Some(orig.id),
            retried_as: Vec::new(),
            log_count: 40,
            ..orig.clone()
        };
        ov.generation += 1;
        ov.extra.push(run.clone());
        ov.retries.entry(orig.id).or_default().push(new_id);
        let live = run.at(now, None);
        let data = render(&sim, &ov, &live, &with_includes(&["flow"]), now, &mut lazies);
        json!({"message": "The flow run has been queued for retry.", "data": data})
    };
    respond(body, lazies).await
}

pub(super) async fn stop(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let now = sim.now();
    let mut lazies = Lazies::new(sim.opts.shapes);
    let body = {
        let mut ov = sim.overlay.write().unwrap_or_else(|e| e.into_inner());
        let Some(live) = parse_id(&id).and_then(|id| sim.live(&ov, id, now)) else { return not_found() };
        if live.status != Status::Running {
            return unprocessable("Only running flow runs can be stopped.", "The flow run is not running.");
        }
        ov.generation += 1;
        ov.stopped.insert(live.run.id, now);
        let live = live.run.at(now, Some(now));
        json!({"message": "The flow run has been stopped.", "data": render(&sim, &ov, &live, &with_includes(&[]), now, &mut lazies)})
    };
    respond(body, lazies).await
}
