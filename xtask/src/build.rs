//! `cargo xtask build`: the release app in `dist/`, precompressed, with its sizes.

use crate::toolchain::Toolchain;
use crate::util::{root, run, step, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first-load budget (issue: benchmarks): everything fetched before the table is usable.
pub const GZIP_BUDGET_BYTES: u64 = 150 * 1024;
/// A ratchet while the app is over the budget: CI fails when the first load grows past it.
/// Lower it as the size comes down; never raise it without a reason written here.
/// - 400,000: set at 392,475 B gzip plus 2 % (log viewer, sign-in, CSP, sub-path, iframe embeds).
/// - 415,000: script widgets (mount(), scoped styles, the Nav context) added 12 KB (407,377 B).
/// - 396,000 where std is built from source: panic=immediate-abort took 19.5 KB off (388,036 B).
/// - 390,000 where std is built from source: std's optimize_for_size took 5.7 KB off (385,741 B).
///   Since 2026-11-29 both the rustup and the Debian path build std from source.
/// - 2026-11-29, measured on each path at the same commit, because the paths differ (rustup's
///   Rust 1.95 and Debian's 1.96 do not compile std alike: 391,165 B on rustup's path where
///   Debian's gave 385,741 B). This session's lifecycle work (tasks that end with their view,
///   Leptos `Action`s, keyed run rows) and the security fixes added ~30 KB gzip: rustup path
///   421,268 B (424,206 B at the session's end); Debian path 416,979 B; rustup's prebuilt
///   std (no `-Zbuild-std`, no size flags) 455,946 B.
/// - Rustup path 446,500: comparing two runs (#21: `/compare/:a/:b` and its embed route, the
///   page, the run table's selection, "Compare with previous run", `compare` and the first use
///   of `causes::normalise` in the app) took 424,204 → 444,748 B (+20,544 B); its measurement
///   plus ~1.7 KB. The failure grouping (#20) shares `causes::normalise`.
pub fn size_ceiling_bytes(tc: &Toolchain) -> u64 {
    ceiling(tc.wasm)
}

/// Each path's ceiling: its measurement plus about 1 %.
pub fn ceiling(wasm: crate::toolchain::WasmToolchain) -> u64 {
    use crate::toolchain::WasmToolchain::*;
    match wasm {
        // 2026-11-29, session 5: four features, accessibility and the contract's client half,
        // measured on the rustup path as each landed: 424,203 B at the start; #17's client
        // half 430,805 (bounded failure summaries, durations with the inferred unit, tracked
        // data, message parts, the e-mail sign-in, pacing by X-RateLimit-Remaining); #16's
        // early request and review fixes 433,584; #19's log files 456,636 (/logs/file, format
        // sniffing, chunked JSON/CSV/text parsers, the gzip pump through DecompressionStream,
        // drop); #21's comparison 477,196 (/compare/:a/:b and its embed route, the pure
        // comparison, the table's selection); #20's failure grouping 493,077 (the view and its
        // bounded reading, the pure grouping); #18's accessibility 499,653 (the log list as a
        // keyboard listbox, focus into and out of confirmations, live regions, the chart's
        // description, landmark names per widget, CSS for narrow screens and reduced motion,
        // also in the widgets' stylesheet). The Debian and prebuilt paths were not rebuilt
        // this session: their ceilings add the same growth (+75,450 B) to their last
        // measurements (416,979 and 455,946 B), plus about 1 %.
        //
        // 2026-11-29, session 6 (#16, latency), measured on the rustup path: 499,623 B at the
        // start; the run table's rows as plain functions with fewer reactive parts 505,538
        // (+5,915 B: the builder's closures are not shared as `view!`'s are; filter change
        // 39.0 → 29.2 ms in that day's method); the log search's prepared term and memchr
        // 505,528; the filter bar's controls following only their own part of the view
        // (memos) and the request slot letting go of answered requests 508,341. The Debian and
        // prebuilt paths were not rebuilt: their ceilings add the same growth (+8,718 B).
        RustupBuildStd => 509_400,
        DebianBuildStd => 506_200,
        RustupPrebuilt => 545_200,
    }
}

pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

pub fn build_app(tc: &Toolchain) -> Result<Sizes> {
    if tc.wasm == crate::toolchain::WasmToolchain::RustupBuildStd {
        // Trunk runs cargo --offline; std built from rustup's rust-src resolves std's own
        // dependencies, which a fresh machine has not downloaded yet (measured: "no matching
        // package named `moto-rt`"). Fetch them, and the host's, first (instant once cached).
        step("cargo fetch (the app's and std's dependencies)");
        run(Command::new("cargo").current_dir(root()).arg("fetch"))?;
        let mut fetch_std = Command::new("cargo");
        fetch_std.current_dir(root()).args(["fetch", "--target", "wasm32-unknown-unknown"]);
        tc.release_size_flags(&mut fetch_std);
        run(&mut fetch_std)?;
    }
    step("trunk build --release --offline");
    let mut c = Command::new("trunk");
    c.current_dir(root()).args(["build", "--release", "--offline"]);
    tc.wasm_env(&mut c);
    tc.release_size_flags(&mut c);
    run(&mut c)?;
    externalize_start_script(&dist_dir())?;
    precompress(&dist_dir())?;
    let sizes = measure(&dist_dir())?;
    sizes.print();
    Ok(sizes)
}

/// Moves Trunk's inline start-up script into a file of its own, so that the app runs under
/// a Content-Security-Policy without `'unsafe-inline'` (`script-src 'self' 'wasm-unsafe-eval'`).
/// The file's name carries a hash of its content, like Trunk's own assets.
fn externalize_start_script(dist: &Path) -> Result {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("reading {}: {e}", index.display()))?;
    let (html, name, script) = split_start_script(&html)
        .ok_or("dist/index.html has no inline start-up script from Trunk; the strict CSP needs it moved to a file")?;
    let widget =
        widget_loader(&script, &html).ok_or("the start-up script or index.html does not name the app's files; cannot write widget.js")?;
    std::fs::write(dist.join(&name), script).map_err(|e| format!("writing {name}: {e}"))?;
    std::fs::write(&index, html).map_err(|e| format!("writing {}: {e}", index.display()))?;
    std::fs::write(dist.join("widget.js"), widget).map_err(|e| format!("writing widget.js: {e}"))?;
    Ok(())
}

