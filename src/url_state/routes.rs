//! App paths: the base path under `<base href>`, embed routes, the Connection page's
//! return path, and the one link builder for run pages (`run_href`, `logs_href`,
//! `step_logs_href`, `compare_href`), which writes a run id as exactly one path segment.

use super::logs::LogsView;
use crate::api::query::{encode_component, encode_pairs};

/// The app's base path from the pathname of `<base href>`: "" at the root, "/tools/runs"
/// under a sub-path (no trailing slash; only path characters are kept).
pub fn base_path_of(base_pathname: &str) -> String {
    let p = base_pathname.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    if p.is_empty() || !p.starts_with('/') || p.starts_with("//") {
        return String::new();
    }
    p.to_string()
}

/// `path` (an app path such as `/runs?x`) without the base path in front, if it has it.
pub fn strip_base<'a>(base: &str, path: &'a str) -> &'a str {
    if base.is_empty() {
        return path;
    }
    match path.strip_prefix(base) {
        Some("") => "/",
        Some(rest) if rest.starts_with(['/', '?', '#']) => rest,
        _ => path,
    }
}

/// Where embed routes live: `/embed/runs…` shows `/runs…` with minimal chrome.
pub const EMBED_PREFIX: &str = "/embed";

/// Whether an app path is an embed route.
pub fn is_embed_path(path: &str) -> bool {
    path == EMBED_PREFIX || path.starts_with("/embed/") || path.starts_with("/embed?")
}

/// The route of app path `path` in embed mode: run views and comparisons stay embedded,
/// everything else (the Connection page) is the full app's.
pub fn embed_route(path: &str) -> String {
    if (path.starts_with("/runs") || path.starts_with("/compare/")) && !is_embed_path(path) {
        format!("{EMBED_PREFIX}{path}")
    } else {
        path.to_string()
    }
}

/// The full app's path of an embed route (`/embed/runs/7` → `/runs/7`).
pub fn full_route(path: &str) -> &str {
    match path.strip_prefix(EMBED_PREFIX) {
        Some(rest) if rest.starts_with('/') => rest,
        Some(rest) if rest.is_empty() || rest.starts_with('?') => "/runs",
        _ => path,
    }
}

/// The Connection page, asked to come back to `path` after signing in.
pub fn settings_href(path: &str) -> String {
    match safe_next(path) {
        Some(p) if p != "/settings" => format!("/settings?next={}", encode_component(&p)),
        _ => "/settings".into(),
    }
}

/// A place to return to: only a path of this app (`/...`), never another origin
/// (`//host`, `/\host`, `https:`), so the parameter cannot send anyone elsewhere. The pure
/// pre-check (the app asks the browser's parser too: `browser::safe_next`): no backslash and
/// no control character anywhere (browsers drop a TAB or a line break, so `/<TAB>/host` would
/// be `//host`), and the path, its dot segments (`.`, `..`, `%2e`) resolved as a browser
/// resolves them, neither climbs above the app nor begins with `//`.
pub fn safe_next(next: &str) -> Option<String> {
    let n = next.trim_matches(' ');
    if !n.starts_with('/') || n.starts_with("//") || n.contains('\\') || n.chars().any(char::is_control) {
        return None;
    }
    let path = n.split(['?', '#']).next().unwrap_or_default();
    let resolved = resolve_dots(path)?;
    (!resolved.starts_with("//")).then(|| n.to_string())
}

/// An absolute path with its dot segments resolved (RFC 3986 5.2.4, with the `%2e` spellings
/// browsers also read as dots); `None` when `..` would climb above the root.
fn resolve_dots(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match seg.to_ascii_lowercase().replace("%2e", ".").as_str() {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                out.pop()?;
                if last {
                    out.push("");
                }
            }
            _ => out.push(seg),
        }
    }
    Some(format!("/{}", out.join("/")))
}

/// The run list, the app's home.
pub const RUNS_PATH: &str = "/runs";

