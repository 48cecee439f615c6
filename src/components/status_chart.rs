use super::filter_bar::ViewChange;
use crate::browser::{self, Store};
use crate::chart::{buckets, cache_key, count_query, heights, span, Bar, Series, BUCKETS};
use crate::state::use_app;
use crate::time::format_datetime;
use crate::url_state::{RunsView, TimeRange};
use leptos::prelude::*;
use std::cell::RefCell;

const COLLAPSED_KEY: &str = "frc.chart";
const CACHE_ENTRIES: usize = 20;
const W: f64 = 800.0;
const H: f64 = 100.0;

/// Single counts kept for a filter set that was left before its chart was complete.
const PARTIAL_ENTRIES: usize = 200;

/// One count: (filter set and span, bucket, series).
type CountKey = (String, usize, u8);

thread_local! {
    /// Counts per filter set and span, kept while the app runs.
    static CACHE: RefCell<Vec<(String, Vec<Bar>)>> = const { RefCell::new(Vec::new()) };
    /// Single counts (filter set and span, bucket, series), so that a chart left half counted
    /// (the user opened a run) resumes on return instead of counting again.
    static PARTIAL: RefCell<Vec<(CountKey, u64)>> = const { RefCell::new(Vec::new()) };
}

fn partial(key: &CountKey) -> Option<u64> {
    PARTIAL.with(|p| p.borrow().iter().find(|(k, _)| k == key).map(|(_, n)| *n))
}

fn remember_partial(key: CountKey, n: u64) {
    PARTIAL.with(|p| {
        let mut p = p.borrow_mut();
        p.insert(0, (key, n));
        p.truncate(PARTIAL_ENTRIES);
    });
}

fn cached(key: &str) -> Option<Vec<Bar>> {
    CACHE.with(|c| c.borrow().iter().find(|(k, _)| k == key).map(|(_, b)| b.clone()))
}

fn remember(key: String, bars: Vec<Bar>) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        c.retain(|(k, _)| *k != key);
        c.insert(0, (key, bars));
        c.truncate(CACHE_ENTRIES);
    });
}

#[derive(Clone, PartialEq)]
enum ChartState {
    Counting { done: usize, of: usize },
    Ready(Vec<Bar>),
    Failed(String),
}