/// `widget.js`, the stable entry host pages load (`import { mount } from '…/widget.js'`): it
/// starts the same wasm without mounting the app, and mounts widgets into `mount(element,
/// options)` calls and into elements with `data-flow-run-console`. Markup may name an API base
/// (and with it a token function) only on the origin `widget.js` comes from, or on an origin
/// the host allows in the script's own URL (`widget.js?allow=https://api.example`): a host that
/// renders its users' HTML with `data-*` kept must not let them send its token elsewhere. The
/// wasm side checks the same (`widget::WidgetOptions::markup_refusal`).
pub fn widget_loader(start_script: &str, index_html: &str) -> Option<String> {
    let between = |text: &str, before: &str, after: &str| -> Option<String> {
        let from = text.find(before)? + before.len();
        let len = text[from..].find(after)?;
        Some(text[from..from + len].to_string())
    };
    let glue = between(start_script, "from './", "'")?;
    let wasm = between(start_script, "module_or_path: './", "'")?;
    let css = between(index_html, "rel=\"stylesheet\" href=\"./", "\"")?;
    Some(format!(
        r#"// Flow Run Console widgets. See the README ("Embedding with a script").
import init, * as app from './{glue}';

globalThis.__frcWidget = true;
const here = new URL('./', import.meta.url);
const ready = init({{ module_or_path: new URL('./{wasm}', import.meta.url) }});

export async function mount(element, options = {{}}) {{
  await ready;
  return app.frcMountWidget(element, {{ appUrl: here.href, cssUrl: new URL('./{css}', import.meta.url).href, ...options }});
}}

function originOf(url) {{
  try {{
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  }} catch {{
    return null;
  }}
}}
// API origins besides its own that widgets written in markup may use: named by the host in
// the URL it loads this file from (`widget.js?allow=https://api.example`), never by markup.
const ALLOW = new URL(import.meta.url).searchParams.getAll('allow').map(originOf).filter(Boolean);
// Global functions markup may name as its token function, listed by the host the same way
// (`widget.js?token=getPatchworksToken`): markup written by a user must not make the widget
// call whatever global it likes. Markup widgets are read-only unless that URL says `writable`.
const TOKEN_FUNCTIONS = new URL(import.meta.url).searchParams.getAll('token');
const WRITABLE = new URL(import.meta.url).searchParams.has('writable');

const FIELDS = ['flowRunConsole', 'view', 'runId', 'pageSize', 'readOnly', 'theme', 'apiBase', 'credentialType', 'tokenFunction'];
function fromData(d) {{
  const filters = {{}};
  for (const [k, v] of Object.entries(d)) if (!FIELDS.includes(k)) filters[k] = v;
  const options = {{ view: d.view, runId: d.runId, theme: d.theme, credentialType: d.credentialType, filters, markup: true, markupAllow: ALLOW }};
  if (d.pageSize) options.pageSize = Number(d.pageSize);
  if (d.readOnly && WRITABLE) options.readOnly = d.readOnly !== 'false';
  if (d.apiBase !== undefined) {{
    const origin = originOf(d.apiBase);
    if (origin !== here.origin && !ALLOW.includes(origin)) {{
      // No base and no token function: the widget shows why instead of asking anyone.
      options.refused = `This widget was not started: its data-api-base points to ${{origin || 'an address that is not a web origin'}}, not to ${{here.origin}} where widget.js comes from. A host page allows another API from its own script (mount(), or widget.js?allow=<origin>).`;
      console.warn('flow-run-console: ' + options.refused);
      return options;
    }}
    options.apiBase = d.apiBase;
  }}
  const fn = d.tokenFunction && TOKEN_FUNCTIONS.includes(d.tokenFunction) && globalThis[d.tokenFunction];
  if (typeof fn === 'function') options.getToken = fn;
  return options;
}}

export const mounted = new Map();
function mountAll() {{
  for (const el of document.querySelectorAll('[data-flow-run-console]')) {{
    if (!mounted.has(el)) mounted.set(el, mount(el, fromData(el.dataset)));
  }}
}}
if (document.readyState === 'loading') addEventListener('DOMContentLoaded', mountAll); else mountAll();
"#
    ))
}

