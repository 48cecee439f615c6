//! A run's duration, honestly. The published reference types `duration` and `cpu_time` as
//! bare numbers without a unit (spec/CORRECTIONS.md #5). Where `started_at` and `finished_at`
//! are both there, the duration is their difference, and the unit of `duration` is inferred
//! by comparing it with that difference (seconds or milliseconds, whichever is close); only
//! where the time stamps are missing is `duration` read alone (as seconds, the documented
//! reading). Pure; never panics.

use super::decode::as_f64;
use super::units::duration_ms;
use serde_json::Value;

/// What the run's `duration` turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DurationUnit {
    /// A bare number that matched the time stamps as seconds.
    Seconds,
    /// A bare number that matched the time stamps as milliseconds.
    Milliseconds,
    /// Text or an object that says its unit ("00:01:05", "850ms", `{"milliseconds": …}`).
    Stated,
    /// A bare number that matched neither, or no time stamps to compare with.
    #[default]
    Unknown,
}

/// The duration shown and how it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RunDuration {
    pub ms: Option<i64>,
    /// `true`: from `finished_at − started_at`; `false`: from `duration` alone (or none).
    pub from_time_stamps: bool,
    pub unit: DurationUnit,
}

/// The longest span believed: about 31 years. Anything longer is a broken time stamp.
const MAX_SPAN_MS: i64 = 1_000_000_000_000;

/// A bare number of `duration` (a JSON number or a numeric string), if it is one.
fn bare_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(_) => as_f64(v),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite() && *n >= 0.0)
}

/// Which unit a bare number `n` is in, given the real span: the reading within a tenth of the
/// span (and at least 1.5 s, the time stamps' own rounding and the run's start-up) wins.
fn unit_of(n: f64, span_ms: i64) -> DurationUnit {
    let span = span_ms as f64;
    let slack = (span / 10.0).max(1_500.0);
    let as_secs = (n * 1000.0 - span).abs();
    let as_ms = (n - span).abs();
    match (as_secs <= slack, as_ms <= slack) {
        // Both close (a span under the slack): the smaller miss decides, seconds on a tie.
        (true, true) if as_ms < as_secs && span > 0.0 => DurationUnit::Milliseconds,
        (true, true) => DurationUnit::Seconds,
        (true, false) => DurationUnit::Seconds,
        (false, true) => DurationUnit::Milliseconds,
        (false, false) => DurationUnit::Unknown,
    }
}

/// The run's duration from its `duration` value and its time stamps (Unix ms).
pub fn run_duration(duration: Option<&Value>, started_ms: Option<i64>, finished_ms: Option<i64>) -> RunDuration {
    let span = match (started_ms, finished_ms) {
        (Some(s), Some(f)) => f.checked_sub(s).filter(|d| (0..=MAX_SPAN_MS).contains(d)),
        _ => None,
    };
    let duration = duration.filter(|v| !v.is_null());
    match span {
        Some(span) => {
            let unit = match duration {
                Some(v) => match bare_number(v) {
                    Some(n) => unit_of(n, span),
                    None if duration_ms(v).is_some() => DurationUnit::Stated,
                    None => DurationUnit::Unknown,
                },
                None => DurationUnit::Unknown,
            };
            RunDuration { ms: Some(span), from_time_stamps: true, unit }
        }
        None => {
            let ms = duration.and_then(duration_ms).filter(|ms| *ms <= MAX_SPAN_MS);
            let unit = match duration {
                Some(v) if ms.is_some() && bare_number(v).is_none() => DurationUnit::Stated,
                _ => DurationUnit::Unknown,
            };
            RunDuration { ms, from_time_stamps: false, unit }
        }
    }
}

/// A figure the API writes in the same unit as `duration` (`cpu_time`): a bare number is read
/// in the unit inferred for the run (seconds unless milliseconds were inferred); text and
/// objects say their own unit.
pub fn in_unit(v: &Value, unit: DurationUnit) -> Option<i64> {
    match (bare_number(v), unit) {
        (Some(n), DurationUnit::Milliseconds) => (n < MAX_SPAN_MS as f64).then(|| n.round() as i64),
        _ => duration_ms(v).filter(|ms| *ms <= MAX_SPAN_MS),
    }
}

