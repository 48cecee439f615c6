//! Runtime configuration from `config.json` beside `index.html`, so one build serves any
//! deployment. Every field is optional; bad values fall back to defaults with a warning.

use crate::api::decode::{as_i64, as_string, Fields};
use crate::api::query::MAX_PER_PAGE;
use crate::time::Zone;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct AppConfig {
    /// API origin (and optional path prefix). Empty: the page's own origin.
    pub api_base: String,
    pub page_size: u32,
    pub refresh_seconds: u32,
    pub time_zone: Zone,
    pub request_timeout_ms: u32,
    pub requests_per_minute: u32,
    /// Where an embedded view posts its height: the host page's origin. `None`: nowhere (the
    /// message tells its receiver the view's path and size, so it goes to a named origin only).
    pub embed_parent_origin: Option<String>,
    /// The second sign-in variant: `{"email", "password"}` posted here (an http(s) URL, such
    /// as `https://fabric.example/api/v1/login`, or a path on this origin). `None`: the API
    /// base's `/fabric/api/login`. The password goes to this URL only; the token it answers
    /// is kept for the API base's origin, as every sign-in token is.
    pub login_url: Option<String>,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            api_base: String::new(),
            page_size: 25,
            refresh_seconds: 15,
            time_zone: Zone::Local,
            request_timeout_ms: 15_000,
            requests_per_minute: 120,
            embed_parent_origin: None,
            login_url: None,
        }
    }
}

impl AppConfig {
    /// Reads the file's text; answers the config and a warning per value it could not use.
    pub fn from_json(text: &str) -> (AppConfig, Vec<String>) {
        let mut cfg = AppConfig::default();
        let mut warnings = Vec::new();
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(format!("config.json is not valid JSON ({e}); using defaults"));
                return (cfg, warnings);
            }
        };
        let Some(f) = Fields::of(&value) else {
            warnings.push("config.json is not an object; using defaults".into());
            return (cfg, warnings);
        };
        if let Some(v) = f.get(&["apiBase", "api_base"]) {
            match as_string(v) {
                Some(s)
                    if s.trim().is_empty()
                        || s.trim().starts_with("http://")
                        || s.trim().starts_with("https://")
                        || s.trim().starts_with('/') =>
                {
                    cfg.api_base = s.trim().trim_end_matches('/').to_string()
                }
                _ => warnings.push(format!("apiBase {v} is not an http(s) URL or a path; using the page's origin")),
            }
        }
        let mut int = |keys: &[&str], range: std::ops::RangeInclusive<i64>, slot: &mut u32| {
            if let Some(v) = f.get(keys) {
                match as_i64(v).filter(|n| range.contains(n)) {
                    Some(n) => *slot = n as u32,
                    None => warnings.push(format!("{} {v} is outside {}..={}; using {}", keys[0], range.start(), range.end(), slot)),
                }
            }
        };
        int(&["pageSize", "page_size"], 1..=i64::from(MAX_PER_PAGE), &mut cfg.page_size);
        int(&["refreshSeconds", "refresh_seconds"], 5..=3600, &mut cfg.refresh_seconds);
        int(&["requestTimeoutMs", "request_timeout_ms"], 1000..=120_000, &mut cfg.request_timeout_ms);
        int(&["requestsPerMinute", "requests_per_minute"], 1..=10_000, &mut cfg.requests_per_minute);
        if let Some(v) = f.get(&["timeZone", "time_zone"]) {
            match as_string(v).as_deref().and_then(Zone::parse) {
                Some(z) => cfg.time_zone = z,
                None => warnings.push(format!("timeZone {v} is neither \"local\" nor \"utc\"; using local")),
            }
        }
        if let Some(v) = f.get(&["embedParentOrigin", "embed_parent_origin"]) {
            match as_string(v).map(|s| s.trim().trim_end_matches('/').to_string()) {
                Some(s) if s == "*" => warnings.push(
                    "embedParentOrigin \"*\" would tell any page that frames the app what it shows; name the host page's origin. \
                     Embeds post no height until then."
                        .into(),
                ),
                Some(s) if crate::session::origin_of(&s).is_some_and(|o| o == s.to_ascii_lowercase()) => {
                    cfg.embed_parent_origin = Some(s.to_ascii_lowercase())
                }
                _ => {
                    warnings.push(format!("embedParentOrigin {v} is not an origin such as https://intranet.example; embeds post no height"))
                }
            }
        }
        if let Some(v) = f.get(&["loginUrl", "login_url"]) {
            match as_string(v).as_deref().and_then(login_url) {
                Some(url) => cfg.login_url = Some(url),
                None => warnings.push(format!(
                    "loginUrl {v} is not an http(s) URL (without user name or password in it) or a path; signing in uses the API base"
                )),
            }
        }
        (cfg, warnings)
    }
}

