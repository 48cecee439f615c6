//! The list query as spatie/laravel-query-builder reads it, with its 400 messages for
//! anything it does not allow, and Laravel's 422 validation answer for date filters that are
//! not Unix milliseconds.

use crate::data::LiveRun;
use crate::fields::Fieldsets;

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
/// The includes the published reference names, in its order.
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
/// Includes that are computed values, not Eloquent relations: spatie adds no `…Count` or
/// `…Exists` for them.
const RUN_VALUE_INCLUDES: [&str; 4] = ["cpuTime", "payloadSize", "operationsSent", "operationsReceived"];
/// The latest date the API can store (9999-12-31T23:59:59.999Z); later ones are refused.
pub const MAX_DATE_MS: i64 = 253_402_300_799_999;
pub const DATE_FILTERS: [&str; 3] = ["started_before", "started_after", "started_on"];

/// Every include spatie allows for this list: each relation's path prefixes, and for a
/// top-level relation its automatic `…Count` and `…Exists`, in spatie's order.
pub fn allowed_includes(declared: &[&str], values: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for inc in declared {
        let parts: Vec<&str> = inc.split('.').collect();
        for n in 1..=parts.len() {
            let path = parts[..n].join(".");
            let top = n == 1 && !values.contains(&path.as_str());
            push(path.clone());
            if top {
                push(format!("{path}Count"));
                push(format!("{path}Exists"));
            }
        }
    }
    out
}

pub fn run_includes() -> Vec<String> {
    allowed_includes(&RUN_INCLUDES, &RUN_VALUE_INCLUDES)
}

pub fn log_includes() -> Vec<String> {
    allowed_includes(&LOG_INCLUDES, &[])
}

/// Why a query was refused.
#[derive(Debug, PartialEq)]
pub enum QueryError {
    /// spatie's 400: a filter, include, sort or field that is not allowed.
    NotAllowed(String),
    /// Laravel's 422: `(field, message)` for each value that fails validation.
    Invalid(Vec<(String, String)>),
}

impl QueryError {
    /// Laravel's top-level message: the first error, and how many more there are.
    pub fn message(&self) -> String {
        match self {
            QueryError::NotAllowed(m) => m.clone(),
            QueryError::Invalid(errors) => {
                let first = errors.first().map(|(_, m)| m.clone()).unwrap_or_default();
                match errors.len() {
                    0 | 1 => first,
                    2 => format!("{first} (and 1 more error)"),
                    n => format!("{first} (and {} more errors)", n - 1),
                }
            }
        }
    }
}

/// Laravel's `integer|min:0|max:MAX_DATE_MS` on `filter.<name>`: the value or the message.
pub fn date_value(name: &str, v: &str) -> Result<i64, String> {
    let attr = format!("filter.{}", name.replace('_', " "));
    let t = v.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let n = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<i64>().ok()).flatten();
    match n {
        None => Err(format!("The {attr} field must be an integer.")),
        Some(n) if n < 0 => Err(format!("The {attr} field must be at least 0.")),
        Some(n) if n > MAX_DATE_MS => Err(format!("The {attr} field must not be greater than {MAX_DATE_MS}.")),
        Some(n) => Ok(n),
    }
}

pub const RUN_SORTS: [&str; 1] = ["started_at"];
pub const MAX_PER_PAGE: u64 = 100;
pub const DEFAULT_PER_PAGE: u64 = 15;

