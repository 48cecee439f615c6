//! `GET /api/v1/flow-runs` and `GET /api/v1/flow-runs/{flow_run}`.

use super::state::{Overlay, Sim};
use super::{base_url, not_found, pairs, parse_id, refused};
use crate::data::LiveRun;
use crate::lazy::Lazies;
use crate::paginate::PageRequest;
use crate::query::{matches, parse_run_list, RunListQuery};
use crate::render::run_json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// One run as answered: rendered, narrowed by the fieldsets, reshaped.
pub(super) fn render(sim: &Sim, ov: &Overlay, live: &LiveRun, q: &RunListQuery, now: i64, lazies: &mut Lazies) -> Value {
    let ctx = sim.context(ov, live, now);
    let mut o = run_json(live, &ctx, &q.includes, lazies);
    q.fields.apply(&mut o);
    let mut v = Value::Object(o);
    sim.opts.shapes.run_item(&mut v, sim.opts.seed);
    v
}

/// A JSON answer whose long log lists are written as they are generated, off the async
/// threads.
pub(super) async fn respond(v: Value, lazies: Lazies) -> Response {
    if lazies.is_empty() {
        return Json(v).into_response();
    }
    let bytes = tokio::task::spawn_blocking(move || lazies.to_bytes(&v)).await.unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// The id range `[lo, hi]` the date filters leave (start times grow with the id, so each
/// bound is a bisection).
fn date_range(sim: &Sim, ov: &Overlay, q: &RunListQuery) -> (u64, u64) {
    let total = sim.total(ov);
    let first_at_or_after = |ms: i64| {
        let (mut lo, mut hi) = (1u64, total + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if sim.started_at(ov, mid) >= ms {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    };
    let (mut lo, mut hi) = (1u64, total);
    // Validation keeps every value within 0..=MAX_DATE_MS, so none of this can overflow.
    for (name, ms) in &q.dates {
        match name.as_str() {
            "started_after" => lo = lo.max(first_at_or_after(ms + 1)),
            "started_before" => hi = hi.min(first_at_or_after(*ms).saturating_sub(1)),
            _ => {
                let day = ms - ms.rem_euclid(86_400_000);
                lo = lo.max(first_at_or_after(day));
                hi = hi.min(first_at_or_after(day + 86_400_000).saturating_sub(1));
            }
        }
    }
    (lo, hi)
}

/// The ids of one page and the total, newest first unless asked otherwise.
fn page_ids(sim: &Sim, ov: &Overlay, q: &RunListQuery, now: i64) -> (u64, Vec<u64>) {
    let (lo, hi) = date_range(sim, ov, q);
    if lo > hi {
        return (0, Vec::new());
    }
    let offset = usize::try_from((q.page - 1).saturating_mul(q.per_page)).unwrap_or(usize::MAX);
    let per_page = q.per_page as usize;
    if q.filters.is_empty() {
        let ids: Box<dyn Iterator<Item = u64>> = if q.newest_first { Box::new((lo..=hi).rev()) } else { Box::new(lo..=hi) };
        return (hi - lo + 1, ids.skip(offset).take(per_page).collect());
    }
    let m = sim.matches_of(ov, &q.filters, now);
    let in_range = |v: &[u64]| -> std::ops::Range<usize> { v.partition_point(|id| *id < lo)..v.partition_point(|id| *id <= hi) };
    let ended = &m.ended[in_range(&m.ended)];
    // Runs that were open when the cache was built are checked now. (Runs added since
    // changed the overlay's generation, so the cache was rebuilt with them.)
    let fresh: Vec<u64> =
        m.open[in_range(&m.open)].iter().copied().filter(|id| sim.live(ov, *id, now).is_some_and(|l| matches(&l, &q.filters))).collect();
    let mut all = Vec::with_capacity(ended.len() + fresh.len());
    let (mut i, mut j) = (0, 0);
    while i < ended.len() || j < fresh.len() {
        if j == fresh.len() || (i < ended.len() && ended[i] < fresh[j]) {
            all.push(ended[i]);
            i += 1;
        } else {
            all.push(fresh[j]);
            j += 1;
        }
    }
    let page = if q.newest_first {
        all.iter().rev().skip(offset).take(per_page).copied().collect()
    } else {
        all.iter().skip(offset).take(per_page).copied().collect()
    };
    (all.len() as u64, page)
}

pub(super) async fn list_runs(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_run_list(&pairs(&raw)) {
        Ok(q) => q,
        Err(e) => return refused(&e),
    };
    let now = sim.now();
    let mut lazies = Lazies::new(sim.opts.shapes);
    let page = {
        let ov = sim.read();
        let (total, ids) = page_ids(&sim, &ov, &q, now);
        let data: Vec<Value> =
            ids.into_iter().filter_map(|id| sim.live(&ov, id, now)).map(|live| render(&sim, &ov, &live, &q, now, &mut lazies)).collect();
        let path = format!("{}/api/v1/flow-runs", base_url(&headers));
        PageRequest { path: &path, other_query: &q.other, page: q.page, per_page: q.per_page, total }.envelope(data)
    };
    respond(page, lazies).await
}

/// One run. The reference lists the list's filters here too; a run they exclude is not
/// found (the same query builder, then `findOrFail`). Sort and paging do nothing here.
pub(super) async fn get_run(State(sim): State<Arc<Sim>>, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_run_list(&pairs(&raw)) {
        Ok(q) => q,
        Err(e) => return refused(&e),
    };
    let now = sim.now();
    let mut lazies = Lazies::new(sim.opts.shapes);
    let body = {
        let ov = sim.read();
        let Some(live) = parse_id(&id).and_then(|id| sim.live(&ov, id, now)) else { return not_found() };
        let (lo, hi) = date_range(&sim, &ov, &q);
        if !(lo..=hi).contains(&live.run.id) || !matches(&live, &q.filters) {
            return not_found();
        }
        json!({"data": render(&sim, &ov, &live, &q, now, &mut lazies)})
    };
    respond(body, lazies).await
}