impl RunDuration {
    /// What the run page says about where the figure came from.
    pub fn note(&self) -> Option<&'static str> {
        Some(match (self.ms?, self.from_time_stamps, self.unit) {
            (_, true, DurationUnit::Seconds) => "from start and finish; the API's duration is in seconds",
            (_, true, DurationUnit::Milliseconds) => "from start and finish; the API's duration is in milliseconds",
            (_, true, DurationUnit::Stated) => "from start and finish",
            (_, true, DurationUnit::Unknown) => "from start and finish; the API's duration matches neither seconds nor milliseconds",
            (_, false, DurationUnit::Stated) => "the API's duration (no finish time to compare with)",
            (_, false, _) => "the API's duration read as seconds (no finish time to compare with)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T0: i64 = 1_772_391_600_000;

    fn d(v: Value, span: Option<i64>) -> RunDuration {
        run_duration(Some(&v), Some(T0), span.map(|s| T0 + s))
    }

    #[test]
    fn seconds_are_inferred_from_the_time_stamps() {
        assert_eq!(d(json!(65), Some(65_000)), RunDuration { ms: Some(65_000), from_time_stamps: true, unit: DurationUnit::Seconds });
        assert_eq!(d(json!("64.2"), Some(65_000)).unit, DurationUnit::Seconds, "rounded time stamps");
        assert_eq!(d(json!(3600.5), Some(3_600_000)).unit, DurationUnit::Seconds);
        assert_eq!(d(json!(0.4), Some(400)).unit, DurationUnit::Seconds);
    }

    #[test]
    fn milliseconds_are_inferred_from_the_time_stamps() {
        let r = d(json!(65_000), Some(65_000));
        assert_eq!(r, RunDuration { ms: Some(65_000), from_time_stamps: true, unit: DurationUnit::Milliseconds });
        assert_eq!(d(json!("64900"), Some(65_000)).unit, DurationUnit::Milliseconds);
        assert_eq!(d(json!(400), Some(400)).unit, DurationUnit::Milliseconds, "a short run");
        assert_eq!(d(json!(0), Some(0)).unit, DurationUnit::Seconds, "nothing to tell apart: the documented reading");
        assert!(r.note().is_some_and(|n| n.contains("milliseconds")));
    }

    #[test]
    fn the_time_stamps_win_over_any_duration() {
        let r = d(json!(999_999), Some(65_000));
        assert_eq!((r.ms, r.unit), (Some(65_000), DurationUnit::Unknown));
        assert_eq!(d(json!("00:01:05"), Some(65_000)).unit, DurationUnit::Stated);
        assert_eq!(d(json!({"milliseconds": 65_000}), Some(65_000)).unit, DurationUnit::Stated);
        assert_eq!(d(json!(-5), Some(65_000)), RunDuration { ms: Some(65_000), from_time_stamps: true, unit: DurationUnit::Unknown });
        assert_eq!(d(json!("soon"), Some(65_000)).unit, DurationUnit::Unknown);
        assert_eq!(run_duration(None, Some(T0), Some(T0 + 5)).ms, Some(5));
    }

    #[test]
    fn without_both_time_stamps_duration_is_read_alone_as_seconds() {
        let alone = run_duration(Some(&json!(65)), Some(T0), None);
        assert_eq!(alone, RunDuration { ms: Some(65_000), from_time_stamps: false, unit: DurationUnit::Unknown });
        assert!(alone.note().is_some_and(|n| n.contains("seconds")));
        assert_eq!(run_duration(Some(&json!("850ms")), None, None).unit, DurationUnit::Stated);
        assert_eq!(run_duration(None, None, None), RunDuration::default());
        assert_eq!(run_duration(Some(&Value::Null), None, Some(T0)).ms, None);
        assert_eq!(RunDuration::default().note(), None);
    }

    #[test]
    fn absurd_and_negative_inputs() {
        // Finished before it started: the time stamps are not believed, `duration` is read.
        assert_eq!(d(json!(65), Some(-1_000)), RunDuration { ms: Some(65_000), from_time_stamps: false, unit: DurationUnit::Unknown });
        assert_eq!(d(json!(-65), Some(-1_000)).ms, None);
        assert!(!run_duration(Some(&json!(1)), Some(i64::MIN), Some(i64::MAX)).from_time_stamps, "no overflow");
        assert_eq!(run_duration(Some(&json!(1e300)), None, None).ms, None);
        assert_eq!(run_duration(Some(&json!("NaN")), Some(T0), Some(T0 + 1_000)).unit, DurationUnit::Unknown);
        assert_eq!(d(json!(1e300), Some(65_000)).unit, DurationUnit::Unknown);
    }

    #[test]
    fn cpu_time_follows_the_inferred_unit() {
        assert_eq!(in_unit(&json!(250), DurationUnit::Milliseconds), Some(250));
        assert_eq!(in_unit(&json!("250"), DurationUnit::Milliseconds), Some(250));
        assert_eq!(in_unit(&json!("0.25"), DurationUnit::Seconds), Some(250));
        assert_eq!(in_unit(&json!(0.25), DurationUnit::Unknown), Some(250));
        assert_eq!(in_unit(&json!({"milliseconds": 250}), DurationUnit::Seconds), Some(250), "stated units stay");
        assert_eq!(in_unit(&json!(-1), DurationUnit::Milliseconds), None);
        assert_eq!(in_unit(&json!(1e300), DurationUnit::Milliseconds), None);
    }
}
