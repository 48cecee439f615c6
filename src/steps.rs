//! Per-step figures of a run, from its flow version's steps and its log entries (pure).

use crate::api::{FlowRunLog, FlowStep, LogLevel};

#[derive(Clone, Debug, PartialEq, Default)]
pub struct StepStats {
    pub id: String,
    pub name: String,
    pub total: u64,
    pub errors: u64,
    pub warnings: u64,
    pub info: u64,
    pub debug: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    /// No entries (yet).
    Idle,
    Ok,
    Warning,
    /// Errors win over warnings.
    Error,
}

impl StepStats {
    pub fn state(&self) -> StepState {
        if self.errors > 0 {
            StepState::Error
        } else if self.warnings > 0 {
            StepState::Warning
        } else if self.total > 0 {
            StepState::Ok
        } else {
            StepState::Idle
        }
    }
}

/// One row per step of the flow version, in order, plus any step the logs name that the
/// version did not list (kept, not dropped).
pub fn aggregate(steps: &[FlowStep], entries: &[FlowRunLog]) -> Vec<StepStats> {
    let mut out: Vec<StepStats> = steps
        .iter()
        .map(|s| StepStats { id: s.id.clone(), name: s.name.clone().unwrap_or_else(|| format!("Step {}", s.id)), ..StepStats::default() })
        .collect();
    for e in entries {
        let Some(step_id) = e.step_id.as_deref() else { continue };
        let i = match out.iter().position(|s| s.id == step_id) {
            Some(i) => i,
            None => {
                out.push(StepStats {
                    id: step_id.to_string(),
                    name: e.step_name.clone().unwrap_or_else(|| format!("Step {step_id}")),
                    ..StepStats::default()
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.total += 1;
        match &e.level {
            Some(l) if l.is_error() => s.errors += 1,
            Some(LogLevel::Warning) => s.warnings += 1,
            Some(LogLevel::Debug) => s.debug += 1,
            _ => s.info += 1,
        }
        if let Some(t) = e.created_at_ms {
            s.first_ms = Some(s.first_ms.map_or(t, |f| f.min(t)));
            s.last_ms = Some(s.last_ms.map_or(t, |l| l.max(t)));
        }
    }
    out
}

/// The waterfall: each step's span as fractions (start, end) of the run's span; steps
/// without times get `None`. A zero-length span is widened so that it stays visible.
pub fn waterfall(stats: &[StepStats], run_start: Option<i64>, run_end: Option<i64>) -> Vec<Option<(f64, f64)>> {
    let firsts = stats.iter().filter_map(|s| s.first_ms);
    let lasts = stats.iter().filter_map(|s| s.last_ms);
    let start = run_start.or_else(|| firsts.clone().min());
    let end = run_end.or_else(|| lasts.clone().max()).map(|e| e.max(lasts.max().unwrap_or(e)));
    let (Some(start), Some(end)) = (start, end) else { return vec![None; stats.len()] };
    let span = (end - start).max(1) as f64;
    stats
        .iter()
        .map(|s| {
            let (f, l) = (s.first_ms?, s.last_ms?);
            let a = ((f - start) as f64 / span).clamp(0.0, 1.0);
            let b = ((l - start) as f64 / span).clamp(0.0, 1.0);
            Some((a, b.max((a + 0.005).min(1.0))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(step: &str, level: LogLevel, t: i64) -> FlowRunLog {
        FlowRunLog { id: t.to_string(), step_id: Some(step.into()), level: Some(level), created_at_ms: Some(t), ..FlowRunLog::default() }
    }

    #[test]
    fn errors_win_over_warnings_and_unknown_steps_are_kept() {
        let steps = vec![FlowStep { id: "1".into(), name: Some("Fetch".into()) }, FlowStep { id: "2".into(), name: None }];
        let entries = vec![
            entry("1", LogLevel::Info, 100),
            entry("1", LogLevel::Warning, 150),
            entry("1", LogLevel::Fatal, 120),
            entry("9", LogLevel::Debug, 300),
        ];
        let s = aggregate(&steps, &entries);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].total, s[0].errors, s[0].warnings, s[0].first_ms, s[0].last_ms), (3, 1, 1, Some(100), Some(150)));
        assert_eq!(s[0].state(), StepState::Error);
        assert_eq!((s[1].name.as_str(), s[1].state()), ("Step 2", StepState::Idle));
        assert_eq!((s[2].id.as_str(), s[2].debug), ("9", 1));
    }

    #[test]
    fn waterfall_spans() {
        let stats = vec![
            StepStats { first_ms: Some(0), last_ms: Some(50), ..StepStats::default() },
            StepStats { first_ms: Some(50), last_ms: Some(50), ..StepStats::default() },
            StepStats::default(),
        ];
        let w = waterfall(&stats, Some(0), Some(100));
        assert_eq!(w[0], Some((0.0, 0.5)));
        assert_eq!(w[1], Some((0.5, 0.505)));
        assert_eq!(w[2], None);
        assert_eq!(waterfall(&stats, None, None)[0], Some((0.0, 1.0)));
        assert_eq!(waterfall(&[StepStats::default()], None, None), vec![None]);
    }
}