#[derive(Debug, Default, PartialEq)]
pub struct RunListQuery {
    /// Filters other than the date ones, with their comma-separated values.
    pub filters: Vec<(String, Vec<String>)>,
    /// Date filters, validated: (name, Unix ms).
    pub dates: Vec<(String, i64)>,
    pub includes: Vec<String>,
    pub fields: Fieldsets,
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

/// `page` and `per_page` as Laravel reads them: what it cannot parse is the default.
fn paging(k: &str, v: &str, page: &mut u64, per_page: &mut u64) {
    match k {
        "page" => *page = v.trim().parse::<u64>().ok().filter(|p| *p >= 1).unwrap_or(1),
        // Above the maximum is capped to it, like spatie/laravel-json-api-paginate's `max_results`.
        "per_page" => *per_page = v.trim().parse::<u64>().ok().filter(|p| *p >= 1).map_or(DEFAULT_PER_PAGE, |p| p.min(MAX_PER_PAGE)),
        _ => {}
    }
}

/// `include=` checked against the allowed list.
fn includes(v: &str, allowed: &[String]) -> Result<Vec<String>, QueryError> {
    let incs = split(v);
    let bad: Vec<String> = incs.iter().filter(|i| !allowed.contains(i)).cloned().collect();
    if bad.is_empty() {
        Ok(incs)
    } else {
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        Err(QueryError::NotAllowed(not_allowed("include", &bad, &allowed)))
    }
}

/// `sort=` checked against the allowed names; `Some(descending)` of the last one.
fn sort(v: &str, allowed: &[&str]) -> Result<Option<bool>, QueryError> {
    let mut desc = None;
    for s in split(v) {
        let (d, name) = match s.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, s.as_str()),
        };
        if !allowed.contains(&name) {
            return Err(QueryError::NotAllowed(not_allowed("sort", std::slice::from_ref(&s), allowed)));
        }
        desc = Some(d);
    }
    Ok(desc)
}

