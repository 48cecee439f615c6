//! `cargo xtask setup`: installs what a machine lacks to build, serve and test the app.
//! Idempotent: whatever is already there at the right version is skipped.
//!
//! Where rustup has the wasm32 target, the ordinary toolchain is used. Where it does not and
//! cannot download it (these machines), Debian's Rust with its standard library source
//! builds std for wasm32 instead (see ../shared/toolchain.md). Nothing lets Trunk or
//! rustup download a binary: Trunk always runs `--offline` with the installed tools.

use crate::util::{apt_install, cache_dir, pinned_version, run, step, trunk_tool_version, version_of, which, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub const TRUNK_VERSION: &str = "0.21.14";
const DEBIAN_RUST: [&str; 4] = ["rustc-web", "cargo-web", "rust-web-src", "lld-22"];

/// How wasm32 gets built on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WasmToolchain {
    /// rustup's `wasm32-unknown-unknown` target.
    Rustup,
    /// Debian's rustc 1.96 with `-Zbuild-std` from `rust-web-src`, linked by `wasm-ld-22`.
    DebianBuildStd,
}

/// Everything the builds and tests need to find.
#[derive(Clone, Debug)]
pub struct Toolchain {
    pub wasm: WasmToolchain,
    /// Folder with `wasm-opt` (binaryen from npm) to put first on PATH.
    pub binaryen_bin: PathBuf,
    pub chromedriver: PathBuf,
    pub schemathesis: PathBuf,
}

impl Toolchain {
    /// Environment for commands that build wasm32 (Trunk, wasm tests).
    /// For the shipped build only (not tests, which cannot run with it): where std is built
    /// from source anyway, leave out panic messages and locations. A panic aborts the app
    /// either way (`panic = "abort"`); the first load is 19.5 KB gzip smaller (407,490 →
    /// 388,036 B). This replaces the config file's rustflags, so erase_components is repeated.
    /// And std's own `optimize_for_size` (smaller sorts and string code): 5.7 KB gzip less.
    pub fn release_size_flags(&self, cmd: &mut Command) {
        if self.wasm == WasmToolchain::DebianBuildStd {
            cmd.env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
            )
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size");
        }
    }

    pub fn wasm_env(&self, cmd: &mut Command) {
        let mut paths = vec![self.binaryen_bin.clone()];
        if self.wasm == WasmToolchain::DebianBuildStd {
            paths.push(PathBuf::from("/usr/bin"));
            cmd.env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
                .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "wasm-ld-22")
                // rustup's proxies must not be asked for a toolchain they cannot fetch.
                .env_remove("RUSTUP_TOOLCHAIN")
                .env_remove("RUSTC")
                .env_remove("RUSTDOC");
        }
        if let Some(old) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&old));
        }
        if let Ok(joined) = std::env::join_paths(paths) {
            cmd.env("PATH", joined);
        }
        cmd.env("CHROMEDRIVER", &self.chromedriver);
    }
}

fn rustup_has_wasm32() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown"))
}

fn debian_rust_present() -> bool {
    Path::new("/usr/bin/wasm-ld-22").exists()
        && Path::new("/usr/lib/rustlib/src/rust/library/std").exists()
        && version_of(Path::new("/usr/bin/rustc"), &["--version"]).is_some_and(|v| v.starts_with("rustc 1.96"))
}

