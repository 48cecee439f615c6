//! Time stamps and durations: parsing what the API sends and formatting it for people.
//! Pure functions over milliseconds since the Unix epoch, so they are tested natively;
//! only the local time-zone offset comes from the browser (see `crate::browser`).

use serde_json::Value;

const MS_PER_DAY: i64 = 86_400_000;

/// Milliseconds since the epoch from an ISO 8601 / RFC 3339 string ("2026-03-01T19:00:00Z",
/// "2026-03-01T19:00:00.123456+01:00", Laravel's "2026-03-01 19:00:00" taken as UTC), a
/// numeric string, or a number. Numbers below 10^11 are taken as seconds, above as ms.
pub fn parse_timestamp(v: &Value) -> Option<i64> {
    match v {
        Value::Number(_) => crate::api::decode::as_f64(v).and_then(epoch_number_to_ms),
        Value::String(s) => {
            let t = s.trim();
            match t.parse::<f64>() {
                Ok(f) if f.is_finite() => epoch_number_to_ms(f),
                _ => parse_iso(t),
            }
        }
        _ => None,
    }
}

fn epoch_number_to_ms(f: f64) -> Option<i64> {
    if !(0.0..1.0e15).contains(&f) {
        return None;
    }
    Some(if f < 1.0e11 { (f * 1000.0) as i64 } else { f as i64 })
}

/// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH[:MM]]`, or a bare date (midnight UTC).
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = num(0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if b.len() == 10 {
        return Some(ms);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = num(11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = num(14, 2)?;
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(17, 2)?;
        i = 19;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    ms += (hour * 3600 + minute * 60 + second) * 1000;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &s[start..i.min(start + 3)];
        let frac: i64 = digits.parse().ok()?;
        ms += frac * 10_i64.pow(3 - digits.len() as u32);
    }
    match b.get(i) {
        None => Some(ms),
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(ms),
        Some(sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let om = match b.get(i + 3) {
                None => 0,
                Some(b':') => num(i + 4, 2).filter(|_| b.len() == i + 6)?,
                Some(_) => num(i + 3, 2).filter(|_| b.len() == i + 5)?,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 60 + om) * 60_000;
            Some(if *sign == b'+' { ms - offset } else { ms + offset })
        }
        Some(_) => None,
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// Which clock times are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Zone {
    Utc,
    /// The browser's zone, as minutes east of UTC at the instant shown.
    Local,
}

impl Zone {
    pub fn parse(s: &str) -> Option<Zone> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utc" | "z" | "gmt" => Some(Zone::Utc),
            "local" | "browser" => Some(Zone::Local),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Utc => "utc",
            Zone::Local => "local",
        }
    }

    /// Minutes east of UTC at instant `ms` in this zone: 0 in UTC; in the browser's zone,
    /// what `local` answers for `ms` (the views pass `browser::local_offset_minutes`, so this
    /// module stays pure). `local` is called only for `Zone::Local`.
    pub fn offset_minutes(self, ms: i64, local: impl FnOnce(i64) -> i32) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Local => local(ms),
        }
    }
}

