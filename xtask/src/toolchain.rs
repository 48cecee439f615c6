//! Which toolchain builds wasm32 here, chosen by a pure function of what the machine has,
//! and the environment each choice gives the builds.
//!
//! Whatever the path, the shipped wasm is the same: std is compiled from source with the size
//! flags (`-Cpanic=immediate-abort`, no panic locations, std's `optimize_for_size`). rustup
//! gives that source as its `rust-src` component; where rustup cannot download, Debian's
//! `rust-web-src` does (../shared/toolchain.md). Only where neither source can be had does
//! the release fall back to rustup's prebuilt std, with a ceiling measured on that path.

use std::path::PathBuf;
use std::process::Command;

/// How wasm32 gets built on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmToolchain {
    /// rustup's `wasm32-unknown-unknown` target; the release builds std from rustup's
    /// `rust-src` (`RUSTC_BOOTSTRAP=1`, `-Zbuild-std`) with the size flags.
    RustupBuildStd,
    /// Debian's rustc 1.96 with `-Zbuild-std` from `rust-web-src`, linked by `wasm-ld-22`,
    /// for tests and release alike (there is no prebuilt std for wasm32).
    DebianBuildStd,
    /// rustup's target with its prebuilt std: no std source could be had. A larger release.
    RustupPrebuilt,
}

impl WasmToolchain {
    /// The shipped build compiles std from source (and so takes the size flags).
    pub fn builds_std(self) -> bool {
        !matches!(self, WasmToolchain::RustupPrebuilt)
    }

    /// The short name `cargo xtask` prints and `FRC_WASM_TOOLCHAIN` takes.
    pub fn name(self) -> &'static str {
        match self {
            WasmToolchain::RustupBuildStd => "rustup",
            WasmToolchain::DebianBuildStd => "debian",
            WasmToolchain::RustupPrebuilt => "rustup-prebuilt",
        }
    }
}

/// What a probe of the machine found (and what setup has already tried this run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// `FRC_WASM_TOOLCHAIN=debian`: take Debian's path even where rustup works.
    pub forced_debian: bool,
    pub rustup: bool,
    /// rustup's active toolchain has the `wasm32-unknown-unknown` target.
    pub rustup_target: bool,
    /// rustup's active toolchain has the `rust-src` component.
    pub rustup_src: bool,
    /// Debian's rustc 1.96, its std source and `wasm-ld-22` are installed.
    pub debian: bool,
    /// `rustup target add` / `component add` were tried this run (and did not give both).
    pub tried_rustup: bool,
    /// Debian's packages were installed this run (and are still not usable).
    pub tried_apt: bool,
}

/// What to do next: use a toolchain, or install something and probe again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    Use(WasmToolchain, &'static str),
    /// `rustup target add wasm32-unknown-unknown` and `rustup component add rust-src`,
    /// each bounded in time (they hang where nothing can be downloaded).
    RustupAdd,
    /// `apt-get install` of Debian's Rust for wasm32.
    AptDebian,
    Fail(&'static str),
}

/// The one rule: std from source wherever it can be had, rustup first, Debian where rustup
/// cannot download; rustup's prebuilt std only when neither source can be had.
pub fn choose(f: Found) -> Choice {
    use Choice::*;
    use WasmToolchain::*;
    if f.forced_debian {
        return match (f.debian, f.tried_apt) {
            (true, _) => Use(DebianBuildStd, "forced by FRC_WASM_TOOLCHAIN=debian: Debian's rustc-web builds std from rust-web-src"),
            (false, false) => AptDebian,
            (false, true) => Fail("FRC_WASM_TOOLCHAIN=debian, but Debian's rustc-web 1.96, rust-web-src and lld-22 did not install"),
        };
    }
    if f.rustup_target && f.rustup_src {
        return Use(RustupBuildStd, "rustup has the wasm32 target and rust-src: std is built from source with the size flags");
    }
    // Debian's Rust already here (an earlier run found rustup unable to download): use it
    // rather than wait on rustup again, so a second setup does nothing.
    if f.debian {
        return Use(DebianBuildStd, "rustup lacks the wasm32 target or rust-src: Debian's rustc-web builds std from source");
    }
    if f.rustup && !f.tried_rustup {
        return RustupAdd;
    }
    if !f.tried_apt {
        return AptDebian;
    }
    if f.rustup_target {
        return Use(RustupPrebuilt, "no std source to be had (rust-src nor Debian's): rustup's prebuilt std, a larger release");
    }
    Fail("no way to build wasm32: rustup cannot download its target and Debian's rustc-web did not install")
}

