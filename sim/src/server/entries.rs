//! `GET /api/v1/flow-runs/{flow_run}/flow-run-logs` and `…/flow-run-logs/{flow_run_log}`.

use super::state::Sim;
use super::{base_url, error, not_found, pairs, parse_id, refused};
use crate::data::LiveRun;
use crate::logs::RunLog;
use crate::paginate::PageRequest;
use crate::query::{parse_log_list, LogListQuery};
use crate::render::{log_json, LogOptions};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// What both log endpoints start with: the parsed query, the run as it stands, its log.
fn log_request(sim: &Sim, run_id: &str, raw: &Option<String>) -> Result<(LogListQuery, LiveRun, RunLog), Box<Response>> {
    let q = parse_log_list(&pairs(raw)).map_err(|e| Box::new(refused(&e)))?;
    let now = sim.now();
    let ov = sim.read();
    let live = parse_id(run_id).and_then(|id| sim.live(&ov, id, now)).ok_or_else(|| Box::new(not_found()))?;
    let log = sim.run_log(&live);
    Ok((q, live, log))
}

fn entry_json(sim: &Sim, log: &RunLog, j: u64, q: &LogListQuery) -> Value {
    let opts = LogOptions { load_payload_ids: q.load_payload_ids, step_fields: q.step_fields.clone() };
    let mut v = log_json(&log.entry(j), log.run_id, &q.includes, &opts);
    sim.opts.shapes.log_item(&mut v, sim.opts.seed);
    v
}

pub(super) async fn list_logs(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (q, live, log) = match log_request(&sim, &id, &raw) {
        Ok(parts) => parts,
        Err(resp) => return *resp,
    };
    let mut ranges: Vec<(u64, u64)> = match &q.step_ids {
        None => vec![(0, log.count)],
        Some(ids) => ids.iter().filter_map(|s| log.step_range(*s)).collect(),
    };
    ranges.sort_unstable();
    ranges.dedup();
    let total: u64 = ranges.iter().map(|(a, b)| b - a).sum();
    let offset = usize::try_from((q.page - 1).saturating_mul(q.per_page)).unwrap_or(usize::MAX);
    let indexes: Box<dyn Iterator<Item = u64>> = if q.descending {
        Box::new(ranges.clone().into_iter().rev().flat_map(|(a, b)| (a..b).rev()))
    } else {
        Box::new(ranges.clone().into_iter().flat_map(|(a, b)| a..b))
    };
    let data = indexes.skip(offset).take(q.per_page as usize).map(|j| entry_json(&sim, &log, j, &q)).collect();
    let path = format!("{}/api/v1/flow-runs/{}/flow-run-logs", base_url(&headers), live.run.id);
    let req = PageRequest { path: &path, other_query: &q.other, page: q.page, per_page: q.per_page, total };
    Json(req.envelope(data)).into_response()
}

/// One entry. `filter[flow_step_id]` (the reference lists it here too) excludes an entry of
/// another step: not found. Paging does nothing here.
pub(super) async fn get_log(State(sim): State<Arc<Sim>>, Path((run, log_id)): Path<(String, String)>, RawQuery(raw): RawQuery) -> Response {
    let (q, _, log) = match log_request(&sim, &run, &raw) {
        Ok(parts) => parts,
        Err(resp) => return *resp,
    };
    let found =
        parse_id(&log_id).and_then(|l| log.index_of(l)).filter(|j| q.step_ids.as_ref().is_none_or(|ids| ids.contains(&log.step_of(*j))));
    match found {
        Some(j) => Json(json!({"data": entry_json(&sim, &log, j, &q)})).into_response(),
        None => error(StatusCode::NOT_FOUND, "No query results for model [App\\Models\\FlowRunLog]."),
    }
}
