//! `cargo xtask test`: every test layer, in the order that fails fastest.

use crate::build::{build_app, dist_dir, size_ceiling_bytes, GZIP_BUDGET_BYTES};
use crate::setup::{pending, setup};
use crate::util::{root, run, run_counted, step, Result, Tally};
use std::process::Command;
use std::time::Instant;

fn cargo(args: &[&str]) -> Command {
    let mut c = Command::new("cargo");
    c.current_dir(root()).args(args);
    c
}

pub fn test_all() -> Result {
    let started = Instant::now();
    let mut timings: Vec<(&str, f64)> = Vec::new();
    let mut lap = {
        let mut last = Instant::now();
        move |name: &'static str, timings: &mut Vec<(&str, f64)>| {
            timings.push((name, last.elapsed().as_secs_f64()));
            last = Instant::now();
        }
    };
    let mut tally = Tally::default();
    let tc = setup()?;
    // The path taken, at the top of what a reader of CI's output sees after the installs.
    println!("{}", tc.summary());
    // Setup is idempotent: run again now, it would install nothing.
    let again = pending()?;
    if !again.is_empty() {
        return Err(format!("setup is not idempotent: a second run would still do: {}", again.join("; ")));
    }
    lap("setup", &mut timings);

    step("test hygiene: every function in a proptest! block has #[test]");
    crate::hygiene::check_proptest_tests(&root())?;

    step("cargo fmt --check");
    run(&mut cargo(&["fmt", "--all", "--check"]))?;
    step("cargo clippy (native, every crate and target, warnings are errors)");
    run(&mut cargo(&["clippy", "--quiet", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    lap("fmt + clippy", &mut timings);

    step("layer 1: native unit and property tests");
    let mut native = Tally::default();
    run_counted(&mut cargo(&["test", "--workspace", "--exclude", "e2e"]), &mut native)?;
    crate::hygiene::check_native_floor(native.passed)?;
    (tally.passed, tally.failed) = (tally.passed + native.passed, tally.failed + native.failed);
    lap("native tests", &mut timings);

    step("layer 2: components in headless Chromium (wasm-bindgen-test)");
    let mut wasm = cargo(&["test", "--target", "wasm32-unknown-unknown", "-p", "flow-run-console", "--test", "components"]);
    tc.wasm_env(&mut wasm);
    wasm.env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    run_counted(&mut wasm, &mut tally)?;
    lap("browser tests", &mut timings);

    step("building the release app and the simulator for end-to-end tests");
    let sizes = build_app(&tc)?;
    let (_, gz, _) = sizes.total();
    let ceiling = size_ceiling_bytes(&tc);
    if gz > ceiling {
        return Err(format!(
            "the first load grew to {gz} bytes gzip, over the ceiling of {ceiling} (budget: {GZIP_BUDGET_BYTES}); cut it before adding more"
        ));
    }
    if gz > GZIP_BUDGET_BYTES {
        eprintln!("note: first load is {gz} bytes gzip: under the ceiling of {ceiling}, over the {GZIP_BUDGET_BYTES}-byte budget");
    }
    run(&mut cargo(&["build", "--quiet", "-p", "flow-run-sim"]))?;
    lap("release build", &mut timings);

    step("contract: schemathesis against the simulator with spec/openapi.yaml");
    contract(&tc.schemathesis)?;
    lap("contract test", &mut timings);

    step("layer 3: end-to-end in Chromium through WebDriver, against the simulator");
    let sim = crate::util::target_dir().join("debug").join("flow-run-sim");
    let mut e2e = cargo(&["test", "-p", "e2e", "--", "--test-threads=2"]);
    e2e.env("FRC_SIM_BIN", &sim).env("FRC_DIST", dist_dir()).env("CHROMEDRIVER", &tc.chromedriver).env("FRC_AXE", &tc.axe);
    run_counted(&mut e2e, &mut tally)?;
    lap("end-to-end tests", &mut timings);

    // The benchmark, once and small: it must keep working; its timings are not asserted.
    crate::bench_with(&tc, true, &[], &sim)?;
    lap("benchmarks (short)", &mut timings);

    eprintln!();
    for (name, secs) in &timings {
        eprintln!("{name:<20} {secs:>8.1} s");
    }
    eprintln!("{:<20} {:>8.1} s", "all layers", started.elapsed().as_secs_f64());
    // The closing line: every test counted above, plus the contract test as one.
    println!("tests: {} passed, {} failed", tally.passed + 1, tally.failed);
    Ok(())
}

/// Runs the simulator on a free loopback port and schemathesis against it.
fn contract(schemathesis: &std::path::Path) -> Result {
    let sim = crate::util::target_dir().join("debug").join("flow-run-sim");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))?;
    let mut child = Command::new(sim)
        // No rate limit: schemathesis sends far more than 240 requests a minute.
        .args(["--port", &port.to_string(), "--runs", "300", "--seed", "3", "--no-rate-limit"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the simulator: {e}"))?;
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err("the simulator did not listen".into());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let result = run(Command::new(schemathesis)
        .current_dir(root())
        .args(["run", "spec/openapi.yaml", "--url", &format!("http://127.0.0.1:{port}"), "-H", "Authorization: demo-key"])
        .args(["--checks", "all", "--mode", "positive", "--max-examples", "50", "--seed", "20261128", "--no-color"]));
    let _ = child.kill();
    let _ = child.wait();
    result
}