/// "2026-11-28 17:49:28" at the given offset east of UTC, with " UTC" or "+01:00" after it.
pub fn format_datetime(ms: i64, offset_minutes: i32) -> String {
    // Saturating: a time stamp near the integer limit (an expiry far away) cannot wrap.
    let shifted = ms.saturating_add(i64::from(offset_minutes) * 60_000);
    let (y, mo, d) = civil_from_days(shifted.div_euclid(MS_PER_DAY));
    let secs = shifted.rem_euclid(MS_PER_DAY) / 1000;
    let zone = if offset_minutes == 0 {
        " UTC".to_string()
    } else {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let a = offset_minutes.unsigned_abs();
        format!(" {sign}{:02}:{:02}", a / 60, a % 60)
    };
    format!("{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}{zone}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// "just now", "5 min ago", "3 h ago", "2 d ago", or "in 4 min" for the future.
pub fn format_relative(ms: i64, now_ms: i64) -> String {
    let delta = now_ms.saturating_sub(ms);
    let (abs, future) = if delta < 0 { (-delta, true) } else { (delta, false) };
    let s = abs / 1000;
    let text = if s < 45 {
        return "just now".into();
    } else if s < 3600 {
        format!("{} min", (s + 30) / 60)
    } else if s < 86_400 {
        format!("{} h", (s + 1800) / 3600)
    } else {
        format!("{} d", (s + 43_200) / 86_400)
    };
    if future {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// A human duration: "850 ms", "4.2 s", "3 min 07 s", "2 h 05 min", "3 d 4 h".
pub fn format_duration_ms(ms: i64) -> String {
    if ms < 0 {
        return "–".into();
    }
    if ms < 1000 {
        return format!("{ms} ms");
    }
    if ms < 10_000 {
        return format!("{}.{} s", ms / 1000, ms % 1000 / 100);
    }
    let s = ms / 1000;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{} h {:02} min", s / 3600, s / 60 % 60)
    } else {
        format!("{} d {} h", s / 86_400, s / 3600 % 24)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn a_time_at_the_integer_limit_formats_without_wrapping() {
        for offset in [-720, 0, 60, 840] {
            let far = format_datetime(i64::MAX, offset);
            assert!(!far.starts_with('-'), "{far}");
        }
        assert!(!format_datetime(i64::MIN, -60).is_empty());
    }

    #[test]
    fn iso_variants() {
        let base = 1_772_391_600_000; // 2026-03-01T19:00:00Z
        assert_eq!(parse_iso("2026-03-01T19:00:00Z"), Some(base));
        assert_eq!(parse_iso("2026-03-01 19:00:00"), Some(base));
        assert_eq!(parse_iso("2026-03-01T19:00"), Some(base));
        assert_eq!(parse_iso("2026-03-01T19:00:00.123456Z"), Some(base + 123));
        assert_eq!(parse_iso("2026-03-01T19:00:00.5Z"), Some(base + 500));
        assert_eq!(parse_iso("2026-03-01T20:00:00+01:00"), Some(base));
        assert_eq!(parse_iso("2026-03-01T18:30:00-0030"), Some(base));
        assert_eq!(parse_iso("2026-03-01"), Some(base - 19 * 3_600_000));
    }

    #[test]
    fn iso_rejects_garbage_without_panicking() {
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2026-02-30",
            "2026-03-01X19:00",
            "2026-03-01T25:00",
            "2026-03-01T19:00:00+",
            "2026-03-01T19:00:00.Z",
            "2026-03-01T19:00:00Zjunk",
            "２０２６-03-01",
            "2026-03-01T19:00:00+01:0",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_as_seconds_or_milliseconds() {
        assert_eq!(parse_timestamp(&json!(1_772_391_600)), Some(1_772_391_600_000));
        assert_eq!(parse_timestamp(&json!(1_772_391_600_000_i64)), Some(1_772_391_600_000));
        assert_eq!(parse_timestamp(&json!("1772391600000")), Some(1_772_391_600_000));
        assert_eq!(parse_timestamp(&json!(-5)), None);
        assert_eq!(parse_timestamp(&json!(null)), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_datetime(1_772_391_600_000, 0), "2026-03-01 19:00:00 UTC");
        assert_eq!(format_datetime(1_772_391_600_000, 60), "2026-03-01 20:00:00 +01:00");
        assert_eq!(format_datetime(1_772_391_600_000, -330), "2026-03-01 13:30:00 -05:30");
        assert_eq!(format_duration_ms(850), "850 ms");
        assert_eq!(format_duration_ms(4_250), "4.2 s");
        assert_eq!(format_duration_ms(187_000), "3 min 07 s");
        assert_eq!(format_duration_ms(7_500_000), "2 h 05 min");
        assert_eq!(format_relative(0, 10_000), "just now");
        assert_eq!(format_relative(0, 300_000), "5 min ago");
        assert_eq!(format_relative(300_000, 0), "in 5 min");
    }

    #[test]
    fn zone_offsets() {
        // A zone an hour east in winter and two in summer, by the instant asked about.
        let berlin = |ms: i64| if ms < 1_774_746_000_000 { 60 } else { 120 };
        assert_eq!(Zone::Local.offset_minutes(1_772_391_600_000, berlin), 60);
        assert_eq!(Zone::Local.offset_minutes(1_780_000_000_000, berlin), 120);
        assert_eq!(Zone::Utc.offset_minutes(1_780_000_000_000, berlin), 0);
        assert_eq!(Zone::Utc.offset_minutes(5, |_| panic!("UTC never asks the browser")), 0);
        assert_eq!(format_datetime(1_772_391_600_000, Zone::Local.offset_minutes(1_772_391_600_000, berlin)), "2026-03-01 20:00:00 +01:00");
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn format_then_parse_round_trips(ms in 0i64..4_102_444_800_000) {
            let whole = ms - ms % 1000;
            let text = format_datetime(whole, 0).replace(" UTC", "Z").replacen(' ', "T", 1);
            prop_assert_eq!(parse_iso(&text), Some(whole));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse_iso(&s);
        }
    }
}
