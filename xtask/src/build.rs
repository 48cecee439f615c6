//! `cargo xtask build`: the release app in `dist/`, precompressed, with its sizes.

use crate::setup::Toolchain;
use crate::util::{root, run, step, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first-load budget (issue: benchmarks): everything fetched before the table is usable.
pub const GZIP_BUDGET_BYTES: u64 = 150 * 1024;

pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

pub fn build_app(tc: &Toolchain) -> Result<Sizes> {
    step("trunk build --release --offline");
    let mut c = Command::new("trunk");
    c.current_dir(root()).args(["build", "--release", "--offline"]);
    tc.wasm_env(&mut c);
    run(&mut c)?;
    precompress(&dist_dir())?;
    let sizes = measure(&dist_dir())?;
    sizes.print();
    Ok(sizes)
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
    let files = files(dist)?
        .into_iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            (name, len(&p), len(&with_ext(&p, "gz")), len(&with_ext(&p, "br")))
        })
        .collect();
    Ok(Sizes { files })
}
