//! The list query as spatie/laravel-query-builder reads it, with its 400 messages for
//! anything it does not allow.

use crate::data::LiveRun;

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

pub const LOG_FILTERS: [&str; 1] = ["flow_step_id"];
pub const LOG_INCLUDES: [&str; 5] = ["flowRun", "flowStep", "flowRunLogMetadata", "flowRunLogPayloads", "flowStep.payloads"];
pub const LOG_SORTS: [&str; 2] = ["id", "created_at"];
pub const LOG_STEP_FIELDS: [&str; 3] = ["id", "name", "payload.id"];

#[derive(Debug, Default, PartialEq)]
pub struct LogListQuery {
    pub step_ids: Option<Vec<u64>>,
    pub includes: Vec<String>,
    pub step_fields: Vec<String>,
    pub descending: bool,
    pub load_payload_ids: bool,
    pub page: u64,
    pub per_page: u64,
    pub other: Vec<(String, String)>,
}

fn split(v: &str) -> Vec<String> {
    v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// Parses the logs endpoints' query; `Err` carries the 400 message.
pub fn parse_log_list(pairs: &[(String, String)]) -> Result<LogListQuery, String> {
    let mut q = LogListQuery { page: 1, per_page: DEFAULT_PER_PAGE, ..Default::default() };
    for (k, v) in pairs {
        if k != "page" {
            q.other.push((k.clone(), v.clone()));
        }
        if let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) {
            if !LOG_FILTERS.contains(&name) {
                return Err(not_allowed("filter", &[name.to_string()], &LOG_FILTERS));
            }
            let ids: Vec<u64> = split(v).iter().filter_map(|s| s.parse().ok()).collect();
            q.step_ids = Some(ids);
            continue;
        }
        if let Some(ty) = k.strip_prefix("fields[").and_then(|r| r.strip_suffix(']')) {
            if ty != "flowStep" {
                return Err(format!(
                    "Requested field(s) `{ty}` are not allowed. Allowed field(s) are `flowStep.id, flowStep.name, flowStep.payload.id`."
                ));
            }
            let fields = split(v);
            let bad: Vec<String> =
                fields.iter().filter(|f| !LOG_STEP_FIELDS.contains(&f.as_str())).map(|f| format!("flowStep.{f}")).collect();
            if !bad.is_empty() {
                return Err(format!(
                    "Requested field(s) `{}` are not allowed. Allowed field(s) are `flowStep.id, flowStep.name, flowStep.payload.id`.",
                    bad.join(", ")
                ));
            }
            q.step_fields = fields;
            continue;
        }
        match k.as_str() {
            "include" => {
                let incs = split(v);
                let bad: Vec<String> = incs.iter().filter(|i| !LOG_INCLUDES.contains(&i.as_str())).cloned().collect();
                if !bad.is_empty() {
                    return Err(not_allowed("include", &bad, &LOG_INCLUDES));
                }
                q.includes = incs;
            }
            "sort" => {
                for s in split(v) {
                    let (desc, name) = match s.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, s.as_str()),
                    };
                    if !LOG_SORTS.contains(&name) {
                        return Err(not_allowed("sort", std::slice::from_ref(&s), &LOG_SORTS));
                    }
                    q.descending = desc;
                }
            }
            "load_payload_ids" => q.load_payload_ids = matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"),
            "page" => q.page = v.trim().parse::<u64>().ok().filter(|p| *p >= 1).unwrap_or(1),
            "per_page" => q.per_page = v.trim().parse::<u64>().ok().filter(|p| *p >= 1).map_or(DEFAULT_PER_PAGE, |p| p.min(MAX_PER_PAGE)),
            _ => {}
        }
    }
    Ok(q)
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
pub fn matches(live: &LiveRun, filters: &[(String, Vec<String>)]) -> bool {
    let run = &live.run;
    filters.iter().all(|(name, values)| {
        let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
        match name.as_str() {
            "user_id" => any(&|v| v == run.user_id.to_string()),
            "flow_id" => any(&|v| v == run.flow_id.to_string()),
            "flow_version_id" => any(&|v| v == run.flow_version_id.to_string()),
            "virtual_environment_id" => any(&|v| v == run.virtual_environment_id.to_string()),
            "trigger" => any(&|v| v.eq_ignore_ascii_case(run.trigger)),
            "status" => any(&|v| v == (live.status as u8).to_string()),
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
    fn log_queries() {
        let q = parse_log_list(&pairs(&[
            ("filter[flow_step_id]", "5,x,6"),
            ("include", "flowStep,flowRunLogMetadata"),
            ("fields[flowStep]", "id,name"),
            ("sort", "-id"),
            ("load_payload_ids", "true"),
        ]))
        .unwrap();
        assert_eq!(q.step_ids, Some(vec![5, 6]));
        assert!(q.descending && q.load_payload_ids);
        assert!(parse_log_list(&pairs(&[("filter[level]", "x")])).is_err());
        assert!(parse_log_list(&pairs(&[("fields[flowStep]", "secret")])).is_err());
        assert!(parse_log_list(&pairs(&[("sort", "level")])).is_err());
    }

    #[test]
    fn paging_values() {
        let q = parse_run_list(&pairs(&[("page", "x"), ("per_page", "250"), ("sort", "started_at")])).unwrap();
        assert_eq!((q.page, q.per_page, q.newest_first), (1, 100, false));
        assert_eq!(q.other, pairs(&[("per_page", "250"), ("sort", "started_at")]));
    }
}
