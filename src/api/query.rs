//! Typed queries and the exact query strings the API takes
//! (spatie/laravel-query-builder conventions: `filter[key]=a,b`, `include=`, `sort=-x`,
//! `fields[type]=`, `page`, `per_page`).

use super::models::{RunStatus, Trigger};

/// The API's documented page-size ceiling; the client never sends more.
pub const MAX_PER_PAGE: u32 = 100;

/// Percent-encodes everything but RFC 3986's unreserved characters, so brackets become
/// `%5B`/`%5D`, commas `%2C`, spaces `%20`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Joins pairs into `a=1&b=2`, each part encoded.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v))).collect::<Vec<_>>().join("&")
}

/// Sort order of the run list (the API sorts runs by `started_at` only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RunSort {
    #[default]
    NewestFirst,
    OldestFirst,
}

impl RunSort {
    pub fn as_api(self) -> &'static str {
        match self {
            RunSort::NewestFirst => "-started_at",
            RunSort::OldestFirst => "started_at",
        }
    }
}

/// A query of `GET /api/v1/flow-runs`. Empty lists and `None` send nothing.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RunQuery {
    pub user_id: Vec<String>,
    pub flow_id: Vec<String>,
    pub flow_version_id: Vec<String>,
    pub virtual_environment_id: Vec<String>,
    pub trigger: Vec<Trigger>,
    pub status: Vec<RunStatus>,
    pub search: Option<String>,
    /// Unix milliseconds.
    pub started_before: Option<i64>,
    pub started_after: Option<i64>,
    pub started_on: Option<i64>,
    pub retried: Option<bool>,
    pub has_warnings: Option<bool>,
    pub include: Vec<String>,
    /// `fields[type]=a,b`, in order.
    pub fields: Vec<(String, Vec<String>)>,
    pub sort: Option<RunSort>,
    pub page: u32,
    pub per_page: u32,
}

impl RunQuery {
    pub fn new(page: u32, per_page: u32) -> RunQuery {
        RunQuery { page, per_page, ..RunQuery::default() }
    }

    /// The query pairs in a fixed order (filters, include, fields, sort, page, per_page).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        let mut list = |key: &str, values: Vec<String>| {
            let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
            if !values.is_empty() {
                p.push((format!("filter[{key}]"), values.join(",")));
            }
        };
        list("user_id", self.user_id.clone());
        list("flow_id", self.flow_id.clone());
        list("flow_version_id", self.flow_version_id.clone());
        list("virtual_environment_id", self.virtual_environment_id.clone());
        list("trigger", self.trigger.iter().map(|t| t.as_api().to_string()).collect());
        list(
            "status",
            self.status
                .iter()
                .map(|s| match s {
                    RunStatus::Other(raw) => raw.clone(),
                    known => known.code().map(|c| c.to_string()).unwrap_or_default(),
                })
                .collect(),
        );
        let search = self.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = search {
            p.push(("filter[search]".into(), s.to_string()));
        }
        for (key, v) in [("started_before", self.started_before), ("started_after", self.started_after), ("started_on", self.started_on)] {
            if let Some(ms) = v {
                p.push((format!("filter[{key}]"), ms.to_string()));
            }
        }
        for (key, v) in [("retried", self.retried), ("has_warnings", self.has_warnings)] {
            if let Some(b) = v {
                p.push((format!("filter[{key}]"), if b { "1" } else { "0" }.into()));
            }
        }
        if !self.include.is_empty() {
            p.push(("include".into(), self.include.join(",")));
        }
        for (ty, fields) in &self.fields {
            if !fields.is_empty() {
                p.push((format!("fields[{ty}]"), fields.join(",")));
            }
        }
        if let Some(sort) = self.sort {
            p.push(("sort".into(), sort.as_api().into()));
        }
        p.push(("page".into(), self.page.max(1).to_string()));
        p.push(("per_page".into(), self.per_page.clamp(1, MAX_PER_PAGE).to_string()));
        p
    }

    /// `filter%5Bstatus%5D=3&page=1&per_page=25`.
    pub fn to_query_string(&self) -> String {
        encode_pairs(&self.to_pairs())
    }
}

/// Sort order of a run's logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogSort {
    #[default]
    Oldest,
    Newest,
}

/// A query of `GET /api/v1/flow-runs/{id}/flow-run-logs`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LogQuery {
    pub flow_step_id: Vec<String>,
    pub include: Vec<String>,
    /// `fields[flowStep]`.
    pub step_fields: Vec<String>,
    pub sort: Option<LogSort>,
    pub load_payload_ids: bool,
    pub page: u32,
    pub per_page: u32,
}

impl LogQuery {
    /// What the vendor's own tools ask for: steps' names, metadata and payload ids, by id.
    pub fn standard(page: u32, per_page: u32) -> LogQuery {
        LogQuery {
            include: vec!["flowStep".into(), "flowRunLogMetadata".into()],
            step_fields: vec!["id".into(), "name".into()],
            sort: Some(LogSort::Oldest),
            load_payload_ids: true,
            page,
            per_page,
            ..LogQuery::default()
        }
    }

    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        let steps: Vec<&str> = self.flow_step_id.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if !steps.is_empty() {
            p.push(("filter[flow_step_id]".into(), steps.join(",")));
        }
        if !self.include.is_empty() {
            p.push(("include".into(), self.include.join(",")));
        }
        if !self.step_fields.is_empty() {
            p.push(("fields[flowStep]".into(), self.step_fields.join(",")));
        }
        if let Some(sort) = self.sort {
            p.push(("sort".into(), if sort == LogSort::Oldest { "id" } else { "-id" }.into()));
        }
        if self.load_payload_ids {
            p.push(("load_payload_ids".into(), "true".into()));
        }
        p.push(("page".into(), self.page.max(1).to_string()));
        p.push(("per_page".into(), self.per_page.clamp(1, MAX_PER_PAGE).to_string()));
        p
    }

    pub fn to_query_string(&self) -> String {
        encode_pairs(&self.to_pairs())
    }
}

