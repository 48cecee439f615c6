//! Durations, sizes and counts as the API sends them: numbers, numeric strings, text with
//! units ("1h 2m 3s", "1.5 MB") or small objects, read into milliseconds, bytes and counts.
//! Never panics; `None` for anything unreadable or out of range.

use super::decode::{as_f64, as_i64, as_string};
use serde_json::Value;

/// A duration in ms from a number of seconds, a numeric string (seconds), "HH:MM:SS",
/// "1h 2m 3s"-style text, or an object with `milliseconds`, `ms`, `seconds` or `s`.
pub fn duration_ms(v: &Value) -> Option<i64> {
    let secs_to_ms = |s: f64| (0.0..1.0e12).contains(&s).then(|| (s * 1000.0).round() as i64);
    match v {
        Value::Number(_) => as_f64(v).and_then(secs_to_ms),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(f) = t.parse::<f64>() {
                return f.is_finite().then_some(f).and_then(secs_to_ms);
            }
            if t.contains(':') {
                let mut total = 0.0;
                for part in t.split(':') {
                    total = total * 60.0 + part.trim().parse::<f64>().ok()?;
                }
                return total.is_finite().then_some(total).and_then(secs_to_ms);
            }
            parse_unit_duration(t)
        }
        Value::Object(o) => {
            if let Some(ms) = o.get("milliseconds").or_else(|| o.get("ms")).and_then(as_f64) {
                return (ms >= 0.0).then(|| ms.round() as i64);
            }
            o.get("seconds").or_else(|| o.get("s")).and_then(as_f64).and_then(secs_to_ms)
        }
        _ => None,
    }
}

/// "1h 2m 3s", "2 min 5 sec", "850ms".
fn parse_unit_duration(t: &str) -> Option<i64> {
    let mut total = 0.0_f64;
    let mut rest = t;
    let mut any = false;
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start();
        let n_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..n_end].parse().ok()?;
        rest = rest[n_end..].trim_start();
        let u_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let factor = match rest[..u_end].to_ascii_lowercase().as_str() {
            "ms" | "msec" | "millisecond" | "milliseconds" => 1.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1000.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
            "d" | "day" | "days" => 86_400_000.0,
            _ => return None,
        };
        rest = rest[u_end..].trim_start_matches([',', ' ']);
        total += n * factor;
        any = true;
    }
    (any && total.is_finite()).then(|| total.round() as i64)
}

/// Bytes from a number, a numeric string, "1.5 MB"-style text (KB = 1000, KiB = 1024), or an
/// object with `bytes` (or `value` and `unit`).
pub fn size_bytes(v: &Value) -> Option<u64> {
    let clamp = |f: f64| (f.is_finite() && (0.0..1.0e18).contains(&f)).then(|| f.round() as u64);
    match v {
        Value::Number(_) => as_f64(v).and_then(clamp),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(f) = t.parse::<f64>() {
                return clamp(f);
            }
            let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
            let n: f64 = t[..split].trim().parse().ok()?;
            let factor = unit_factor(t[split..].trim())?;
            clamp(n * factor)
        }
        Value::Object(o) => {
            if let Some(b) = o.get("bytes") {
                return size_bytes(b);
            }
            let n = o.get("value").and_then(as_f64)?;
            let unit = o.get("unit").and_then(as_string).unwrap_or_default();
            clamp(n * unit_factor(unit.trim())?)
        }
        _ => None,
    }
}

fn unit_factor(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1_048_576.0,
        "gib" => 1_073_741_824.0,
        _ => return None,
    })
}

/// A count (a page number, a total, a page size): a non-negative integer, or a numeric
/// string of one.
pub fn count(v: &Value) -> Option<u64> {
    as_i64(v).and_then(|n| u64::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes() {
        assert_eq!(size_bytes(&json!(2048)), Some(2048));
        assert_eq!(size_bytes(&json!("2048")), Some(2048));
        assert_eq!(size_bytes(&json!("1.5 MB")), Some(1_500_000));
        assert_eq!(size_bytes(&json!("2KiB")), Some(2048));
        assert_eq!(size_bytes(&json!({"bytes": "10"})), Some(10));
        assert_eq!(size_bytes(&json!({"value": 3, "unit": "kb"})), Some(3000));
        assert_eq!(size_bytes(&json!("3 parsecs")), None);
        assert_eq!(size_bytes(&json!(-1)), None);
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(&json!(83)), Some(83_000));
        assert_eq!(duration_ms(&json!("1.5")), Some(1_500));
        assert_eq!(duration_ms(&json!("00:01:23")), Some(83_000));
        assert_eq!(duration_ms(&json!("1h 2m 3s")), Some(3_723_000));
        assert_eq!(duration_ms(&json!("850ms")), Some(850));
        assert_eq!(duration_ms(&json!({"milliseconds": 1200})), Some(1_200));
        assert_eq!(duration_ms(&json!({"seconds": "2"})), Some(2_000));
        assert_eq!(duration_ms(&json!("soon")), None);
        assert_eq!(duration_ms(&json!(-3)), None);
        assert_eq!(duration_ms(&json!("1e400")), None);
    }

    #[test]
    fn counts() {
        assert_eq!(count(&json!(210)), Some(210));
        assert_eq!(count(&json!("9")), Some(9));
        assert_eq!(count(&json!(-1)), None);
        assert_eq!(count(&json!("many")), None);
        assert_eq!(count(&json!(null)), None);
    }
}
