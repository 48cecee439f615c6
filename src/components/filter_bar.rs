use crate::api::{RunStatus, Trigger};
use crate::time::Zone;
use crate::url_state::{format_day, parse_day, parse_flag, parse_instant, Preset, RunsView, TimeRange};
use leptos::prelude::*;

/// A change of view: the new view, and whether it replaces the current history entry
/// (typing) rather than adding one (discrete choices).
pub type ViewChange = (RunsView, bool);

/// Every filter of the run table, with the active ones as removable chips.
#[component]
pub fn FilterBar(#[prop(into)] view: Signal<RunsView>, on_change: Callback<ViewChange>, #[prop(into)] zone: Signal<Zone>) -> impl IntoView {
    let change = move |f: &dyn Fn(&mut RunsView), replace: bool| {
        let mut v = view.get_untracked();
        f(&mut v);
        v.page = 1;
        on_change.run((v, replace));
    };

    // Search: debounced, and typing does not flood the history (see below).
    let typed = RwSignal::new(view.get_untracked().search);
    let search = Memo::new(move |_| view.with(|v| v.search.clone()));
    Effect::new(move |_| typed.set(search.get()));
    // The debounce belongs to the bar: leaving the page drops a pending search with it.
    let scope = crate::tasks::Scope::here();
    let pending = StoredValue::new(None::<crate::tasks::Task>);
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        typed.set(text.clone());
        if let Some(t) = pending.get_value() {
            t.stop();
        }
        let task = scope.after(300, move || {
            if view.get_untracked().search != text.trim() {
                let mut v = view.get_untracked();
                // The first term adds a history entry; refining it replaces that entry.
                let replace = !v.search.is_empty();
                v.search = text.trim().to_string();
                v.page = 1;
                on_change.run((v, replace));
            }
        });
        pending.set_value(task);
    };

    let status_buttons = RunStatus::KNOWN
        .into_iter()
        .map(|s| {
            let on = {
                let s = s.clone();
                Memo::new(move |_| view.with(|v| v.status.contains(&s)))
            };
            let label = s.label();
            let css = format!("chip-toggle status-{}", s.css());
            let icon = s.icon();
            let s2 = s.clone();
            view! {
                <button type="button" class=css aria-pressed=move || on.get().to_string() data-status=s.code().unwrap_or(0)
                    on:click=move |_| change(&|v: &mut RunsView| toggle(&mut v.status, s2.clone()), false)>
                    <span aria-hidden="true">{icon}</span>" "{label}
                </button>
            }
        })
        .collect_view();

    let trigger_boxes = Trigger::KNOWN
        .into_iter()
        .map(|t| {
            let t2 = t.clone();
            let t3 = t.clone();
            view! {
                <label class="check">
                    <input type="checkbox" data-trigger=t.as_api().to_string() prop:checked=Memo::new(move |_| view.with(|v| v.trigger.contains(&t2)))
                        on:change=move |_| change(&|v: &mut RunsView| toggle(&mut v.trigger, t3.clone()), false)/>
                    {t.as_api().to_string()}
                </label>
            }
        })
        .collect_view();

    // Controls whose value only the view decides (chips, checkboxes, selects) follow only their
    // own part of it (memos): a change of one filter does not set every other control's value
    // again (about 4 ms of a filter change in #16's profile). Fields people type into (ids,
    // dates) are written again at every change of the view, so that text the view did not
    // take (an id that is no number) is replaced by what the view holds at the next change.
    let range_key = Memo::new(move |_| match view.with(|v| v.range) {
        TimeRange::Preset(p) => p.key().to_string(),
        TimeRange::Between { .. } => "custom".into(),
        TimeRange::Day(_) => "day".into(),
    });
    let on_range = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        let now = crate::browser::now_ms();
        change(
            &|v: &mut RunsView| {
                v.range = match key.as_str() {
                    "custom" => TimeRange::Between { from: Some(now - 86_400_000), to: Some(now) },
                    "day" => TimeRange::Day(now.div_euclid(86_400_000)),
                    other => TimeRange::Preset(Preset::parse(other).unwrap_or(Preset::Week)),
                }
            },
            false,
        )
    };
    // Datetime inputs show and take UTC or local time, as the header's toggle says.
    let offset = move |ms: i64| crate::browser::zone_offset(zone.get(), ms);
    let to_input = move |ms: Option<i64>| {
        ms.map(|ms| {
            let local = ms + i64::from(offset(ms)) * 60_000;
            crate::url_state::format_instant(local).trim_end_matches('Z').chars().take(16).collect::<String>()
        })
        .unwrap_or_default()
    };
    let from_input = move |s: String| -> Option<i64> {
        let utc = parse_instant(&format!("{}Z", s.trim()))?;
        Some(utc - i64::from(offset(utc)) * 60_000)
    };
    let custom = move || {
        let TimeRange::Between { from, to } = view.with(|v| v.range) else { return None };
        Some(view! {
            <label class="inline">"From "
                <input type="datetime-local" name="from" prop:value=to_input(from)
                    on:change=move |ev| { let f = from_input(event_target_value(&ev)); change(&|v: &mut RunsView| if let TimeRange::Between { from, .. } = &mut v.range { *from = f }, false) }/>
            </label>
            <label class="inline">"To "
                <input type="datetime-local" name="to" prop:value=to_input(to)
                    on:change=move |ev| { let t = from_input(event_target_value(&ev)); change(&|v: &mut RunsView| if let TimeRange::Between { to, .. } = &mut v.range { *to = t }, false) }/>
            </label>
        })
    };
    let day = move || {
        let TimeRange::Day(d) = view.with(|v| v.range) else { return None };
        Some(view! {
            <input type="date" name="day" prop:value=format_day(d)
                on:change=move |ev| if let Some(d) = parse_day(&event_target_value(&ev)) { change(&|v: &mut RunsView| v.range = TimeRange::Day(d), false) }/>
        })
    };

    let id_input = move |name: &'static str,
                         label: &'static str,
                         get: fn(&RunsView) -> &Vec<String>,
                         set: fn(&mut RunsView, Vec<String>)| {
        view! {
            <label class="inline id-filter">{label}" "
                <input type="text" inputmode="numeric" name=name size="8" placeholder="any" prop:value=move || view.with(|v| get(v).join(","))
                    on:change=move |ev| {
                        let ids: Vec<String> = event_target_value(&ev).split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                        change(&|v: &mut RunsView| set(v, ids.clone()), false)
                    }/>
            </label>
        }
    };
    let flag_select = move |name: &'static str,
                            label: &'static str,
                            get: fn(&RunsView) -> Option<bool>,
                            set: fn(&mut RunsView, Option<bool>)| {
        view! {
            <label class="inline">{label}" "
                <select name=name prop:value=Memo::new(move |_| view.with(|v| match get(v) { Some(true) => "1", Some(false) => "0", None => "" }))
                    on:change=move |ev| { let b = parse_flag(&event_target_value(&ev)); change(&|v: &mut RunsView| set(v, b), false) }>
                    <option value="">"any"</option>
                    <option value="1">"yes"</option>
                    <option value="0">"no"</option>
                </select>
            </label>
        }
    };

    view! {
        <form class="filter-bar" role="search" aria-label=crate::nav::label("Filter runs") on:submit=|ev| ev.prevent_default()>
            <div class="filter-row">
                <input type="search" class="run-search" id=crate::nav::id("run-search") name="q" placeholder="Search flow name or run id  ( / )" aria-label="Search runs"
                    prop:value=move || typed.get() on:input=on_search/>
                <select name="range" aria-label="Start time" prop:value=range_key on:change=on_range>
                    {Preset::ALL.into_iter().map(|p| view! { <option value=p.key()>{p.label()}</option> }).collect_view()}
                    <option value="custom">"Custom range…"</option>
                    <option value="day">"A single day…"</option>
                </select>
                {custom}
                {day}
            </div>
            <div class="filter-row" role="group" aria-label="Status">{status_buttons}</div>
            <details class="filter-more">
                <summary>"Trigger, ids, retried, warnings"</summary>
                <div class="filter-row" role="group" aria-label="Trigger">{trigger_boxes}</div>
                <div class="filter-row">
                    {id_input("flow", "Flow id", |v| &v.flow_id, |v, ids| v.flow_id = ids)}
                    {id_input("version", "Version id", |v| &v.flow_version_id, |v, ids| v.flow_version_id = ids)}
                    {id_input("env", "Environment id", |v| &v.environment_id, |v, ids| v.environment_id = ids)}
                    {id_input("user", "User id", |v| &v.user_id, |v, ids| v.user_id = ids)}
                    {flag_select("retried", "Retried", |v| v.retried, |v, b| v.retried = b)}
                    {flag_select("warnings", "Warnings", |v| v.warnings, |v, b| v.warnings = b)}
                </div>
            </details>
            <Chips view on_change/>
        </form>
    }
}

