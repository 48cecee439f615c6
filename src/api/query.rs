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

#[cfg(test)]
mod tests {
    use super::*;

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