/// Tries `rustup target add` for a bounded time (it hangs where nothing can be downloaded).
fn try_rustup_target_add() -> bool {
    if which("rustup").is_none() {
        return false;
    }
    step("rustup target add wasm32-unknown-unknown (up to 90 s)");
    let Ok(mut child) = Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]).spawn() else { return false };
    for _ in 0..90 {
        std::thread::sleep(Duration::from_secs(1));
        if let Ok(Some(status)) = child.try_wait() {
            return status.success();
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    eprintln!("rustup could not download the target; using Debian's Rust instead");
    false
}

fn wasm_toolchain() -> Result<WasmToolchain> {
    if std::env::var("FRC_WASM_TOOLCHAIN").as_deref() == Ok("debian") {
        // Forced, for checking the fallback on a machine that has both.
    } else if rustup_has_wasm32() {
        return Ok(WasmToolchain::Rustup);
    }
    if debian_rust_present() {
        return Ok(WasmToolchain::DebianBuildStd);
    }
    if std::env::var("FRC_WASM_TOOLCHAIN").as_deref() != Ok("debian") && try_rustup_target_add() {
        return Ok(WasmToolchain::Rustup);
    }
    apt_install(&DEBIAN_RUST)?;
    if debian_rust_present() {
        Ok(WasmToolchain::DebianBuildStd)
    } else {
        Err("Debian's rustc-web was installed but is not rustc 1.96 with its source; see ../shared/toolchain.md".into())
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

fn ensure_wasm_bindgen() -> Result {
    let want = pinned_version("wasm-bindgen")?;
    let have = which("wasm-bindgen").and_then(|p| version_of(&p, &["--version"]));
    let runner = which("wasm-bindgen-test-runner").and_then(|p| version_of(&p, &["--version"]));
    let ok = |v: &Option<String>| v.as_deref().is_some_and(|v| v.split_whitespace().nth(1) == Some(want.as_str()));
    if ok(&have) && ok(&runner) {
        return Ok(());
    }
    // Not --locked: its lock file names a crate version the registry no longer serves.
    cargo_install("wasm-bindgen-cli", &want, false)
}

fn ensure_trunk() -> Result {
    let have = which("trunk").and_then(|p| version_of(&p, &["--version"]));
    if have.as_deref() == Some(&format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    cargo_install("trunk", TRUNK_VERSION, true)
}

/// binaryen's wasm-opt from npm at the version Trunk.toml names (`version_132` → 132).
fn ensure_binaryen() -> Result<PathBuf> {
    let wanted = trunk_tool_version("wasm_opt")?;
    let number = wanted.trim_start_matches("version_").to_string();
    let dir = cache_dir().join(format!("binaryen-{number}"));
    let bin = dir.join("node_modules").join(".bin");
    let have = version_of(&bin.join("wasm-opt"), &["--version"]);
    if have.as_deref().is_some_and(|v| v.contains(&format!("version {number}"))) {
        return Ok(bin);
    }
    if which("npm").is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    step(&format!("npm install binaryen@{number}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(&dir)
        .arg(format!("binaryen@{number}")))?;
    match version_of(&bin.join("wasm-opt"), &["--version"]) {
        Some(v) if v.contains(&format!("version {number}")) => Ok(bin),
        other => Err(format!("binaryen@{number} installed but wasm-opt reports {other:?}")),
    }
}

fn ensure_browser() -> Result<PathBuf> {
    let have = |name: &str| which(name).or_else(|| Some(PathBuf::from(format!("/usr/bin/{name}"))).filter(|p| p.exists()));
    if have("chromium").is_none() || have("chromedriver").is_none() {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    if which("brotli").is_none() {
        apt_install(&["brotli"])?;
    }
    have("chromedriver").ok_or_else(|| "chromedriver is still missing after installing chromium-driver".into())
}

pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// schemathesis (the contract test) in a virtualenv under the cache folder.
fn ensure_schemathesis() -> Result<PathBuf> {
    let venv = cache_dir().join("venv");
    let bin = venv.join("bin").join("schemathesis");
    let have = version_of(&bin, &["--version"]);
    if have.as_deref().is_some_and(|v| v.ends_with(SCHEMATHESIS_VERSION)) {
        return Ok(bin);
    }
    if which("python3").is_none() {
        apt_install(&["python3", "python3-venv"])?;
    }
    step(&format!("pip install schemathesis=={SCHEMATHESIS_VERSION} (into {})", venv.display()));
    if !venv.join("bin").join("pip").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(venv.join("bin").join("pip")).args(["install", "--quiet", &format!("schemathesis=={SCHEMATHESIS_VERSION}")]))?;
    Ok(bin)
}

/// Installs what is missing and says which toolchain builds wasm32.
pub fn setup() -> Result<Toolchain> {
    step("setup: checking tools");
    let wasm = wasm_toolchain()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()?;
    let binaryen_bin = ensure_binaryen()?;
    let chromedriver = ensure_browser()?;
    let schemathesis = ensure_schemathesis()?;
    eprintln!("setup: wasm32 via {wasm:?}; trunk {TRUNK_VERSION}; wasm-opt from {}", binaryen_bin.display());
    Ok(Toolchain { wasm, binaryen_bin, chromedriver, schemathesis })
}