/// A run id as one path segment: every byte but RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) percent-encoded, so `/`, `?`, `#`, `\`, `%`, spaces and
/// non-ASCII text cannot start another segment, a query or a fragment.
///
/// One gap no encoding can close: browsers resolve the segments `.` and `..` (and their
/// `%2e` spellings) as "here" and "up", so the ids `.` and `..` cannot be linked faithfully;
/// their links stay inside the app (`/runs/..` resolves to `/`, the run list). The API's ids
/// are numbers.
fn id_segment(id: &str) -> String {
    encode_component(id)
}

/// `/runs/<id>`: a run's page. Also where the vendor dashboard's `/flow-run-logs/:id` goes.
pub fn run_href(id: &str) -> String {
    format!("{RUNS_PATH}/{}", id_segment(id))
}

/// `/compare/<a>/<b>`: runs `a` and `b` side by side; `None` when either id is `.` or `..`
/// (which a browser would resolve away: the link would open another comparison or none).
pub fn compare_href(a: &str, b: &str) -> Option<String> {
    let dots = |id: &str| matches!(id, "." | "..");
    (!dots(a) && !dots(b)).then(|| format!("{COMPARE_PATH}/{}/{}", id_segment(a), id_segment(b)))
}

/// Where comparisons live.
pub const COMPARE_PATH: &str = "/compare";

/// `/runs/<id>/logs?…`: run `id`'s log viewer showing `view` (no `?` for the default view).
pub fn logs_href(id: &str, view: &LogsView) -> String {
    let path = format!("{RUNS_PATH}/{}/logs", id_segment(id));
    let q = encode_pairs(&view.to_pairs());
    if q.is_empty() {
        path
    } else {
        format!("{path}?{q}")
    }
}

/// The log file page (a file read in the browser).
pub const LOG_FILE_PATH: &str = "/logs/file";

/// `/logs/file?…`: the file page with a view's levels, step, search and entry.
pub fn log_file_href(view: &LogsView) -> String {
    let q = encode_pairs(&view.to_pairs());
    if q.is_empty() {
        LOG_FILE_PATH.to_string()
    } else {
        format!("{LOG_FILE_PATH}?{q}")
    }
}

