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
        (cfg, warnings)
    }
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
    fn bad_values_fall_back_with_warnings() {
        let (c, w) = AppConfig::from_json(r#"{"apiBase": "javascript:alert(1)", "pageSize": 500, "timeZone": "Mars"}"#);
        assert_eq!(c, AppConfig::default());
        assert_eq!(w.len(), 3);
        let (c, w) = AppConfig::from_json("not json");
        assert_eq!((c, w.len()), (AppConfig::default(), 1));
        assert_eq!(AppConfig::from_json("[]").1.len(), 1);
    }
}
