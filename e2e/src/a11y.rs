//! The accessibility audit: axe-core (installed by `cargo xtask setup`, its `axe.min.js` named
//! by `FRC_AXE`) injected into the page under test, never shipped with the app; and the
//! keyboard helpers of the keyboard-only tests (keys sent to whatever has focus).

use crate::{Browser, WAIT};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Moderate findings that stay, each with its reason in the README's "Accessibility" section.
/// A moderate finding not listed here fails the audit, as does any serious or critical one.
pub const MODERATE_KEPT: &[&str] = &[];

fn axe_source() -> &'static str {
    static SRC: OnceLock<String> = OnceLock::new();
    SRC.get_or_init(|| {
        let path = std::env::var_os("FRC_AXE")
            .unwrap_or_else(|| panic!("FRC_AXE is not set: run the end-to-end tests through `cargo xtask test`"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading axe-core from {path:?}: {e}"))
    })
}

/// One rule's violations on one view, as a line for a report.
#[derive(Clone, Debug)]
pub struct Finding {
    pub view: String,
    pub rule: String,
    pub impact: String,
    pub line: String,
}

/// axe-core over the page (or over `scope`, CSS selectors of the app's own parts in a host
/// page), with every WCAG 2.x A/AA rule and axe's best practices; one finding per rule.
pub async fn audit(b: &Browser, view: &str, scope: &[&str]) -> Vec<Finding> {
    let injected = b.js("return typeof window.axe === 'object'").await;
    if injected != json!(true) {
        b.client.execute(&format!("{}\nreturn true;", axe_source()), vec![]).await.expect("axe-core loads into the page");
    }
    let context = if scope.is_empty() { json!(null) } else { json!({ "include": scope.iter().map(|s| vec![*s]).collect::<Vec<_>>() }) };
    let script = r#"
        const done = arguments[arguments.length - 1];
        const ctx = arguments[0] || document;
        axe.run(ctx, { resultTypes: ['violations'] })
          .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact || 'unknown', help: v.help,
              nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 300)),
              count: v.nodes.length }))))
          .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [], count: 0 }]));"#;
    let found = b.client.execute_async(script, vec![context]).await.expect("axe.run answers");
    b.assert_no_browser_errors(&format!("auditing {view}")).await;
    found
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|v: Value| {
            let (rule, impact) = (v["id"].as_str().unwrap_or("?").to_string(), v["impact"].as_str().unwrap_or("?").to_string());
            let nodes: Vec<&str> = v["nodes"].as_array().map(|n| n.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let line = format!(
                "[{impact}] {view}: {rule} ({} elements) {}\n      {}",
                v["count"],
                v["help"].as_str().unwrap_or(""),
                nodes.join("\n      ")
            );
            Finding { view: view.to_string(), rule, impact, line }
        })
        .collect()
}

/// The theme attribute the header's toggle sets (on `<html>`), or a widget's own.
pub async fn set_theme(b: &Browser, theme: &str) {
    b.js(&format!(
        "document.documentElement.setAttribute('data-theme', '{theme}');
         document.querySelectorAll('.frc-widget').forEach(w => w.setAttribute('data-theme', '{theme}'));
         return true;"
    ))
    .await;
}

/// `audit` in the light theme, then in the dark one (back to light after).
pub async fn audit_both(b: &Browser, view: &str, scope: &[&str]) -> Vec<Finding> {
    set_theme(b, "light").await;
    let mut out = audit(b, &format!("{view} (light)"), scope).await;
    set_theme(b, "dark").await;
    out.extend(audit(b, &format!("{view} (dark)"), scope).await);
    set_theme(b, "light").await;
    out
}

