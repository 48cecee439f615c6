use flow_run_sim::{router, Options, Sim};
use std::net::SocketAddr;

/// Run ids times a million are log ids: keep them within 64 bits.
const MAX_RUNS: u64 = 1_000_000_000;

const USAGE: &str = "flow-run-sim: a simulator of the Patchworks Flow Run Logs API

Usage: flow-run-sim [options]
  --host H          address to listen on (default 127.0.0.1)
  --port P          port (default 8080; 0 picks a free one)
  --runs N          number of runs (default 500)
  --seed S          seed of the generated data (default 1)
  --days D          spread runs over the last D days (default 30)
  --now-ms T        the simulator's \"now\" in Unix ms (default: the clock at start)
  --api-key K       the accepted API key (default demo-key)
  --frozen          keep \"now\" still (by default it advances with the clock)
  --huge-run ID=N   give run ID exactly N log entries (repeatable), e.g. 7=200000
  --live-run ID=MS  keep run ID running at start, ending MS ms later (its log grows until then)
  --failure-causes  failed and partly successful runs end in errors of a few causes with varying
                    ids and numbers (listed with their runs at GET /__sim/failure-causes)
  --csp             serve the strict Content-Security-Policy (violations: GET /__sim/csp-reports)
  --frame-ancestors S  the strict policy's frame-ancestors sources (default 'self'), e.g.
                    \"'self' http://127.0.0.1:9000\" for a host page on another port
  --rate-limit N    requests a minute per user before 429 (default 240, Laravel's fixed window)
  --no-rate-limit   no rate limit (benchmarks, the contract test)
  --shapes S        flat (default: the published flat items) or mixed (every variant the
                    client must read: JSON:API items, string ids, status labels, ms durations...)
  --fault JSON      a fault rule (repeatable), e.g. '{\"kind\":\"status\",\"status\":503,\"rate\":0.1}'
                    kinds: status, latency, rate_limit, malformed, truncated, content_type, drop;
                    optional path_prefix, path_suffix, method, query_contains, rate (0..1), times
  --latency-ms MS   add this latency to every API call
  --dist DIR        a built app to serve beside the API, with SPA fallback
  --mount PATH      serve the built app under PATH (e.g. /tools/runs/; its <base href> must say so)
  --config-json J   serve J as /config.json instead of the built app's
Prints `listening on http://HOST:PORT` once ready.";

fn parse_args() -> Result<(String, u16, Options), String> {
    let mut host = "127.0.0.1".to_string();
    let mut port = 8080u16;
    let mut o = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--frozen" {
            o.frozen = true;
            continue;
        }
        if flag == "--failure-causes" {
            o.failure_causes = true;
            continue;
        }
        if flag == "--csp" {
            o.csp = true;
            continue;
        }
        if flag == "--no-rate-limit" {
            o.rate_limit = None;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = |v: &str| v.parse::<u64>().map_err(|_| format!("{flag}: {v} is not a whole number"));
        match flag.as_str() {
            "--host" => host = value,
            "--port" => port = u16::try_from(num(&value)?).map_err(|_| format!("--port: {value} is too large"))?,
            "--runs" => {
                o.runs = num(&value)?;
                if o.runs > MAX_RUNS {
                    return Err(format!("--runs: at most {MAX_RUNS}"));
                }
            }
            "--rate-limit" => {
                let n = u32::try_from(num(&value)?).map_err(|_| format!("--rate-limit: {value} is too large"))?;
                o.rate_limit = Some(n.max(1));
            }
            "--shapes" => o.shapes = flow_run_sim::shapes::Shapes::parse(&value)?,
            "--frame-ancestors" => {
                if axum::http::HeaderValue::from_str(&flow_run_sim::server::strict_csp(&value)).is_err() || value.contains(';') {
                    return Err("--frame-ancestors takes CSP sources such as 'self' http://127.0.0.1:9000".into());
                }
                o.frame_ancestors = value;
            }
            "--seed" => o.seed = num(&value)?,
            "--days" => o.days = num(&value)?.max(1),
            "--now-ms" => o.now_ms = num(&value)? as i64,
            "--api-key" => o.api_key = value,
            "--dist" => o.dist = Some(value.into()),
            "--config-json" => o.config_json = Some(value),
            "--mount" => {
                if !value.starts_with('/') {
                    return Err("--mount takes a path such as /tools/runs/".into());
                }
                o.mount = value;
            }
            "--huge-run" => {
                let (id, n) = value.split_once('=').ok_or("--huge-run takes ID=COUNT")?;
                let n = num(n)?;
                if n >= flow_run_sim::logs::IDS_PER_RUN {
                    return Err(format!("--huge-run: at most {} entries", flow_run_sim::logs::IDS_PER_RUN - 1));
                }
                o.log_overrides.push((num(id)?, n));
            }
            "--live-run" => {
                let (id, ms) = value.split_once('=').ok_or("--live-run takes ID=MS")?;
                o.live_overrides.push((num(id)?, num(ms)? as i64));
            }
            "--fault" => o.faults.extend(flow_run_sim::faults::parse(&value)?),
            "--latency-ms" => o.faults.extend(flow_run_sim::faults::parse(&format!("{{\"kind\":\"latency\",\"ms\":{}}}", num(&value)?))?),
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    Ok((host, port, o))
}

#[tokio::main]
async fn main() {
    let (host, port, opts) = match parse_args() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let addr: SocketAddr = match format!("{host}:{port}").parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!("--host {host} is not an IP address");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let sim = Sim::new(opts);
    println!("listening on http://{local}");
    println!("api key: {}", sim.opts.api_key);
    println!("runs: {} (seed {})", sim.opts.runs, sim.opts.seed);
    match sim.opts.rate_limit {
        Some(n) => println!("rate limit: {n} requests a minute per user (--no-rate-limit turns it off)"),
        None => println!("rate limit: off"),
    }
    let app = router(sim);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("server error: {e}");
        std::process::exit(1);
    }
}
