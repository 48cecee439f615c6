//! Where a view is and how it moves. In the app (and its iframe embed routes) that is the
//! browser's URL through leptos_router; in a script widget it is a path kept in memory, so
//! that a widget never touches the host page's URL or history. Pages read and move through
//! `Nav` only.

use crate::api::query::{decode_component, decode_query};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Nav {
    /// The app path and query, such as `/runs/7/logs?q=x` (no base path, no embed prefix).
    pub location: Signal<String>,
    /// (app path, replace the history entry, scroll to the top)
    go: Callback<(String, bool, bool)>,
    /// 0 in the app; in a script widget its number on the page, which prefixes element ids
    /// so that two widgets showing the same view do not repeat them.
    widget: u32,
}

impl Nav {
    pub fn new(location: Signal<String>, go: Callback<(String, bool, bool)>) -> Nav {
        Nav { location, go, widget: 0 }
    }

    /// The `Nav` of the `n`th script widget on a page (`n` ≥ 1).
    pub fn for_widget(location: Signal<String>, go: Callback<(String, bool, bool)>, n: u32) -> Nav {
        Nav { location, go, widget: n.max(1) }
    }

    /// The element id for `name` here: `name` in the app, `frc<n>-name` in widget `n`.
    pub fn id(&self, name: &str) -> String {
        scoped_id(self.widget, name)
    }

    /// Changes the view in place (filters, pages): `replace` replaces the history entry.
    pub fn navigate(&self, path: &str, replace: bool) {
        self.go.run((path.to_string(), replace, false));
    }

    /// Opens another view (a run, its logs), from the top.
    pub fn open(&self, path: &str) {
        self.go.run((path.to_string(), false, true));
    }

    /// The location while it shows `view`; while another view is shown (a page is being left
    /// and not yet gone) it keeps the last one of `view`, so that a page never reacts to
    /// another page's URL.
    pub fn location_for(&self, view: View) -> Memo<String> {
        let location = self.location;
        Memo::new(move |prev: Option<&String>| {
            let l = location.get();
            match prev {
                Some(p) if view_of(crate::url_state::full_route(&l)) != view => p.clone(),
                _ => l,
            }
        })
    }
}

pub fn use_nav() -> Nav {
    expect_context::<Nav>()
}

/// The element id for `name` where this component is (see [`Nav::id`]); the plain name
/// where there is no `Nav` (a component on its own, as in component tests).
pub fn id(name: &str) -> String {
    use_context::<Nav>().map_or_else(|| name.to_string(), |n| n.id(name))
}

/// A landmark's name for `name` here: in widget `n`, "name, widget n", so that the
/// landmarks of two widgets on one page can be told apart.
pub fn label(name: &str) -> String {
    match use_context::<Nav>().map_or(0, |n| n.widget) {
        0 => name.to_string(),
        w => format!("{name}, widget {w}"),
    }
}

pub fn scoped_id(widget: u32, name: &str) -> String {
    if widget == 0 {
        name.to_string()
    } else {
        format!("frc{widget}-{name}")
    }
}

pub fn query_of(location: &str) -> Vec<(String, String)> {
    location.split_once('?').map(|(_, q)| decode_query(q.split('#').next().unwrap_or_default())).unwrap_or_default()
}

/// `/runs/7/logs?x` → `7` (decoded); also behind the embed prefix.
pub fn run_id_of(location: &str) -> String {
    let path = location.split(['?', '#']).next().unwrap_or_default();
    let path = crate::url_state::full_route(path);
    path.strip_prefix("/runs/").map(|rest| decode_component(rest.split('/').next().unwrap_or_default())).unwrap_or_default()
}

/// `/compare/1/2?x` → `("1", "2")` (decoded); also behind the embed prefix.
pub fn compare_ids_of(location: &str) -> Option<(String, String)> {
    let path = location.split(['?', '#']).next().unwrap_or_default();
    let rest = crate::url_state::full_route(path).strip_prefix("/compare/")?;
    let mut parts = rest.split('/').map(decode_component);
    Some((parts.next()?, parts.next()?))
}

/// Which view a location shows (for the widget, which has no router).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    Runs,
    Run,
    Logs,
    LogFile,
    Compare,
    Other,
}

pub fn view_of(location: &str) -> View {
    let path = location.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    match parts.as_slice() {
        ["runs"] => View::Runs,
        ["runs", id] if !id.is_empty() => View::Run,
        ["runs", id, "logs"] if !id.is_empty() => View::Logs,
        ["logs", "file"] => View::LogFile,
        ["compare", a, b] if !a.is_empty() && !b.is_empty() => View::Compare,
        _ => View::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_ids_are_prefixed_app_ids_are_not() {
        assert_eq!(scoped_id(0, "run-search"), "run-search");
        assert_eq!(scoped_id(2, "run-search"), "frc2-run-search");
    }

    #[test]
    fn locations() {
        assert_eq!(query_of("/runs?status=3&q=a%20b"), vec![("status".into(), "3".into()), ("q".into(), "a b".into())]);
        assert!(query_of("/runs").is_empty());
        assert_eq!(run_id_of("/runs/7/logs?q=1"), "7");
        assert_eq!(run_id_of("/embed/runs/a%2Fb"), "a/b");
        assert_eq!(run_id_of("/runs"), "");
        assert_eq!(view_of("/runs?x=1"), View::Runs);
        assert_eq!(view_of("/runs/7"), View::Run);
        assert_eq!(view_of("/runs/7/logs?q=1"), View::Logs);
        assert_eq!(view_of("/settings"), View::Other);
        assert_eq!(view_of("/runs//logs"), View::Other);
        assert_eq!(view_of("/compare/1/2?x"), View::Compare);
        assert_eq!(view_of("/compare/1"), View::Other);
        assert_eq!(compare_ids_of("/embed/compare/a%2Fb/7?x"), Some(("a/b".into(), "7".into())));
        assert_eq!(compare_ids_of("/compare/7"), None);
        assert_eq!(compare_ids_of("/runs/7"), None);
    }
}
