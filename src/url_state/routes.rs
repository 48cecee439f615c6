//! App paths: the base path under `<base href>`, embed routes, the Connection page's
//! return path.

use crate::api::query::encode_component;

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

/// The route of app path `path` in embed mode: run views stay embedded, everything else
/// (the Connection page) is the full app's.
pub fn embed_route(path: &str) -> String {
    if path.starts_with("/runs") && !is_embed_path(path) {
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
/// (`//host`, `/\host`, `https:`), so the parameter cannot send anyone elsewhere.
pub fn safe_next(next: &str) -> Option<String> {
    let n = next.trim();
    let ok = n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\\', '\n', '\r']);
    ok.then(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_in_the_app() {
        assert_eq!(settings_href("/runs?status=3&q=a b"), "/settings?next=%2Fruns%3Fstatus%3D3%26q%3Da%20b");
        assert_eq!(settings_href("/settings"), "/settings");
        assert_eq!(settings_href(""), "/settings");
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil", "javascript:alert(1)", "/runs\nx"] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
        assert_eq!(safe_next(" /runs/7 ").as_deref(), Some("/runs/7"));
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
        assert_eq!(full_route("/embed/runs/7/logs?q=a"), "/runs/7/logs?q=a");
        assert_eq!(full_route("/embed"), "/runs");
        assert_eq!(full_route("/runs"), "/runs");
    }
}
