//! Running commands, finding tools, reading versions.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the folder above `xtask/`).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// Tools this project installs outside the work tree, so fresh clones reuse them:
/// `$FRC_CACHE_DIR`, else `~/.cache/flow-run-console`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("FRC_CACHE_DIR") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("flow-run-console")
}

/// The cargo target directory in force.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// First line of `cmd --version` (or whatever `args` are), if it runs.
pub fn version_of(cmd: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).stdin(Stdio::null()).output().ok()?;
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    String::from_utf8_lossy(&text).lines().next().map(|l| l.trim().to_string())
}

pub fn step(msg: &str) {
    eprintln!("\x1b[1m==> {msg}\x1b[0m");
}

/// Runs a command to completion, inheriting stdout and stderr.
pub fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.stdin(Stdio::null()).status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed ({status}): {shown}"))
    }
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `apt-get install` of the packages, with sudo when not root.
pub fn apt_install(pkgs: &[&str]) -> Result {
    let sudo = if is_root() { None } else { which("sudo") };
    if !is_root() && sudo.is_none() {
        return Err(format!("need these Debian packages, and neither root nor sudo is available: {}", pkgs.join(" ")));
    }
    let apt = |args: &[&str]| {
        let mut c = match &sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    step(&format!("apt-get install {}", pkgs.join(" ")));
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(pkgs);
    run(&mut install)
}

/// The exact version in `name = "=X"` from the root Cargo.toml.
pub fn pinned_version(krate: &str) -> Result<String> {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("reading Cargo.toml: {e}"))?;
    text.lines()
        .map(str::trim)
        .find_map(|l| {
            let rest = l.strip_prefix(krate)?.trim_start().strip_prefix('=')?.trim();
            rest.strip_prefix("\"=")?.split('"').next().map(str::to_string)
        })
        .ok_or_else(|| format!("Cargo.toml must pin {krate} exactly (\"=X.Y.Z\")"))
}

/// The value of `key = "..."` under `[tools]` in Trunk.toml.
pub fn trunk_tool_version(key: &str) -> Result<String> {
    let text = std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| format!("reading Trunk.toml: {e}"))?;
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim().strip_prefix('"')?.split('"').next().map(str::to_string))
        .ok_or_else(|| format!("Trunk.toml has no [tools] {key}"))
}

/// Test counts gathered from runners' closing lines.
#[derive(Default, Debug)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    /// Reads `test result: ok. 12 passed; 0 failed; ...` (cargo test, wasm-bindgen-test-runner).
    pub fn read_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else { return };
        let count = |word: &str| {
            rest.split(';').find_map(|part| {
                let mut it = part.split_whitespace().rev();
                (it.next() == Some(word)).then(|| it.next().and_then(|n| n.parse::<u64>().ok())).flatten()
            })
        };
        self.passed += count("passed").unwrap_or(0);
        self.failed += count("failed").unwrap_or(0);
    }
}

/// Like `run`, echoing the command's output while counting its test results.
pub fn run_counted(cmd: &mut Command, tally: &mut Tally) -> Result {
    use std::io::{BufRead, BufReader};
    let shown = format!("{cmd:?}");
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(std::result::Result::ok) {
            println!("{line}");
            tally.read_line(&line);
        }
    }
    let status = child.wait().map_err(|e| format!("waiting for {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed ({status}): {shown}"))
    }
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn tally_reads_cargo_and_wasm_runner_lines() {
        let mut t = Tally::default();
        t.read_line("test result: ok. 55 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.12s");
        t.read_line("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out; finished in 0.15s");
        t.read_line("running 4 tests");
        assert_eq!((t.passed, t.failed), (58, 2));
    }
}