/// Parses the logs endpoints' query.
pub fn parse_log_list(pairs: &[(String, String)]) -> Result<LogListQuery, QueryError> {
    let mut q = LogListQuery { page: 1, per_page: DEFAULT_PER_PAGE, ..Default::default() };
    let allowed_includes = log_includes();
    for (k, v) in pairs {
        if k != "page" {
            q.other.push((k.clone(), v.clone()));
        }
        if let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) {
            if !LOG_FILTERS.contains(&name) {
                return Err(QueryError::NotAllowed(not_allowed("filter", &[name.to_string()], &LOG_FILTERS)));
            }
            let ids: Vec<u64> = split(v).iter().filter_map(|s| s.parse().ok()).collect();
            q.step_ids = Some(ids);
            continue;
        }
        if let Some(ty) = k.strip_prefix("fields[").and_then(|r| r.strip_suffix(']')) {
            let fields = split(v);
            let bad: Vec<String> =
                fields.iter().filter(|f| ty != "flowStep" || !LOG_STEP_FIELDS.contains(&f.as_str())).map(|f| format!("{ty}.{f}")).collect();
            if !bad.is_empty() {
                return Err(QueryError::NotAllowed(format!(
                    "Requested field(s) `{}` are not allowed. Allowed field(s) are `flowStep.id, flowStep.name, flowStep.payload.id`.",
                    bad.join(", ")
                )));
            }
            q.step_fields = fields;
            continue;
        }
        match k.as_str() {
            "include" => q.includes = includes(v, &allowed_includes)?,
            "sort" => q.descending = sort(v, &LOG_SORTS)?.unwrap_or(q.descending),
            "load_payload_ids" => q.load_payload_ids = matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"),
            _ => paging(k, v, &mut q.page, &mut q.per_page),
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

/// Parses decoded query pairs of the run endpoints. Validation (422) comes first, as a
/// Laravel form request runs before the controller; then spatie's checks (400).
pub fn parse_run_list(pairs: &[(String, String)]) -> Result<RunListQuery, QueryError> {
    let mut q = RunListQuery { newest_first: true, page: 1, per_page: DEFAULT_PER_PAGE, ..Default::default() };
    let mut invalid = Vec::new();
    for (k, v) in pairs {
        let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) else { continue };
        if DATE_FILTERS.contains(&name) && !v.trim().is_empty() {
            match date_value(name, v) {
                Ok(ms) => q.dates.push((name.to_string(), ms)),
                Err(m) => invalid.push((format!("filter.{name}"), m)),
            }
        }
    }
    if !invalid.is_empty() {
        return Err(QueryError::Invalid(invalid));
    }
    let mut bad_filters = Vec::new();
    let allowed_includes = run_includes();
    for (k, v) in pairs {
        if k != "page" {
            q.other.push((k.clone(), v.clone()));
        }
        if let Some(name) = k.strip_prefix("filter[").and_then(|r| r.strip_suffix(']')) {
            if !RUN_FILTERS.contains(&name) {
                bad_filters.push(name.to_string());
            } else if !DATE_FILTERS.contains(&name) {
                let values = split(v);
                if !values.is_empty() {
                    q.filters.push((name.to_string(), values));
                }
            }
            continue;
        }
        match k.as_str() {
            "include" => q.includes = includes(v, &allowed_includes)?,
            "sort" => q.newest_first = sort(v, &RUN_SORTS)?.unwrap_or(q.newest_first),
            _ => paging(k, v, &mut q.page, &mut q.per_page),
        }
    }
    if !bad_filters.is_empty() {
        return Err(QueryError::NotAllowed(not_allowed("filter", &bad_filters, &RUN_FILTERS)));
    }
    q.fields = Fieldsets::parse(pairs).map_err(QueryError::NotAllowed)?;
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

    fn refused(q: &[(&str, &str)]) -> String {
        parse_run_list(&pairs(q)).unwrap_err().message()
    }

    #[test]
    fn spatie_messages() {
        assert_eq!(
            refused(&[("filter[nope]", "1")]),
            format!("Requested filter(s) `nope` are not allowed. Allowed filter(s) are `{}`.", RUN_FILTERS.join(", "))
        );
        assert!(refused(&[("include", "flow,bogus")]).starts_with("Requested include(s) `bogus` are not allowed."));
        assert!(refused(&[("sort", "-id")]).starts_with("Requested sort(s) `-id` is not allowed."));
        assert!(refused(&[("fields[flow]", "colour")]).starts_with("Requested field(s) `flow.colour` are not allowed."));
    }

    #[test]
    fn count_and_exists_includes_come_with_every_relation() {
        let all = run_includes();
        assert_eq!(all[..4], ["flowVersion", "flowVersionCount", "flowVersionExists", "flowVersion.steps"]);
        for inc in ["flowRunLogsCount", "flowRunLogsExists", "trackedDataCount", "errorWarningLogsExists", "retriedFlowRunCount"] {
            assert!(all.iter().any(|a| a == inc), "{inc}");
            assert!(parse_run_list(&pairs(&[("include", inc)])).is_ok(), "{inc}");
        }
        for not in ["cpuTimeCount", "flowVersion.stepsCount", "flowRunLogs.flowStepExists", "flowCounts"] {
            assert!(parse_run_list(&pairs(&[("include", not)])).is_err(), "{not}");
        }
        assert!(refused(&[("include", "nope")]).contains("flowRunLogs, flowRunLogsCount, flowRunLogsExists, errorWarningLogs"));
        assert!(parse_log_list(&pairs(&[("include", "flowRunLogPayloadsCount,flowStepExists")])).is_ok());
    }

    #[test]
    fn date_filters_are_validated_as_laravel_does() {
        let q = parse_run_list(&pairs(&[("filter[started_on]", "1772391627000"), ("filter[started_after]", "")])).unwrap();
        assert_eq!(q.dates, vec![("started_on".to_string(), 1_772_391_627_000)]);
        for (v, msg) in [
            ("yesterday", "The filter.started on field must be an integer."),
            ("1,2", "The filter.started on field must be an integer."),
            ("1.5", "The filter.started on field must be an integer."),
            ("99999999999999999999", "The filter.started on field must be an integer."),
            ("-9223372036854775808", "The filter.started on field must be at least 0."),
            ("9223372036854775807", "The filter.started on field must not be greater than 253402300799999."),
        ] {
            assert_eq!(
                parse_run_list(&pairs(&[("filter[started_on]", v)])),
                Err(QueryError::Invalid(vec![("filter.started_on".into(), msg.into())])),
                "{v}"
            );
        }
        let two =
            parse_run_list(&pairs(&[("filter[started_after]", "x"), ("filter[started_before]", "-1"), ("filter[nope]", "1")])).unwrap_err();
        assert_eq!(two.message(), "The filter.started after field must be an integer. (and 1 more error)", "validation before spatie");
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
        assert!(parse_log_list(&pairs(&[("fields[flowRun]", "id")])).is_err());
        assert!(parse_log_list(&pairs(&[("sort", "level")])).is_err());
    }

    #[test]
    fn paging_values() {
        let q = parse_run_list(&pairs(&[("page", "x"), ("per_page", "250"), ("sort", "started_at")])).unwrap();
        assert_eq!((q.page, q.per_page, q.newest_first), (1, 100, false));
        assert_eq!(q.other, pairs(&[("per_page", "250"), ("sort", "started_at")]));
    }
}