/// A usable `loginUrl`: http(s) with a host and nothing before it (`user@`), or a path on this
/// origin (one leading `/`); no spaces, controls or backslashes anywhere.
pub fn login_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.is_empty() || url.chars().any(|c| c <= ' ' || c == '\\' || c == '\u{7f}') {
        return None;
    }
    if url.starts_with('/') {
        return (!url.starts_with("//")).then(|| url.to_string());
    }
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let plain = matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") && !authority.contains('@');
    (plain && crate::session::origin_of(url).is_some()).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file() {
        let (c, w) = AppConfig::from_json(
            r#"{"apiBase": "https://api.example/", "pageSize": 50, "refreshSeconds": "30", "timeZone": "UTC", "requestTimeoutMs": 5000, "extra": 1}"#,
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.api_base, "https://api.example");
        assert_eq!((c.page_size, c.refresh_seconds, c.request_timeout_ms), (50, 30, 5000));
        assert_eq!(c.time_zone, Zone::Utc);
        let (c, w) = AppConfig::from_json(r#"{"embedParentOrigin": "https://intranet.example/"}"#);
        assert!(w.is_empty());
        assert_eq!(c.embed_parent_origin.as_deref(), Some("https://intranet.example"));
        assert_eq!(AppConfig::from_json(r#"{"embedParentOrigin": "https://intranet.example/page"}"#).1.len(), 1);
    }

    #[test]
    fn embeds_post_their_height_only_to_a_named_origin() {
        assert_eq!(AppConfig::default().embed_parent_origin, None, "nothing named: nothing posted");
        let (c, w) = AppConfig::from_json(r#"{"embedParentOrigin": "*"}"#);
        assert_eq!(c.embed_parent_origin, None);
        assert!(w.len() == 1 && w[0].contains("any page"), "{w:?}");
        for odd in [r#""https://intranet.example\\@evil.test""#, r#""https://*.example""#, "42"] {
            let (c, w) = AppConfig::from_json(&format!(r#"{{"embedParentOrigin": {odd}}}"#));
            assert_eq!((c.embed_parent_origin, w.len()), (None, 1), "{odd}");
        }
    }

    #[test]
    fn login_urls_are_http_or_a_path_only() {
        let (c, w) = AppConfig::from_json(r#"{"loginUrl": " https://fabric.example/api/v1/login "}"#);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.login_url.as_deref(), Some("https://fabric.example/api/v1/login"));
        assert_eq!(login_url("/fabric/api/v1/login").as_deref(), Some("/fabric/api/v1/login"));
        assert_eq!(login_url("http://127.0.0.1:8080/api/v1/login").as_deref(), Some("http://127.0.0.1:8080/api/v1/login"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://fabric.example/login",
            "//evil.test/api/v1/login",
            "https://fabric.example@evil.test/login",
            "https://evil.test\\@fabric.example/login",
            "https://fab ric.example/login",
            "https://",
            "api/v1/login",
            "",
        ] {
            assert_eq!(login_url(bad), None, "{bad}");
        }
        let (c, w) = AppConfig::from_json(r#"{"loginUrl": "javascript:alert(1)"}"#);
        assert_eq!((c.login_url, w.len()), (None, 1));
        assert_eq!(AppConfig::from_json(r#"{"loginUrl": 7}"#).1.len(), 1);
    }

    #[test]
    fn bad_values_fall_back_with_warnings() {
        let (c, w) = AppConfig::from_json(r#"{"apiBase": "javascript:alert(1)", "pageSize": 500, "timeZone": "Mars"}"#);
        assert_eq!(c, AppConfig::default());
        assert_eq!(w.len(), 3);
        let (c, w) = AppConfig::from_json("not json");
        assert_eq!((c, w.len()), (AppConfig::default(), 1));
        assert_eq!(AppConfig::from_json("[]").1.len(), 1);
    }
}
