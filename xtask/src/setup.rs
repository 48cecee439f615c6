//! `cargo xtask setup`: installs what a machine lacks to build, serve and test the app.
//! Idempotent: whatever is already there at the right version is skipped, and
//! `cargo xtask test` checks that a second run would install nothing (`pending`).
//!
//! The wasm32 path is chosen by `toolchain::choose` from a probe of the machine: rustup's
//! target and `rust-src` where rustup can download them, Debian's Rust where it cannot (see
//! ../shared/toolchain.md). Nothing lets Trunk download a binary: it always runs `--offline`
//! with the installed tools.

use crate::toolchain::{choose, Choice, Found, Toolchain, WasmToolchain};
use crate::util::{apt_install, cache_dir, pinned_version, run, step, trunk_tool_version, version_of, which, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub const TRUNK_VERSION: &str = "0.21.14";
const DEBIAN_RUST: [&str; 4] = ["rustc-web", "cargo-web", "rust-web-src", "lld-22"];

/// Installs, or (`dry`) only lists what it would install.
struct Installer {
    dry: bool,
    pending: Vec<String>,
}

impl Installer {
    fn act(&mut self, what: &str, f: impl FnOnce() -> Result) -> Result {
        if self.dry {
            self.pending.push(what.to_string());
            Ok(())
        } else {
            f()
        }
    }
}

fn rustup_lists(args: &[&str], wanted: &str) -> bool {
    Command::new("rustup")
        .args(args)
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim().starts_with(wanted)))
}

fn debian_rust_present() -> bool {
    Path::new("/usr/bin/wasm-ld-22").exists()
        && Path::new("/usr/lib/rustlib/src/rust/library/std").exists()
        && version_of(Path::new("/usr/bin/rustc"), &["--version"]).is_some_and(|v| v.starts_with("rustc 1.96"))
}

fn probe() -> Found {
    let rustup = which("rustup").is_some();
    Found {
        forced_debian: std::env::var("FRC_WASM_TOOLCHAIN").as_deref() == Ok("debian"),
        rustup,
        rustup_target: rustup && rustup_lists(&["target", "list", "--installed"], "wasm32-unknown-unknown"),
        rustup_src: rustup && rustup_lists(&["component", "list", "--installed"], "rust-src"),
        debian: debian_rust_present(),
        tried_rustup: false,
        tried_apt: false,
    }
}

/// `rustup <args>` for a bounded time (it hangs where nothing can be downloaded).
fn rustup_bounded(args: &[&str]) -> bool {
    step(&format!("rustup {} (up to 120 s)", args.join(" ")));
    let Ok(mut child) = Command::new("rustup").args(args).spawn() else { return false };
    for _ in 0..240 {
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("rustup could not download; trying the next path");
    false
}

fn wasm_toolchain(inst: &mut Installer) -> Result<(WasmToolchain, &'static str)> {
    let mut found = probe();
    loop {
        match choose(found) {
            Choice::Use(tc, why) => return Ok((tc, why)),
            Choice::Fail(why) => return Err(format!("{why}; see ../shared/toolchain.md")),
            Choice::RustupAdd => {
                inst.act("rustup target add wasm32-unknown-unknown; rustup component add rust-src", || {
                    let _ =
                        rustup_bounded(&["target", "add", "wasm32-unknown-unknown"]) && rustup_bounded(&["component", "add", "rust-src"]);
                    Ok(())
                })?;
                found = Found { tried_rustup: true, ..if inst.dry { found } else { probe() } };
            }
            Choice::AptDebian => {
                inst.act(&format!("apt-get install {}", DEBIAN_RUST.join(" ")), || apt_install(&DEBIAN_RUST))?;
                if inst.dry {
                    // What a real run would find cannot be known without installing.
                    return Ok((WasmToolchain::DebianBuildStd, "(not installed yet)"));
                }
                found = Found { tried_rustup: found.tried_rustup, tried_apt: true, ..probe() };
            }
        }
    }
}

fn cargo_install(krate: &str, version: &str, locked: bool) -> Result {
    step(&format!("cargo install {krate} {version} (a few minutes, once per machine)"));
    let mut c = Command::new("cargo");
    c.args(["install", krate, "--version", version]);
    if locked {
        c.arg("--locked");
    }
    run(&mut c)
}

fn ensure_wasm_bindgen(inst: &mut Installer) -> Result {
    let want = pinned_version("wasm-bindgen")?;
    let have = which("wasm-bindgen").and_then(|p| version_of(&p, &["--version"]));
    let runner = which("wasm-bindgen-test-runner").and_then(|p| version_of(&p, &["--version"]));
    let ok = |v: &Option<String>| v.as_deref().is_some_and(|v| v.split_whitespace().nth(1) == Some(want.as_str()));
    if ok(&have) && ok(&runner) {
        return Ok(());
    }
    // Not --locked: its lock file names a crate version the registry no longer serves.
    inst.act(&format!("cargo install wasm-bindgen-cli {want}"), || cargo_install("wasm-bindgen-cli", &want, false))
}

fn ensure_trunk(inst: &mut Installer) -> Result {
    let have = which("trunk").and_then(|p| version_of(&p, &["--version"]));
    if have.as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    inst.act(&format!("cargo install trunk {TRUNK_VERSION}"), || cargo_install("trunk", TRUNK_VERSION, true))
}

/// binaryen's wasm-opt from npm at the version Trunk.toml names (`version_132` → 132).
fn ensure_binaryen(inst: &mut Installer) -> Result<PathBuf> {
    let wanted = trunk_tool_version("wasm_opt")?;
    let number = wanted.trim_start_matches("version_").to_string();
    let dir = cache_dir().join(format!("binaryen-{number}"));
    let bin = dir.join("node_modules").join(".bin");
    let right = || version_of(&bin.join("wasm-opt"), &["--version"]).is_some_and(|v| v.contains(&format!("version {number}")));
    if right() {
        return Ok(bin);
    }
    inst.act(&format!("npm install binaryen@{number}"), || {
        npm_install(&dir, &format!("binaryen@{number}"))?;
        if right() {
            Ok(())
        } else {
            Err(format!("binaryen@{number} installed but its wasm-opt is not version {number}"))
        }
    })?;
    Ok(bin)
}

/// `npm install <package>` into `dir` (npm itself from Debian's packages where missing).
fn npm_install(dir: &Path, package: &str) -> Result {
    if which("npm").is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    step(&format!("npm install {package}"));
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    run(Command::new("npm").args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"]).arg(dir).arg(package))
}

/// axe-core, the accessibility engine the end-to-end audit (`e2e/tests/a11y.rs`) injects
/// into pages under test; from npm, like binaryen. Never part of the app.
pub const AXE_VERSION: &str = "4.14.1";

fn ensure_axe(inst: &mut Installer) -> Result<PathBuf> {
    let dir = cache_dir().join(format!("axe-core-{AXE_VERSION}"));
    let script = dir.join("node_modules").join("axe-core").join("axe.min.js");
    let right = || {
        std::fs::read_to_string(dir.join("node_modules").join("axe-core").join("package.json"))
            .is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_VERSION}\"")))
            && script.exists()
    };
    if right() {
        return Ok(script);
    }
    inst.act(&format!("npm install axe-core@{AXE_VERSION}"), || {
        npm_install(&dir, &format!("axe-core@{AXE_VERSION}"))?;
        if right() {
            Ok(())
        } else {
            Err(format!("axe-core@{AXE_VERSION} installed but {} is missing or another version", script.display()))
        }
    })?;
    Ok(script)
}

