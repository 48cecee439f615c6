//! Fault injection: rules given with `--fault JSON` or `POST /__sim/faults`, applied to API
//! and login requests. Deterministic: whether a rule with `rate < 1` fires is a hash of the
//! seed and how many requests the rule has seen.

use crate::data::mix;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer this status with `{"message": ...}`.
    Status { status: u16, message: Option<String> },
    /// Wait before answering.
    Latency { ms: u64 },
    /// 429, with `Retry-After` when given.
    RateLimit { retry_after: Option<u64> },
    /// A 200 whose body is not valid JSON.
    Malformed,
    /// A 200 whose JSON body stops halfway.
    Truncated,
    /// The right body with `Content-Type: text/html`.
    ContentType,
    /// Close the connection without an answer.
    Drop,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only paths starting with this (e.g. `/api/v1/flow-runs`).
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// Only paths ending with this (e.g. `/retry`).
    #[serde(default)]
    pub path_suffix: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose raw query contains this (e.g. `per_page=25`).
    #[serde(default)]
    pub query_contains: Option<String>,
    /// Share of matching requests it fires on, 0 to 1.
    #[serde(default = "one")]
    pub rate: f64,
    /// Fires at most this many times, then retires.
    #[serde(default)]
    pub times: Option<u64>,
    #[serde(skip)]
    pub seen: u64,
    #[serde(skip)]
    pub fired: u64,
}

fn one() -> f64 {
    1.0
}

/// Parses one rule or a list of rules.
pub fn parse(text: &str) -> Result<Vec<Fault>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("fault rules are not JSON: {e}"))?;
    let list = match v {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(ref o) if o.contains_key("rules") => o["rules"].as_array().cloned().unwrap_or_default(),
        other => vec![other],
    };
    list.into_iter()
        .map(|item| {
            let f: Fault = serde_json::from_value(item).map_err(|e| format!("bad fault rule: {e}"))?;
            if !(0.0..=1.0).contains(&f.rate) {
                return Err(format!("rate {} is outside 0..=1", f.rate));
            }
            Ok(f)
        })
        .collect()
}

/// The rules that fire for this request, in order, counting it against each matching rule.
pub fn firing(rules: &mut [Fault], seed: u64, method: &str, path: &str, query: &str) -> Vec<FaultKind> {
    let mut out = Vec::new();
    for (i, f) in rules.iter_mut().enumerate() {
        let matches = f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
            && f.path_suffix.as_deref().is_none_or(|s| path.ends_with(s))
            && f.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && f.query_contains.as_deref().is_none_or(|q| query.contains(q));
        if !matches || f.times.is_some_and(|t| f.fired >= t) {
            continue;
        }
        f.seen += 1;
        let roll = (mix(seed, 77 + i as u64, f.seen) % 1_000_000) as f64 / 1_000_000.0;
        if roll < f.rate {
            f.fired += 1;
            out.push(f.kind.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_fire() {
        let mut rules =
            parse(r#"[{"kind":"status","status":503,"times":2,"path_prefix":"/api/"},{"kind":"latency","ms":5,"method":"POST"}]"#).unwrap();
        assert_eq!(firing(&mut rules, 1, "GET", "/api/v1/flow-runs", ""), vec![FaultKind::Status { status: 503, message: None }]);
        assert_eq!(firing(&mut rules, 1, "GET", "/fabric/api/login", ""), vec![]);
        assert_eq!(firing(&mut rules, 1, "POST", "/api/x", "").len(), 2);
        assert_eq!(firing(&mut rules, 1, "GET", "/api/x", ""), vec![], "retired after two");
        assert!(parse(r#"{"kind":"status","status":500,"rate":2}"#).is_err());
        assert!(parse(r#"{"kind":"teleport"}"#).is_err());
    }

    #[test]
    fn query_filters() {
        let mut rules = parse(r#"{"kind":"drop","query_contains":"per_page=25"}"#).unwrap();
        assert_eq!(firing(&mut rules, 1, "GET", "/api/v1/flow-runs", "page=1&per_page=1"), vec![]);
        assert_eq!(firing(&mut rules, 1, "GET", "/api/v1/flow-runs", "page=1&per_page=25"), vec![FaultKind::Drop]);
    }

    #[test]
    fn rates_are_roughly_honoured_and_repeatable() {
        let mut a = parse(r#"{"kind":"malformed","rate":0.25}"#).unwrap();
        let mut b = a.clone();
        let fa: usize = (0..4000).map(|_| firing(&mut a, 9, "GET", "/api/", "").len()).sum();
        let fb: usize = (0..4000).map(|_| firing(&mut b, 9, "GET", "/api/", "").len()).sum();
        assert_eq!(fa, fb);
        assert!((800..1200).contains(&fa), "{fa}");
    }
}