/// Fails with every serious or critical finding, and every moderate one not kept on purpose;
/// prints the rest (minor ones, kept moderate ones).
pub fn assert_clean(findings: &[Finding]) {
    let failing: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            matches!(f.impact.as_str(), "serious" | "critical" | "unknown")
                || (f.impact == "moderate" && !MODERATE_KEPT.contains(&f.rule.as_str()))
        })
        .collect();
    for f in findings {
        eprintln!("{}", f.line);
    }
    let by = |i: &str| findings.iter().filter(|f| f.impact == i).count();
    eprintln!(
        "axe: {} critical, {} serious, {} moderate, {} minor (rule × view)",
        by("critical"),
        by("serious"),
        by("moderate"),
        by("minor")
    );
    assert!(failing.is_empty(), "accessibility violations:\n{}", failing.iter().map(|f| f.line.as_str()).collect::<Vec<_>>().join("\n"));
}

/// Presses one key (a WebDriver key action: it goes to whatever has focus). `key` is a
/// character or one of WebDriver's key codes (`fantoccini::key::Key`).
pub async fn press(b: &Browser, key: impl Into<char> + Copy) {
    press_with(b, &[], key).await;
}

/// Presses `key` with modifiers held (e.g. Shift).
pub async fn press_with(b: &Browser, modifiers: &[char], key: impl Into<char> + Copy) {
    let mut actions = KeyActions::new("keyboard".into());
    for m in modifiers {
        actions = actions.then(KeyAction::Down { value: *m });
    }
    actions = actions.then(KeyAction::Down { value: key.into() }).then(KeyAction::Up { value: key.into() });
    for m in modifiers.iter().rev() {
        actions = actions.then(KeyAction::Up { value: *m });
    }
    b.client.perform_actions(actions).await.expect("key actions");
    b.client.release_actions().await.expect("release keys");
}

/// Types text into whatever has focus.
pub async fn type_text(b: &Browser, text: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for c in text.chars() {
        actions = actions.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
    }
    b.client.perform_actions(actions).await.expect("typing");
}

/// A short description of the focused element (tag, id, classes, text), for waits.
pub async fn focused(b: &Browser) -> String {
    b.js("const e = document.activeElement; return e ? (e.tagName.toLowerCase() + '#' + e.id + '.' + [...e.classList].join('.') + ' ' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 60)) : ''")
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Tabs forward (at most `limit` times) until the focused element matches `css`; fails
/// naming what got focus. Every stop must show a focus ring (`outline` or `box-shadow`).
pub async fn tab_to(b: &Browser, css: &str, limit: usize) {
    for _ in 0..limit {
        press(b, fantoccini::key::Key::Tab).await;
        let hit = b.js(&format!("return document.activeElement && document.activeElement.matches({:?})", css)).await;
        assert_focus_visible(b).await;
        if hit == json!(true) {
            return;
        }
    }
    panic!("{css} was not reached in {limit} tabs; focus is on {}", focused(b).await);
}

/// Shift+Tab until `css` has focus.
pub async fn tab_back_to(b: &Browser, css: &str, limit: usize) {
    for _ in 0..limit {
        press_with(b, &[fantoccini::key::Key::Shift.into()], fantoccini::key::Key::Tab).await;
        if b.js(&format!("return document.activeElement && document.activeElement.matches({:?})", css)).await == json!(true) {
            return;
        }
    }
    panic!("{css} was not reached in {limit} shift-tabs; focus is on {}", focused(b).await);
}

/// The focused element (if any but `<body>`) shows a visible focus indicator.
pub async fn assert_focus_visible(b: &Browser) {
    let seen = b
        .js("const e = document.activeElement; if (!e || e === document.body) return 'body';
             const s = getComputedStyle(e);
             const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow && s.boxShadow !== 'none');
             return ring ? 'ok' : ('no focus ring on ' + e.outerHTML.slice(0, 120));")
        .await;
    assert!(seen == json!("ok") || seen == json!("body"), "{seen}");
}

/// Waits until the focused element matches `css`.
pub async fn wait_focus(b: &Browser, css: &str) {
    b.wait_until(&format!("focus is on {css}"), WAIT, async || {
        if b.js(&format!("return !!document.activeElement && document.activeElement.matches({:?})", css)).await == json!(true) {
            Ok(())
        } else {
            Err(focused(b).await)
        }
    })
    .await
}
