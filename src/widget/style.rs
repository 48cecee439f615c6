//! The widgets' stylesheet: the app's own, every rule scoped under the widget's class, with a
//! reset first, so that its styles do not leak into the host and the host's do not reach in.

/// The app's stylesheet for widgets: every rule under `scope`, `:root`/`html`/`body` as the
/// scope itself, and a reset first, so the host's element styles do not reach in.
pub fn scope_css(css: &str, scope: &str) -> String {
    let css = strip_comments(css);
    let mut out = format!(
        "{scope}{{all:initial;display:block;font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;}}\
         {scope} :where(*:not(svg,svg *)){{all:revert;box-sizing:border-box;}}\n"
    );
    scope_block(&css, scope, &mut out);
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn scope_block(css: &str, scope: &str, out: &mut String) {
    let mut rest = css;
    loop {
        rest = rest.trim_start();
        let Some(open) = rest.find('{') else { break };
        let prelude = rest[..open].trim();
        let bytes = rest.as_bytes();
        let (mut depth, mut i) = (1usize, open + 1);
        while i < bytes.len() && depth > 0 {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        let body = &rest[open + 1..i.saturating_sub(1).max(open + 1)];
        if prelude.starts_with("@media") || prelude.starts_with("@supports") {
            out.push_str(prelude);
            out.push('{');
            scope_block(body, scope, out);
            out.push_str("}\n");
        } else if prelude.starts_with('@') {
            out.push_str(&format!("{prelude}{{{body}}}\n"));
        } else {
            let selectors: Vec<String> = prelude.split(',').map(|s| scope_selector(s.trim(), scope)).collect();
            out.push_str(&format!("{}{{{body}}}\n", selectors.join(",")));
        }
        rest = &rest[i..];
    }
}

fn scope_selector(sel: &str, scope: &str) -> String {
    for root in [":root", "html", "body"] {
        if let Some(r) = sel.strip_prefix(root) {
            if r.is_empty() || r.starts_with([':', '[', '.']) {
                return format!("{scope}{r}");
            }
            if r.starts_with(' ') || r.starts_with('>') {
                return format!("{scope}{r}");
            }
        }
    }
    format!("{scope} {sel}")
}

/// The theme of a host whose text, where the widget sits, has the computed colour `color`:
/// light text is written on a dark page. `None` for anything but `rgb()`/`rgba()` (the
/// system's light or dark then decides), and for text so transparent it says nothing.
pub fn theme_for_text_color(color: &str) -> Option<&'static str> {
    let c = color.trim();
    let inner = c.strip_prefix("rgba(").or_else(|| c.strip_prefix("rgb("))?.strip_suffix(')')?;
    let parts: Vec<f64> = inner.split([',', ' ', '/']).filter(|p| !p.is_empty()).map(|p| p.parse::<f64>().ok()).collect::<Option<_>>()?;
    let (r, g, b) = match parts[..] {
        [r, g, b] => (r, g, b),
        [r, g, b, a] if a >= 0.5 => (r, g, b),
        _ => return None,
    };
    // Perceived brightness (ITU-R BT.601 weights), 0 to 255.
    let brightness = 0.299 * r + 0.587 * g + 0.114 * b;
    Some(if brightness > 127.5 { "dark" } else { "light" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_text_colour_to_theme() {
        assert_eq!(theme_for_text_color("rgb(0, 0, 0)"), Some("light"));
        assert_eq!(theme_for_text_color("rgb(230, 230, 230)"), Some("dark"));
        assert_eq!(theme_for_text_color("rgba(255, 255, 255, 0.87)"), Some("dark"));
        assert_eq!(theme_for_text_color("rgb(20 20 20 / 0.9)"), Some("light"));
        assert_eq!(theme_for_text_color("rgba(255, 255, 255, 0.1)"), None, "too faint to tell");
        assert_eq!(theme_for_text_color("oklch(0.9 0 0)"), None);
        assert_eq!(theme_for_text_color("rgb(a, b, c)"), None);
    }

    #[test]
    fn styles_are_scoped() {
        let css = "/* c */ :root { --a: 1; }\n:root[data-theme=\"dark\"] { --a: 2; }\nbody { margin: 0 }\n\
                   .x, table td { color: red }\n@media (prefers-color-scheme: dark) { :root:not([data-theme]) { --a: 3 } }\n\
                   @keyframes pulse { 50% { opacity: .5 } }";
        let out = scope_css(css, ".w");
        assert!(out.contains(".w{ --a: 1; }"), "{out}");
        assert!(out.contains(".w[data-theme=\"dark\"]{"), "{out}");
        assert!(out.contains(".w{ margin: 0 }"), "{out}");
        assert!(out.contains(".w .x,.w table td{ color: red }"), "{out}");
        assert!(out.contains("@media (prefers-color-scheme: dark){.w:not([data-theme]){"), "{out}");
        assert!(out.contains("@keyframes pulse{ 50% { opacity: .5 } }"), "{out}");
        assert!(!out.contains("/* c */"));
        // Every rule outside at-rules starts with the scope.
        for line in out.lines().filter(|l| !l.starts_with('@') && !l.trim().is_empty() && l.trim() != "}") {
            assert!(line.starts_with(".w"), "{line}");
        }
    }
}