/// `(new html, file name, script)`: the first inline `<script type="module">` replaced by a
/// reference to `start-<hash>.js` (relative, so it resolves against `<base href>`).
pub fn split_start_script(html: &str) -> Option<(String, String, String)> {
    const OPEN: &str = "<script type=\"module\">";
    let start = html.find(OPEN)?;
    let body_start = start + OPEN.len();
    let body_len = html[body_start..].find("</script>")?;
    let script = html[body_start..body_start + body_len].trim().to_string() + "\n";
    // FNV-1a: stable across builds and Rust versions, unlike std's hasher.
    let hash = script.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let name = format!("start-{hash:016x}.js");
    let tag = format!("<script type=\"module\" src=\"{name}\"></script>");
    let html = format!("{}{tag}{}", &html[..start], &html[body_start + body_len + "</script>".len()..]);
    Some((html, name, script))
}

/// `.gz` and `.br` beside each text and wasm file, for servers that serve precompressed files.
fn precompress(dist: &Path) -> Result {
    for f in files(dist)? {
        run(Command::new("gzip").args(["-9", "-k", "-f", "-n"]).arg(&f))?;
        run(Command::new("brotli").args(["-q", "11", "-k", "-f"]).arg(&f))?;
    }
    Ok(())
}

fn files(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("reading {}: {e}", dist.display()))?;
    for e in entries.flatten() {
        let p = e.path();
        let ext = p.extension().and_then(|x| x.to_str()).unwrap_or_default();
        if p.is_file() && matches!(ext, "html" | "js" | "wasm" | "css" | "json") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

pub struct Sizes {
    pub files: Vec<(String, u64, u64, u64)>,
}

impl Sizes {
    pub fn total(&self) -> (u64, u64, u64) {
        self.files.iter().fold((0, 0, 0), |a, f| (a.0 + f.1, a.1 + f.2, a.2 + f.3))
    }

    fn print(&self) {
        eprintln!("{:<44} {:>10} {:>10} {:>10}", "dist file", "raw", "gzip", "brotli");
        for (name, raw, gz, br) in &self.files {
            eprintln!("{name:<44} {raw:>10} {gz:>10} {br:>10}");
        }
        let (raw, gz, br) = self.total();
        eprintln!("{:<44} {raw:>10} {gz:>10} {br:>10}", "total (first load)");
    }
}

fn measure(dist: &Path) -> Result<Sizes> {
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let with_ext = |p: &Path, ext: &str| PathBuf::from(format!("{}.{ext}", p.display()));
    // widget.js is what other pages load for widgets, not part of the app's first load.
    let files = files(dist)?
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "widget.js"))
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            (name, len(&p), len(&with_ext(&p, "gz")), len(&with_ext(&p, "br")))
        })
        .collect();
    Ok(Sizes { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_script_moves_to_a_file() {
        let html = "<head>\n<script type=\"module\">\nimport init from '/app.js';\nawait init();\n</script>\n<link rel=x></head>";
        let (out, name, script) = split_start_script(html).unwrap();
        assert!(name.starts_with("start-") && name.ends_with(".js") && name.len() == "start-.js".len() + 16);
        assert_eq!(script, "import init from '/app.js';\nawait init();\n");
        assert_eq!(out, format!("<head>\n<script type=\"module\" src=\"{name}\"></script>\n<link rel=x></head>"));
        assert!(!out.contains("import init"));
        // The name follows the content.
        let (_, other, _) = split_start_script(&html.replace("app.js", "app2.js")).unwrap();
        assert_ne!(name, other);
        assert!(split_start_script("<script src=x></script>").is_none());
    }

    #[test]
    fn the_widget_loader_names_the_built_files() {
        let script = "import init, * as bindings from './app-1234.js';\nconst wasm = await init({ module_or_path: './app-1234_bg.wasm' });";
        let html = "<link rel=\"stylesheet\" href=\"./main-ab.css\" integrity=\"x\"/>";
        let js = widget_loader(script, html).unwrap();
        assert!(
            js.contains("from './app-1234.js'") && js.contains("new URL('./app-1234_bg.wasm'") && js.contains("new URL('./main-ab.css'"),
            "{js}"
        );
        assert!(widget_loader("nothing", html).is_none());
    }

    #[test]
    fn markup_widgets_keep_to_the_origin_the_loader_comes_from() {
        let script = "import init, * as bindings from './app-1234.js';\nconst wasm = await init({ module_or_path: './app-1234_bg.wasm' });";
        let js = widget_loader(script, "<link rel=\"stylesheet\" href=\"./main-ab.css\"/>").unwrap();
        // The base from markup is checked before a token function is even looked up.
        let check = js.find("origin !== here.origin && !ALLOW.includes(origin)").expect("the origin check");
        let token = js.find("globalThis[d.tokenFunction]").expect("token functions from markup");
        assert!(check < token, "{js}");
        assert!(js.contains("searchParams.getAll('allow')") && js.contains("markup: true"), "{js}");
        assert!(!js.contains("apiBase: d.apiBase"), "the base is not copied before the check: {js}");
        // Only token functions the loader's URL lists; read-only unless it says `writable`.
        assert!(js.contains("TOKEN_FUNCTIONS.includes(d.tokenFunction) && globalThis[d.tokenFunction]"), "{js}");
        assert!(js.contains("if (d.readOnly && WRITABLE)"), "{js}");
    }
}