/// Everything the builds and tests need to find.
#[derive(Clone, Debug)]
pub struct Toolchain {
    pub wasm: WasmToolchain,
    /// Why this path, in one line (`cargo xtask setup` and `test` print it).
    pub why: &'static str,
    /// Folder with `wasm-opt` (binaryen from npm) to put first on PATH.
    pub binaryen_bin: PathBuf,
    pub chromedriver: PathBuf,
    pub schemathesis: PathBuf,
    /// axe-core's `axe.min.js` (npm), which the end-to-end audit injects (`FRC_AXE`).
    pub axe: PathBuf,
}

impl Toolchain {
    /// The line that says which path was taken and why.
    pub fn summary(&self) -> String {
        format!("wasm32 toolchain: {} ({})", self.wasm.name(), self.why)
    }

    /// For the shipped build only (tests cannot run with it): std compiled from source with
    /// panic messages and locations left out and std's `optimize_for_size`. A panic aborts the
    /// app either way (`panic = "abort"`); measured: 407,490 → 388,036 B gzip for
    /// immediate-abort and no locations, 5.7 KB less for optimize_for_size. This replaces the
    /// config file's rustflags, so erase_components is repeated.
    pub fn release_size_flags(&self, cmd: &mut Command) {
        if !self.wasm.builds_std() {
            return;
        }
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none",
            )
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size");
    }

    /// Environment for every command that builds wasm32 (Trunk, wasm tests).
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

#[cfg(test)]
mod tests {
    use super::Choice::*;
    use super::WasmToolchain::*;
    use super::*;

    fn found(rustup_target: bool, rustup_src: bool, debian: bool) -> Found {
        Found { rustup: true, rustup_target, rustup_src, debian, ..Found::default() }
    }

    #[test]
    fn rustup_with_its_std_source_builds_std_from_source() {
        assert!(matches!(choose(found(true, true, false)), Use(RustupBuildStd, _)));
        // Even where Debian's Rust is installed too.
        assert!(matches!(choose(found(true, true, true)), Use(RustupBuildStd, _)));
        assert!(RustupBuildStd.builds_std());
    }

    #[test]
    fn a_missing_rustup_piece_is_downloaded_once_then_debian_takes_over() {
        for (t, s) in [(false, false), (true, false), (false, true)] {
            assert_eq!(choose(found(t, s, false)), RustupAdd, "{t} {s}");
            let tried = Found { tried_rustup: true, ..found(t, s, false) };
            assert_eq!(choose(tried), AptDebian, "{t} {s}");
            let debian = Found { tried_rustup: true, ..found(t, s, true) };
            assert!(matches!(choose(debian), Use(DebianBuildStd, _)), "{t} {s}");
        }
    }

    #[test]
    fn debian_once_installed_is_used_without_asking_rustup_again() {
        // The second setup on a machine where rustup could not download: no 120 s wait.
        for (t, s) in [(false, false), (true, false), (false, true)] {
            assert!(matches!(choose(found(t, s, true)), Use(DebianBuildStd, _)), "{t} {s}");
        }
    }

    #[test]
    fn the_prebuilt_std_only_when_no_source_can_be_had() {
        let nothing_else = Found { tried_rustup: true, tried_apt: true, ..found(true, false, false) };
        assert!(matches!(choose(nothing_else), Use(RustupPrebuilt, _)));
        assert!(!RustupPrebuilt.builds_std());
        let no_target = Found { tried_rustup: true, tried_apt: true, ..found(false, true, false) };
        assert!(matches!(choose(no_target), Fail(_)));
    }

    #[test]
    fn without_rustup_debian_is_installed() {
        let f = Found { rustup: false, ..Found::default() };
        assert_eq!(choose(f), AptDebian);
        assert!(matches!(choose(Found { debian: true, ..f }), Use(DebianBuildStd, _)));
        assert!(matches!(choose(Found { tried_apt: true, ..f }), Fail(_)));
    }

    #[test]
    fn forcing_debian_ignores_a_working_rustup() {
        let f = Found { forced_debian: true, ..found(true, true, false) };
        assert_eq!(choose(f), AptDebian);
        assert!(matches!(choose(Found { debian: true, ..f }), Use(DebianBuildStd, _)));
        assert!(matches!(choose(Found { tried_apt: true, ..f }), Fail(_)));
    }

    #[test]
    fn every_found_state_ends_in_a_use_or_a_failure_within_three_steps() {
        // Setup probes, acts on the choice, and probes again; an install that gives nothing
        // must not make it loop.
        for bits in 0u8..32 {
            let mut f = Found {
                forced_debian: bits & 1 != 0,
                rustup: bits & 2 != 0,
                rustup_target: bits & 4 != 0,
                rustup_src: bits & 8 != 0,
                debian: bits & 16 != 0,
                ..Found::default()
            };
            let mut steps = 0;
            loop {
                steps += 1;
                assert!(steps <= 3, "{f:?} keeps installing");
                match choose(f) {
                    Use(..) | Fail(_) => break,
                    RustupAdd => f.tried_rustup = true,
                    AptDebian => f.tried_apt = true,
                }
            }
        }
    }
}