/// `/runs/<id>/logs?step=<step_id>`: run `id`'s log entries of one step.
pub fn step_logs_href(id: &str, step_id: &str) -> String {
    logs_href(id, &LogsView { step: vec![step_id.to_string()], ..LogsView::default() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Strict percent-decoding of one segment: `None` if it holds anything but unreserved
    /// characters and `%XX`, or does not decode to UTF-8.
    fn decode_segment(seg: &str) -> Option<String> {
        let b = seg.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 3;
                }
                c if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') => {
                    out.push(c);
                    i += 1;
                }
                _ => return None,
            }
        }
        String::from_utf8(out).ok()
    }

    /// The path's segments after the leading `/`, and whether a query follows; panics on a
    /// fragment.
    fn segments(href: &str) -> (Vec<&str>, Option<&str>) {
        assert!(!href.contains('#'), "{href} has a fragment");
        let (path, query) = match href.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (href, None),
        };
        let rest = path.strip_prefix('/').unwrap_or_else(|| panic!("{href} is not an app path"));
        (rest.split('/').collect(), query)
    }

    const HOSTILE: [&str; 14] = [
        "../settings?next=//evil",
        "x/../..//evil",
        "%2e%2e",
        "%2E%2E/%2e%2e",
        "?",
        "#",
        "\\",
        "/\\evil",
        "a b",
        " ",
        "Заказ 5",
        "日本/語?#",
        "7?log=1#x",
        "+%20&=;",
    ];

    /// Ids of every kind: anything at all, path-like text, and the hostile ones above.
    fn ids() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[./?#%\\\\ a-z0-9é&=+;:]{0,16}", proptest::sample::select(HOSTILE.to_vec()).prop_map(String::from)]
    }

    fn logs_views() -> impl Strategy<Value = LogsView> {
        (proptest::collection::vec("\\PC{1,6}", 0..3), "\\PC{0,10}", proptest::option::of("\\PC{1,8}"), 1u32..5)
            .prop_map(|(step, q, log, page)| LogsView { step, q, log, page, ..LogsView::default() })
    }

    #[test]
    fn run_links() {
        assert_eq!(run_href("7"), "/runs/7");
        assert_eq!(run_href("../settings?next=//evil"), "/runs/..%2Fsettings%3Fnext%3D%2F%2Fevil");
        assert_eq!(run_href("%2e%2e"), "/runs/%252e%252e");
        assert_eq!(logs_href("7", &LogsView::default()), "/runs/7/logs");
        assert_eq!(logs_href("a b", &LogsView { q: "x#y".into(), ..LogsView::default() }), "/runs/a%20b/logs?q=x%23y");
        assert_eq!(step_logs_href("7", "110001"), "/runs/7/logs?step=110001");
        assert_eq!(step_logs_href("7", "a&b"), "/runs/7/logs?step=a%26b");
        for id in HOSTILE {
            let href = run_href(id);
            let (segs, query) = segments(&href);
            assert_eq!((segs.len(), query), (2, None), "{id}");
            assert_eq!(decode_segment(segs[1]).as_deref(), Some(id));
            assert!(!matches!(segs[1].to_ascii_lowercase().as_str(), "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"), "{id}");
        }
    }

    proptest! {
        #[test]
        fn a_compare_link_is_three_segments_or_none(a in ids(), b in ids()) {
            match compare_href(&a, &b) {
                None => prop_assert!(matches!(a.as_str(), "." | "..") || matches!(b.as_str(), "." | "..")),
                Some(href) => {
                    let (segs, query) = segments(&href);
                    prop_assert_eq!((segs.len(), segs[0], query), (3, "compare", None), "{}", href);
                    prop_assert_eq!(decode_segment(segs[1]), Some(a.clone()));
                    prop_assert_eq!(decode_segment(segs[2]), Some(b.clone()));
                    for seg in &segs[1..] {
                        prop_assert!(!matches!(seg.to_ascii_lowercase().as_str(), "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e"));
                    }
                }
            }
        }

        #[test]
        fn a_run_link_is_two_segments_whatever_the_id(id in ids()) {
            let href = run_href(&id);
            let (segs, query) = segments(&href);
            prop_assert_eq!(segs.len(), 2, "{}", href);
            prop_assert_eq!(segs[0], "runs");
            prop_assert_eq!(query, None);
            prop_assert_eq!(decode_segment(segs[1]), Some(id.clone()));
            // Only the ids "." and ".." come out as a segment a browser resolves away.
            let dots = matches!(segs[1].to_ascii_lowercase().as_str(), "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e");
            prop_assert_eq!(dots, id == "." || id == "..");
        }

        #[test]
        fn a_logs_link_is_three_segments_and_its_view(id in ids(), view in logs_views()) {
            let href = logs_href(&id, &view);
            prop_assert_eq!(href.clone(), view.href(&id));
            let (segs, query) = segments(&href);
            prop_assert_eq!(segs.len(), 3, "{}", href);
            prop_assert_eq!((segs[0], segs[2]), ("runs", "logs"));
            prop_assert_eq!(decode_segment(segs[1]), Some(id.clone()));
            let pairs = crate::api::query::decode_query(query.unwrap_or(""));
            prop_assert_eq!(pairs, view.to_pairs());
            prop_assert_eq!(query.is_some(), !view.to_pairs().is_empty());
        }
    }

    #[test]
    fn return_paths_stay_in_the_app() {
        assert_eq!(settings_href("/runs?status=3&q=a b"), "/settings?next=%2Fruns%3Fstatus%3D3%26q%3Da%20b");
        assert_eq!(settings_href("/settings"), "/settings");
        assert_eq!(settings_href(""), "/settings");
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil", "javascript:alert(1)", "/runs\nx"] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
        assert_eq!(safe_next(" /runs/7 ").as_deref(), Some("/runs/7"));
        assert_eq!(safe_next("/runs/./7/../8?x=//y").as_deref(), Some("/runs/./7/../8?x=//y"));
    }

    #[test]
    fn a_tab_or_a_dot_segment_cannot_make_a_return_path_another_host() {
        for bad in [
            "/\t/evil.example/",
            "/\t\t/evil.example",
            "/.//evil.example",
            "/%2e//x",
            "/a/..//x",
            "/./%2E//x",
            "/..",
            "/a/../../x",
            "/\u{7f}/x",
            "//..",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    /// Paths with dot segments, doubled slashes and control characters put anywhere.
    fn return_paths() -> impl Strategy<Value = String> {
        let seg =
            proptest::sample::select(vec!["", ".", "..", "%2e", "%2E%2e", ".%2e", "runs", "7", "evil.example", "x?y", "#f", ":", "@"]);
        let ctl = proptest::sample::select(vec!["", "\t", "\n", "\r", "\u{0}", "\u{7f}", "\u{85}", " ", "\\"]);
        (proptest::collection::vec(seg, 1..6), ctl, any::<proptest::sample::Index>()).prop_map(|(segs, c, at)| {
            let p = format!("/{}", segs.join("/"));
            let i = at.index(p.len() + 1);
            let i = (0..=i).rev().find(|i| p.is_char_boundary(*i)).unwrap_or(0);
            format!("{}{c}{}", &p[..i], &p[i..])
        })
    }

    proptest! {
        #[test]
        /// Whatever `next` a link carries, one the pre-check lets through resolves, by the
        /// WHATWG parser browsers use, to the app's origin, inside its base path, on a path
        /// that does not begin with `//`.
        fn an_accepted_return_path_stays_in_the_app(next in return_paths(), base in proptest::sample::select(vec!["", "/tools/runs"])) {
            if let Some(n) = safe_next(&next) {
                let app = url::Url::parse("https://app.test/").unwrap();
                let u = app.join(&format!("{base}{n}"));
                prop_assert!(u.is_ok(), "{:?}", next);
                let u = u.unwrap();
                prop_assert_eq!(u.origin(), app.origin(), "{:?}", next);
                prop_assert!(!u.path().starts_with("//"), "{:?} → {}", next, u);
                prop_assert!(u.path().starts_with(&format!("{base}/")), "{:?} → {}", next, u);
            }
        }
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path_of("/"), "");
        assert_eq!(base_path_of("/tools/runs/"), "/tools/runs");
        assert_eq!(base_path_of("/tools/runs"), "/tools/runs");
        assert_eq!(base_path_of("//evil/"), "");
        assert_eq!(base_path_of(""), "");
        assert_eq!(strip_base("/tools/runs", "/tools/runs/runs?x=1"), "/runs?x=1");
        assert_eq!(strip_base("/tools/runs", "/tools/runs"), "/");
        assert_eq!(strip_base("/tools/runs", "/tools/runsx"), "/tools/runsx");
        assert_eq!(strip_base("", "/runs"), "/runs");
    }

    #[test]
    fn embed_routes() {
        assert!(is_embed_path("/embed/runs?status=3") && is_embed_path("/embed") && !is_embed_path("/embedded"));
        assert_eq!(embed_route("/runs/7?x=1"), "/embed/runs/7?x=1");
        assert_eq!(embed_route("/embed/runs"), "/embed/runs");
        assert_eq!(embed_route("/settings"), "/settings");
        assert_eq!(embed_route("/compare/1/2"), "/embed/compare/1/2");
        assert_eq!(full_route("/embed/compare/1/2"), "/compare/1/2");
        assert_eq!(compare_href("7", "a/b").as_deref(), Some("/compare/7/a%2Fb"));
        assert_eq!(compare_href("..", "7"), None);
        assert_eq!(compare_href("7", "."), None);
        assert_eq!(full_route("/embed/runs/7/logs?q=a"), "/runs/7/logs?q=a");
        assert_eq!(full_route("/embed"), "/runs");
        assert_eq!(full_route("/runs"), "/runs");
    }
}