/// Runs over the filtered time range by outcome, as stacked bars. A click on a bar narrows
/// the filter to that time and outcome. Collapsed, it costs no requests. While `hold` is true
/// (the table's own request is in flight) it does not start counting: the table goes first.
#[component]
pub fn StatusChart(
    #[prop(into)] view: Signal<RunsView>,
    on_change: Callback<ViewChange>,
    #[prop(into, optional)] hold: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let collapsed = RwSignal::new(browser::storage_get(Store::Local, COLLAPSED_KEY).as_deref() == Some("collapsed"));
    let state = RwSignal::new(None::<ChartState>);
    // Only what the counts depend on: not the page, its size or the sort.
    let filters = Memo::new(move |_| view.with(|v| RunsView { page: 1, per_page: 1, sort: Default::default(), ..v.clone() }));

    Effect::new(move |_| {
        let v = filters.get();
        app.connection.track();
        let zone = app.zone.get();
        if collapsed.get() {
            return;
        }
        // Relative ranges are taken to the minute, so a revisit within it finds the cache.
        let now = browser::now_ms() / 60_000 * 60_000;
        let (from, to) = span(&v, now, browser::zone_offset(zone, now));
        let key = cache_key(&v, from, to);
        if let Some(bars) = cached(&key) {
            state.set(Some(ChartState::Ready(bars)));
            return;
        }
        let client = app.client().background();
        if client.credential.is_none() {
            state.set(None);
            return;
        }
        let spans = buckets(from, to, BUCKETS);
        let plan: Vec<(usize, Option<Series>)> =
            (0..spans.len()).flat_map(|i| [(i, None), (i, Some(Series::Success)), (i, Some(Series::Failure))]).collect();
        state.set(Some(ChartState::Counting { done: 0, of: plan.len() }));
        if hold.get() {
            return;
        }
        // A task of this effect: a change of filters, zone or connection, or collapsing the
        // chart, runs the effect again and so ends the counting of the old filters.
        crate::tasks::spawn(async move {
            let mut totals = vec![[0u64; 3]; spans.len()];
            for (n, (i, series)) in plan.iter().enumerate() {
                let statuses = series.map(|s| s.statuses());
                let slot = match series {
                    None => 0,
                    Some(Series::Success) => 1,
                    _ => 2,
                };
                let count_key = (key.clone(), *i, slot as u8);
                if let Some(count) = partial(&count_key) {
                    totals[*i][slot] = count;
                    continue;
                }
                let Some(q) = count_query(&v, spans[*i], statuses.as_deref()) else { continue };
                match client.list_runs(&q, None).await {
                    Ok(page) => {
                        let count = page.meta.total.unwrap_or(page.items.len() as u64);
                        totals[*i][slot] = count;
                        remember_partial(count_key, count);
                    }
                    Err(e) => {
                        state.set(Some(ChartState::Failed(e.message())));
                        return;
                    }
                }
                state.set(Some(ChartState::Counting { done: n + 1, of: plan.len() }));
            }
            let bars: Vec<Bar> = spans
                .iter()
                .zip(&totals)
                .map(|((s, e), [all, ok, failed])| Bar {
                    start_ms: *s,
                    end_ms: *e,
                    success: *ok,
                    failure: *failed,
                    other: all.saturating_sub(ok + failed),
                })
                .collect();
            remember(key, bars.clone());
            state.set(Some(ChartState::Ready(bars)));
        });
    });

    let toggle = move |_| {
        let next = !collapsed.get_untracked();
        browser::storage_set(Store::Local, COLLAPSED_KEY, if next { "collapsed" } else { "open" });
        collapsed.set(next);
    };
    let label_time = move |ms: i64| {
        let t = format_datetime(ms, browser::zone_offset(app.zone.get_untracked(), ms));
        t.get(0..16).unwrap_or(&t).to_string()
    };
    let narrow = move |bar: Bar, series: Series| {
        let mut v = view.get_untracked();
        v.range = TimeRange::Between { from: Some(bar.start_ms), to: Some(bar.end_ms) };
        v.status = series.statuses();
        v.page = 1;
        on_change.run((v, false));
    };

    let chart = move || {
        if collapsed.get() {
            return None;
        }
        Some(match state.get() {
            None => view! { <p class="chart-note">"Connect to see the chart."</p> }.into_any(),
            Some(ChartState::Counting { done, of }) => view! {
                <p class="chart-note" aria-busy="true">{format!("Counting runs… {done} of {of} requests (background, within the request budget)")}</p>
            }.into_any(),
            Some(ChartState::Failed(m)) => view! { <p class="chart-note">{format!("The chart could not be counted: {m}")}</p> }.into_any(),
            Some(ChartState::Ready(bars)) => {
                let hs = heights(&bars, H);
                let slot = W / bars.len().max(1) as f64;
                let width = (slot - 6.0).max(1.0);
                let total: u64 = bars.iter().map(Bar::total).sum();
                let first = bars.first().map(|b| label_time(b.start_ms)).unwrap_or_default();
                let last = bars.last().map(|b| label_time(b.end_ms)).unwrap_or_default();
                let rects = bars.iter().zip(hs).enumerate().flat_map(|(i, (bar, h))| {
                    let x = i as f64 * slot + 3.0;
                    let mut y = H;
                    let bar = *bar;
                    Series::ALL.into_iter().zip(h).filter(|(_, h)| *h > 0.0).map(move |(series, h)| {
                        y -= h;
                        let title = format!("{}: {} runs, {} – {}", series.label(), bar.count(series), label_time(bar.start_ms), label_time(bar.end_ms));
                        let aria = title.clone();
                        view! {
                            <rect class=format!("seg seg-{}", series.css()) x=x y=y width=width height=h
                                data-bucket=i data-series=series.css() role="button" tabindex="0" aria-label=aria
                                on:click=move |_| narrow(bar, series)
                                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); narrow(bar, series) }>
                                <title>{title}</title>
                            </rect>
                        }
                    }).collect::<Vec<_>>()
                }).collect_view();
                // The text alternative: the totals by outcome (each bar says its own counts).
                let sums = Series::ALL.map(|s| format!("{} {}", bars.iter().map(|b| b.count(s)).sum::<u64>(), s.label()));
                let described = format!("{total} runs from {first} to {last}: {}. Each bar is a button that filters the table to its time and outcome.", sums.join(", "));
                view! {
                    <p class="sr-only" id=crate::nav::id("chart-text")>{described}</p>
                    <svg class="status-chart" viewBox=format!("0 0 {W} {H}") preserveAspectRatio="none" role="group"
                        aria-label=format!("{total} runs over the range, by outcome") aria-describedby=crate::nav::id("chart-text")>
                        {rects}
                    </svg>
                    <div class="chart-axis"><span>{first}</span><span class="legend">
                        {Series::ALL.map(|s| view! { <span class=format!("key key-{}", s.css())>{s.label()}</span> }).collect_view()}
                    </span><span>{last}</span></div>
                }.into_any()
            }
        })
    };

    view! {
        <section class="chart-box" aria-label=crate::nav::label("Runs over time")>
            <button type="button" class="link-button chart-toggle" aria-expanded=move || (!collapsed.get()).to_string() on:click=toggle>
                {move || if collapsed.get() { "Show chart" } else { "Hide chart" }}
            </button>
            {chart}
        </section>
    }
}
