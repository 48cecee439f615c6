//! Time ranges in the run table's URL: the start-time presets (`range=24h`), absolute
//! bounds (`from`/`to`, ISO 8601 or Unix ms) and one calendar day (`day=YYYY-MM-DD`).

use crate::time::{civil_from_days, format_datetime, parse_iso};

/// Start-time presets, newest window first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Hour,
    Day,
    Week,
    Month,
    All,
}

impl Preset {
    pub const ALL: [Preset; 5] = [Preset::Hour, Preset::Day, Preset::Week, Preset::Month, Preset::All];

    pub fn key(self) -> &'static str {
        match self {
            Preset::Hour => "1h",
            Preset::Day => "24h",
            Preset::Week => "7d",
            Preset::Month => "30d",
            Preset::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Hour => "Last hour",
            Preset::Day => "Last 24 hours",
            Preset::Week => "Last 7 days",
            Preset::Month => "Last 30 days",
            Preset::All => "Any time",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.key().eq_ignore_ascii_case(s.trim()))
    }

    pub fn millis(self) -> Option<i64> {
        Some(match self {
            Preset::Hour => 3_600_000,
            Preset::Day => 86_400_000,
            Preset::Week => 7 * 86_400_000,
            Preset::Month => 30 * 86_400_000,
            Preset::All => return None,
        })
    }
}

/// Which runs by start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRange {
    /// Relative to now, recomputed at every fetch. The default is the last 7 days, as in
    /// the vendor's dashboard.
    Preset(Preset),
    /// Absolute bounds in Unix ms (either may be open).
    Between { from: Option<i64>, to: Option<i64> },
    /// One calendar day (days since 1970-01-01), in the zone the user views times in.
    Day(i64),
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange::Preset(Preset::Week)
    }
}

/// ISO 8601 (any offset, or UTC without one) or Unix ms.
pub fn parse_instant(s: &str) -> Option<i64> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(ms) if (0..=253_402_300_799_999).contains(&ms) => Some(ms),
        Ok(_) => None,
        Err(_) => parse_iso(t).filter(|ms| *ms >= 0),
    }
}

/// `2026-11-28T17:49:28Z` (seconds only when not zero).
pub fn format_instant(ms: i64) -> String {
    let full = format_datetime(ms - ms.rem_euclid(1000), 0).replace(" UTC", "Z").replacen(' ', "T", 1);
    match full.strip_suffix(":00Z") {
        Some(short) => format!("{short}Z"),
        None => full,
    }
}

pub fn parse_day(s: &str) -> Option<i64> {
    let t = s.trim();
    (t.len() == 10).then_some(())?;
    parse_iso(t).map(|ms| ms.div_euclid(86_400_000))
}

pub fn format_day(d: i64) -> String {
    let (y, m, dd) = civil_from_days(d);
    format!("{y:04}-{m:02}-{dd:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        assert_eq!(format_instant(1_793_491_200_000), "2026-11-01T00:00Z");
        assert_eq!(format_instant(1_793_491_201_000), "2026-11-01T00:00:01Z");
        assert_eq!(parse_instant("2026-11-01T00:00Z"), Some(1_793_491_200_000));
        assert_eq!(parse_instant("-5"), None);
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(format_day(parse_day("2026-02-28").unwrap()), "2026-02-28");
    }
}