/// Decodes `a=1&b=%5B` into pairs (`+` is a space, as in forms). Bad escapes are kept as
/// they are; never fails.
pub fn decode_query(q: &str) -> Vec<(String, String)> {
    q.trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

pub fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn log_queries() {
        let mut q = LogQuery::standard(3, 500);
        q.flow_step_id = vec!["101001".into(), "101002".into()];
        assert_eq!(
            q.to_query_string(),
            "filter%5Bflow_step_id%5D=101001%2C101002&include=flowStep%2CflowRunLogMetadata&fields%5BflowStep%5D=id%2Cname\
             &sort=id&load_payload_ids=true&page=3&per_page=100"
        );
    }

    #[test]
    fn decoding_bad_escapes_keeps_them() {
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("a+b%20c%5B%5D"), "a b c[]");
        assert_eq!(decode_query("?x=1&&y&z=%C3%A9"), vec![("x".into(), "1".into()), ("y".into(), "".into()), ("z".into(), "é".into())]);
    }

    proptest! {
        #[test]
        fn encoding_round_trips(k in "\\PC{0,12}", v in "\\PC{0,24}") {
            let q = encode_pairs(&[(k.clone(), v.clone())]);
            prop_assert_eq!(decode_query(&q), vec![(k, v)]);
        }

        #[test]
        fn run_queries_round_trip(status in proptest::collection::vec(1u8..=5, 0..4), search in proptest::option::of("[a-z é&=,]{1,10}"),
                                  after in proptest::option::of(0i64..4_000_000_000_000), page in 1u32..1000, per_page in 1u32..=100) {
            let q = RunQuery {
                status: status.iter().filter_map(|c| RunStatus::from_code(i64::from(*c))).collect(),
                search: search.clone(),
                started_after: after,
                ..RunQuery::new(page, per_page)
            };
            let pairs = decode_query(&q.to_query_string());
            prop_assert_eq!(&pairs, &q.to_pairs());
            let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
            prop_assert_eq!(get("page"), Some(page.to_string()));
            prop_assert_eq!(get("filter[started_after]"), after.map(|a| a.to_string()));
            let sent_status = get("filter[status]").map(|s| s.split(',').map(|c| c.parse::<u8>().unwrap()).collect::<Vec<_>>()).unwrap_or_default();
            prop_assert_eq!(sent_status, status);
        }
    }

    #[test]
    fn brackets_and_commas_are_encoded() {
        let mut q = RunQuery::new(2, 25);
        q.status = vec![RunStatus::Failure, RunStatus::Stopped];
        q.search = Some("  orders & co ".into());
        q.include = vec!["flow".into(), "flowVersion".into()];
        q.fields = vec![("flow".into(), vec!["id".into(), "name".into()])];
        q.sort = Some(RunSort::NewestFirst);
        assert_eq!(
            q.to_query_string(),
            "filter%5Bstatus%5D=3%2C4&filter%5Bsearch%5D=orders%20%26%20co&include=flow%2CflowVersion\
             &fields%5Bflow%5D=id%2Cname&sort=-started_at&page=2&per_page=25"
        );
    }

    #[test]
    fn per_page_is_clamped_and_page_is_at_least_one() {
        let q = RunQuery::new(0, 250);
        assert_eq!(q.to_query_string(), "page=1&per_page=100");
        assert_eq!(RunQuery::new(3, 0).to_query_string(), "page=3&per_page=1");
    }

    #[test]
    fn every_filter_is_sent() {
        let q = RunQuery {
            user_id: vec!["5".into()],
            flow_id: vec!["7".into(), " ".into(), "8".into()],
            flow_version_id: vec!["70".into()],
            virtual_environment_id: vec!["3".into()],
            trigger: vec![Trigger::Api, Trigger::Other("Pigeon".into())],
            status: vec![RunStatus::Running],
            started_before: Some(2_000),
            started_after: Some(1_000),
            started_on: Some(1_500),
            retried: Some(true),
            has_warnings: Some(false),
            ..RunQuery::new(1, 10)
        };
        let keys: Vec<String> = q.to_pairs().into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            keys,
            [
                "filter[user_id]=5",
                "filter[flow_id]=7,8",
                "filter[flow_version_id]=70",
                "filter[virtual_environment_id]=3",
                "filter[trigger]=API,Pigeon",
                "filter[status]=1",
                "filter[started_before]=2000",
                "filter[started_after]=1000",
                "filter[started_on]=1500",
                "filter[retried]=1",
                "filter[has_warnings]=0",
                "page=1",
                "per_page=10",
            ]
        );
    }

    #[test]
    fn non_ascii_is_utf8_percent_encoded() {
        assert_eq!(encode_component("é/[]"), "%C3%A9%2F%5B%5D");
    }
}
