//! Project commands: `cargo xtask <setup|build|demo|sim|test>`. See README.md.

mod build;
mod hygiene;
mod setup;
mod test;
mod toolchain;
mod util;

use std::process::Command;
use util::{root, run, step, Result};

const HELP: &str = "cargo xtask <command>

  setup            install what this machine lacks (idempotent)
  build            build the release app into dist/ (precompressed) and print its sizes
  demo [--port P] [--runs N] [--seed S]
                   set up, build, and serve the app with the simulator on 127.0.0.1
  sim [args..]     run the simulator alone (for `trunk serve`); args go to flow-run-sim
  test             every test layer: fmt, clippy, native, browser (wasm) and end-to-end
  bench [--short] [--only table|logs|file|sim]...
                   build the release app, measure size, speed and scale in headless Chromium
                   against the simulator; writes target/bench/report.json and report.md";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup().map(|tc| println!("{}", tc.summary())),
        Some("build") => setup::setup().and_then(|tc| build::build_app(&tc)).map(|_| ()),
        Some("demo") => demo(&args[1..]),
        Some("sim") => sim(&args[1..]),
        Some("test") => test::test_all(),
        Some("bench") => bench(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other}\n\n{HELP}")),
    };
    if let Err(e) = result {
        eprintln!("\x1b[31merror:\x1b[0m {e}");
        std::process::exit(1);
    }
}

/// `cargo xtask bench`: the figures the README quotes (`--short`: one quick pass, for CI).
fn bench(args: &[String]) -> Result {
    let short = args.iter().any(|a| a == "--short");
    // `--only PART` (repeatable) goes through to the benchmark as it is.
    let only: Vec<String> = args.windows(2).filter(|w| w[0] == "--only").flat_map(|w| w.to_vec()).collect();
    let tc = setup::setup()?;
    build::build_app(&tc)?;
    bench_with(&tc, short, &only, &sim_binary(if short { "dev" } else { "native" })?)
}

pub fn bench_with(tc: &toolchain::Toolchain, short: bool, only: &[String], sim: &std::path::Path) -> Result {
    let out = root().join("target").join("bench");
    step(&format!("benchmarks{} → {}", if short { " (short)" } else { "" }, out.display()));
    let mut c = Command::new("cargo");
    c.current_dir(root()).args(["run", "--quiet", "-p", "e2e", "--bin", "bench"]);
    if !short {
        c.args(["--profile", "native"]);
    }
    c.arg("--").arg("--out").arg(&out);
    if short {
        c.arg("--short");
    }
    c.args(only);
    c.env("FRC_SIM_BIN", sim).env("FRC_DIST", build::dist_dir()).env("CHROMEDRIVER", &tc.chromedriver);
    run(&mut c)
}

fn sim_binary(profile: &str) -> Result<std::path::PathBuf> {
    step(&format!("cargo build -p flow-run-sim --profile {profile}"));
    run(Command::new("cargo").current_dir(root()).args(["build", "--quiet", "-p", "flow-run-sim", "--profile", profile]))?;
    let dir = if profile == "dev" { "debug" } else { profile };
    Ok(util::target_dir().join(dir).join("flow-run-sim"))
}

fn demo(args: &[String]) -> Result {
    let mut port = "8080".to_string();
    let mut runs = "2000".to_string();
    let mut seed = "1".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().ok_or_else(|| format!("{a} needs a value"))?.clone();
        match a.as_str() {
            "--port" => port = v,
            "--runs" => runs = v,
            "--seed" => seed = v,
            other => return Err(format!("unknown demo option {other}")),
        }
    }
    let tc = setup::setup()?;
    build::build_app(&tc)?;
    let bin = sim_binary("native")?;
    let key = "demo-key";
    step(&format!(
        "Flow Run Console demo: open http://127.0.0.1:{port}/  and enter the API key \"{key}\" on the Connection page (Ctrl-C stops)"
    ));
    run(Command::new(bin).args(["--port", &port, "--runs", &runs, "--seed", &seed, "--api-key", key, "--dist"]).arg(build::dist_dir()))
}

fn sim(args: &[String]) -> Result {
    let bin = sim_binary("native")?;
    run(Command::new(bin).args(args))
}
