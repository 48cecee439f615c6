//! The list query as spatie/laravel-query-builder reads it, with its 400 messages for
//! anything it does not allow.

use crate::data::Run;

pub const RUN_FILTERS: [&str; 12] = [
    "user_id",
    "flow_id",
    "flow_version_id",
    "virtual_environment_id",
    "trigger",
    "status",
    "search",
    "started_before",
    "started_after",
    "started_on",
    "retried",
    "has_warnings",
];
pub const RUN_INCLUDES: [&str; 15] = [
    "flowVersion",
    "flowVersion.steps",
    "flow",
    "flowRunLogs",
    "errorWarningLogs",
    "flowRunLogs.flowStep",
    "trackedData",
    "metrics",
    "cpuTime",
    "payloadSize",
    "operationsSent",
    "operationsReceived",
    "retriedFlowRun",
    "virtualEnvironmentVersion",
    "virtualEnvironmentVersion.virtualEnvironment",
];
pub const RUN_SORTS: [&str; 1] = ["started_at"];
pub const MAX_PER_PAGE: u64 = 100;
pub const DEFAULT_PER_PAGE: u64 = 15;

#[derive(Debug, Default, PartialEq)]
pub struct RunListQuery {
    pub filters: Vec<(String, Vec<String>)>,
    pub includes: Vec<String>,
    pub newest_first: bool,
    pub page: u64,
    pub per_page: u64,
    /// Pairs other than `page`, for the paginator's links.
    pub other: Vec<(String, String)>,
}

fn not_allowed(kind: &str, bad: &[String], allowed: &[&str]) -> String {
    format!(
        "Requested {kind}(s) `{}` {} not allowed. Allowed {kind}(s) are `{}`.",
        bad.join(", "),
        if kind == "sort" { "is" } else { "are" },
        allowed.join(", ")
    )
}

/// Parses decoded query pairs; `Err` carries the 400 message.
pub fn parse_run_list(pairs: &[(String, String)]) -> Result<RunListQuery, String> {
    let mut q = RunListQuery { newest_first: true, page: 1, per_page: DEFAULT_PER_PAGE, ..Default::default() };
    let mut bad_filters = Vec::new();
    for (k, v) in pairs {
        if k != "page" {
            q.other.push((k.clone(), v.clone()));
        }
        if let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) {
            if RUN_FILTERS.contains(&name) {
                let values: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                if !values.is_empty() {
                    q.filters.push((name.to_string(), values));
                }
            } else {
                bad_filters.push(name.to_string());
            }
            continue;
        }
        match k.as_str() {
            "include" => {
                let incs: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                let bad: Vec<String> = incs.iter().filter(|i| !RUN_INCLUDES.contains(&i.as_str())).cloned().collect();
                if !bad.is_empty() {
                    return Err(not_allowed("include", &bad, &RUN_INCLUDES));
                }
                q.includes = incs;
            }
            "sort" => {
                for s in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let (desc, name) = match s.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, s),
                    };
                    if !RUN_SORTS.contains(&name) {
                        return Err(not_allowed("sort", &[s.to_string()], &RUN_SORTS));
                    }
                    q.newest_first = desc;
                }
            }
            // Laravel reads a page number it cannot parse as page 1.
            "page" => q.page = v.trim().parse::<u64>().ok().filter(|p| *p >= 1).unwrap_or(1),
            // Above the maximum is capped to it, like spatie/laravel-json-api-paginate's `max_results`.
            "per_page" => q.per_page = v.trim().parse::<u64>().ok().filter(|p| *p >= 1).map_or(DEFAULT_PER_PAGE, |p| p.min(MAX_PER_PAGE)),
            _ => {}
        }
    }
    if !bad_filters.is_empty() {
        return Err(not_allowed("filter", &bad_filters, &RUN_FILTERS));
    }
    Ok(q)
}

fn truthy(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// Whether `run` passes every filter but the date ones (those narrow the id range first).
pub fn matches(run: &Run, filters: &[(String, Vec<String>)]) -> bool {
    filters.iter().all(|(name, values)| {
        let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
        match name.as_str() {
            "user_id" => any(&|v| v == run.user_id.to_string()),
            "flow_id" => any(&|v| v == run.flow_id.to_string()),
            "flow_version_id" => any(&|v| v == run.flow_version_id.to_string()),
            "virtual_environment_id" => any(&|v| v == run.virtual_environment_id.to_string()),
            "trigger" => any(&|v| v.eq_ignore_ascii_case(run.trigger)),
            "status" => any(&|v| v == (run.status as u8).to_string()),
            "search" => any(&|v| {
                let needle = v.to_lowercase();
                run.flow_name.to_lowercase().contains(&needle) || run.id.to_string() == needle
            }),
            "retried" => any(&|v| truthy(v) == Some(!run.retried_as.is_empty())),
            "has_warnings" => any(&|v| truthy(v) == Some(run.has_warnings)),
            _ => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn spatie_messages() {
        assert_eq!(
            parse_run_list(&pairs(&[("filter[nope]", "1")])).unwrap_err(),
            format!("Requested filter(s) `nope` are not allowed. Allowed filter(s) are `{}`.", RUN_FILTERS.join(", "))
        );
        assert!(parse_run_list(&pairs(&[("include", "flow,bogus")]))
            .unwrap_err()
            .starts_with("Requested include(s) `bogus` are not allowed."));
        assert!(parse_run_list(&pairs(&[("sort", "-id")])).unwrap_err().starts_with("Requested sort(s) `-id` is not allowed."));
    }

    #[test]
    fn paging_values() {
        let q = parse_run_list(&pairs(&[("page", "x"), ("per_page", "250"), ("sort", "started_at")])).unwrap();
        assert_eq!((q.page, q.per_page, q.newest_first), (1, 100, false));
        assert_eq!(q.other, pairs(&[("per_page", "250"), ("sort", "started_at")]));
    }
}