fn toggle<T: PartialEq>(list: &mut Vec<T>, item: T) {
    match list.iter().position(|x| *x == item) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(item),
    }
}

/// One removable chip per active filter, and "Clear all".
#[component]
fn Chips(#[prop(into)] view: Signal<RunsView>, on_change: Callback<ViewChange>) -> impl IntoView {
    let chips = move || {
        let v = view.get();
        let mut out: Vec<(String, RunsView)> = Vec::new();
        let without = |f: &dyn Fn(&mut RunsView)| {
            let mut w = v.clone();
            f(&mut w);
            w.page = 1;
            w
        };
        for s in &v.status {
            out.push((format!("Status: {}", s.label()), without(&|w| w.status.retain(|x| x != s))));
        }
        for t in &v.trigger {
            out.push((format!("Trigger: {}", t.as_api()), without(&|w| w.trigger.retain(|x| x != t))));
        }
        match v.range {
            TimeRange::Preset(Preset::Week) => {}
            TimeRange::Preset(p) => out.push((p.label().to_string(), without(&|w| w.range = TimeRange::default()))),
            TimeRange::Between { from, to } => {
                let f = from.map(crate::url_state::format_instant).unwrap_or_else(|| "…".into());
                let t = to.map(crate::url_state::format_instant).unwrap_or_else(|| "…".into());
                out.push((format!("Started {f} – {t}"), without(&|w| w.range = TimeRange::default())));
            }
            TimeRange::Day(d) => out.push((format!("Started on {}", format_day(d)), without(&|w| w.range = TimeRange::default()))),
        }
        for (label, ids, clear) in [
            ("Flow", &v.flow_id, (|w: &mut RunsView| w.flow_id.clear()) as fn(&mut RunsView)),
            ("Version", &v.flow_version_id, |w: &mut RunsView| w.flow_version_id.clear()),
            ("Environment", &v.environment_id, |w: &mut RunsView| w.environment_id.clear()),
            ("User", &v.user_id, |w: &mut RunsView| w.user_id.clear()),
        ] {
            if !ids.is_empty() {
                out.push((format!("{label}: {}", ids.join(", ")), without(&clear)));
            }
        }
        if !v.search.is_empty() {
            out.push((format!("Search: {}", v.search), without(&|w| w.search.clear())));
        }
        if let Some(b) = v.retried {
            out.push((format!("Retried: {}", if b { "yes" } else { "no" }), without(&|w| w.retried = None)));
        }
        if let Some(b) = v.warnings {
            out.push((format!("Warnings: {}", if b { "yes" } else { "no" }), without(&|w| w.warnings = None)));
        }
        if out.is_empty() {
            return None;
        }
        let cleared = RunsView { sort: v.sort, per_page: v.per_page, ..RunsView::new(v.per_page) };
        Some(view! {
            <div class="chips" role="group" aria-label="Active filters">
                {out.into_iter().map(|(label, next)| {
                    let aria = format!("Remove filter {label}");
                    view! {
                        <button type="button" class="chip" aria-label=aria on:click=move |_| on_change.run((next.clone(), false))>
                            {label}<span aria-hidden="true">" ×"</span>
                        </button>
                    }
                }).collect_view()}
                <button type="button" class="chip clear-all" on:click=move |_| on_change.run((cleared.clone(), false))>"Clear all"</button>
            </div>
        })
    };
    // Always one chip high (an invisible strut): the first filter's chips do not push the
    // table down. They moved it 33 px on every change from no filter to one, and the browser
    // laid out all 100 rows again before it could read the answer (#16).
    view! {
        <div class="chips-row">
            {chips}
            <span class="chip-strut" aria-hidden="true">"\u{a0}"</span>
        </div>
    }
}