fn ensure_browser(inst: &mut Installer) -> Result<PathBuf> {
    let have = |name: &str| which(name).or_else(|| Some(PathBuf::from(format!("/usr/bin/{name}"))).filter(|p| p.exists()));
    if have("chromium").is_none() || have("chromedriver").is_none() {
        inst.act("apt-get install chromium chromium-driver", || apt_install(&["chromium", "chromium-driver"]))?;
    }
    if which("brotli").is_none() {
        inst.act("apt-get install brotli", || apt_install(&["brotli"]))?;
    }
    if inst.dry {
        return Ok(have("chromedriver").unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver")));
    }
    have("chromedriver").ok_or_else(|| "chromedriver is still missing after installing chromium-driver".into())
}

pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// schemathesis (the contract test) in a virtualenv under the cache folder.
fn ensure_schemathesis(inst: &mut Installer) -> Result<PathBuf> {
    let venv = cache_dir().join("venv");
    let bin = venv.join("bin").join("schemathesis");
    let have = version_of(&bin, &["--version"]);
    if have.as_deref().is_some_and(|v| v.ends_with(SCHEMATHESIS_VERSION)) {
        return Ok(bin);
    }
    inst.act(&format!("pip install schemathesis=={SCHEMATHESIS_VERSION}"), || {
        if which("python3").is_none() {
            apt_install(&["python3", "python3-venv"])?;
        }
        step(&format!("pip install schemathesis=={SCHEMATHESIS_VERSION} (into {})", venv.display()));
        if !venv.join("bin").join("pip").exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        }
        run(Command::new(venv.join("bin").join("pip")).args(["install", "--quiet", &format!("schemathesis=={SCHEMATHESIS_VERSION}")]))
    })?;
    Ok(bin)
}

fn setup_with(inst: &mut Installer) -> Result<Toolchain> {
    let (wasm, why) = wasm_toolchain(inst)?;
    ensure_wasm_bindgen(inst)?;
    ensure_trunk(inst)?;
    let binaryen_bin = ensure_binaryen(inst)?;
    let chromedriver = ensure_browser(inst)?;
    let schemathesis = ensure_schemathesis(inst)?;
    let axe = ensure_axe(inst)?;
    Ok(Toolchain { wasm, why, binaryen_bin, chromedriver, schemathesis, axe })
}

/// Installs what is missing and says, in one line, which toolchain builds wasm32 and why.
pub fn setup() -> Result<Toolchain> {
    step("setup: checking tools");
    let tc = setup_with(&mut Installer { dry: false, pending: Vec::new() })?;
    eprintln!("setup: {}; trunk {TRUNK_VERSION}; wasm-opt from {}", tc.summary(), tc.binaryen_bin.display());
    Ok(tc)
}

/// What a second `setup` would install now (nothing, right after a setup that worked).
pub fn pending() -> Result<Vec<String>> {
    let mut inst = Installer { dry: true, pending: Vec::new() };
    setup_with(&mut inst)?;
    Ok(inst.pending)
}
