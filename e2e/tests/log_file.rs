//! Log files opened in the browser (`/logs/file`): every format, plain and gzipped, through
//! the file chooser and by drag and drop, a 200,000-entry gzip file, bad files; under the
//! strict CSP. The test makes the files itself (gzip with the `gzip` command).

use e2e::{Browser, Sim, WAIT};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

const LONG: Duration = Duration::from_secs(180);

fn level(i: u32) -> &'static str {
    match i % 10 {
        0 => "ERROR",
        1 => "WARNING",
        _ => "INFO",
    }
}

fn message(i: u32) -> String {
    if i == 123 {
        "message 123 holds the needle".into()
    } else {
        format!("message {i}: fetched {} records from the source", i * 7)
    }
}

/// Entry `i` as the API (and the `.jsonl` export) writes it.
pub fn entry(i: u32) -> Value {
    json!({"id": i, "flow_run_id": 9, "flow_step_id": i % 3 + 1, "flow_step": {"id": i % 3 + 1, "name": format!("Step {}", i % 3 + 1)},
        "log_level": level(i), "log_message": message(i), "created_at": format!("2026-10-30T06:{:02}:{:02}.000Z", i / 60 % 60, i % 60), "meta": {"i": i}})
}

/// The files of every format, with `n` entries each: (name, contents, format label).
fn files(n: u32) -> Vec<(&'static str, String, &'static str)> {
    let jsonl: String = (1..=n).map(|i| format!("{}\n", entry(i))).collect::<String>() + "a line that is no entry\n";
    let array = Value::Array((1..=n).map(entry).collect()).to_string();
    let page = serde_json::to_string_pretty(&json!({"data": (1..=n).map(entry).collect::<Vec<_>>(), "meta": {"total": n}})).unwrap();
    let txt: String = (1..=n)
        .map(|i| format!("2026-10-30T06:00:00.000Z {:<8} [Step {}] #{i} {}\n    continued\n", level(i), i % 3 + 1, message(i)))
        .collect();
    let csv: String = "id,level,message,step,step_name,created_at\n".to_string()
        + &(1..=n)
            .map(|i| format!("{i},{},\"{}, quoted\",{},Step {},2026-10-30T06:00:00Z\n", level(i), message(i), i % 3 + 1, i % 3 + 1))
            .collect::<String>();
    vec![
        ("log.jsonl", jsonl, "JSON Lines"),
        ("log.json", array, "JSON"),
        ("page.json", page, "JSON"),
        ("log.txt", txt, "text"),
        ("log.csv", csv, "CSV"),
    ]
}

fn dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("frc-log-file-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a temporary directory");
    d
}

/// `path` gzipped beside it (`path.gz`), by the `gzip` command.
fn gzip(path: &Path) -> PathBuf {
    let ok = std::process::Command::new("gzip").args(["-k", "-f", "-6"]).arg(path).status().expect("gzip runs").success();
    assert!(ok, "gzip {path:?}");
    PathBuf::from(format!("{}.gz", path.display()))
}

async fn choose(b: &Browser, path: &Path) {
    let input = b.wait_for("#log-file-input").await;
    input.send_keys(&path.display().to_string()).await.expect("a file path into the file chooser");
}

/// Drops a file made in the page from `bytes` on `target` (a synthetic drop with a `DataTransfer`).
async fn drop_file(b: &Browser, target: &str, name: &str, bytes: &[u8]) {
    b.client
        .execute(
            "const [target, name, bytes] = arguments; const dt = new DataTransfer();
             dt.items.add(new File([new Uint8Array(bytes)], name));
             const el = document.querySelector(target);
             el.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
             el.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
            vec![json!(target), json!(name), json!(bytes)],
        )
        .await
        .expect("drop a file");
}

async fn chip(b: &Browser, level: &str) -> String {
    b.wait_for(&format!(".level-chip.lvl-{level}")).await.text().await.unwrap_or_default()
}

async fn csp_reports(sim: &Sim) -> Vec<Value> {
    let v: Value = serde_json::from_str(&sim.get("/__sim/csp-reports").await).expect("reports are JSON");
    v["reports"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn every_format_opens_through_the_file_chooser_and_by_drag_and_drop() {
    let sim = Sim::start(&["--runs", "20", "--seed", "4", "--frozen", "--csp"]).await;
    let d = dir("formats");
    let b = Browser::start().await;
    b.goto(&sim.url("/logs/file")).await;
    b.wait_for_text(".log-view", "No file open").await;
    for (name, text, label) in files(300) {
        let path = d.join(name);
        std::fs::write(&path, &text).unwrap();
        let entries = if name == "log.jsonl" { "301" } else { "300" };
        for (path, kind) in [(path.clone(), format!("{label})")), (gzip(&path), format!("{label}, gzip)"))] {
            choose(&b, &path).await;
            b.wait_for_text("h1", path.file_name().unwrap().to_str().unwrap()).await;
            b.wait_for_text("#file-done", &format!("{entries} entries read ({kind}")).await;
            assert!(chip(&b, "error").await.ends_with(" 30"), "{name}: {}", chip(&b, "error").await);
            assert!(chip(&b, "warning").await.ends_with(" 30"), "{name}");
        }
        // The same file, dropped on the list.
        let gz = std::fs::read(gzip(&path)).unwrap();
        drop_file(&b, ".log-view", &format!("dropped-{name}.gz"), &gz).await;
        b.wait_for_text("h1", &format!("dropped-{name}.gz")).await;
        b.wait_for_text("#file-done", &format!("{entries} entries read ({label}, gzip)")).await;
        assert!(chip(&b, "info").await.ends_with(" 240"), "{name}");
    }

    // Everything the viewer does, on the JSON Lines file: search with n of m, the entry with its JSON, no permalink.
    choose(&b, &d.join("log.jsonl")).await;
    b.wait_for_text("#file-done", "301 entries read (JSON Lines)").await;
    assert!(b.text("#file-notes").await.contains("1 lines were not log entries"));
    let search = b.wait_for("#log-search").await;
    search.send_keys("needle").await.unwrap();
    b.wait_for_text(".match-count", "match 1 of 1").await;
    b.wait_for_path("q=needle").await;
    b.wait_for(".log-row.match").await.click().await.unwrap();
    b.wait_for_text(".log-detail h2", "Entry #123").await;
    b.wait_for(".log-detail .json-tree").await;
    assert!(b.text(".log-detail").await.contains("Step 1 (id 1)"));
    assert!(b.text(".log-detail .no-permalink").await.contains("local file"));
    assert_eq!(b.count(".log-detail .copy-permalink").await, 0);
    // Levels and step filter the file's entries; the time shows as an offset.
    b.client
        .execute("const s = document.getElementById('log-step'); s.value = '2'; s.dispatchEvent(new Event('change'));", vec![])
        .await
        .unwrap();
    b.wait_for_path("step=2").await;
    b.wait_until("only step 2's rows are shown", WAIT, async || {
        let steps: Vec<String> =
            serde_json::from_value(b.js("return [...document.querySelectorAll('.log-row .log-step')].map(e => e.textContent)").await)
                .unwrap();
        (!steps.is_empty() && steps.iter().all(|s| s == "Step 2")).then_some(()).ok_or(format!("{steps:?}"))
    })
    .await;
    b.client
        .execute("const s = document.getElementById('log-time'); s.value = 'run'; s.dispatchEvent(new Event('change'));", vec![])
        .await
        .unwrap();
    b.wait_for_text(".log-row .log-time", "+0:").await;
    b.wait_for("#export-jsonl").await.click().await.unwrap();

    // Dropped on a run's log view, a file opens on the file page.
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/3/logs")).await;
    b.wait_for(".log-row").await;
    assert!(b.wait_for("#open-file").await.attr("href").await.unwrap().unwrap_or_default().ends_with("/logs/file"));
    drop_file(&b, ".log-view", "from-run.txt", files(300)[3].1.as_bytes()).await;
    b.wait_for_path("/logs/file").await;
    b.wait_for_text("#file-done", "300 entries read (text)").await;
    assert!(csp_reports(&sim).await.is_empty(), "no CSP violation: {:?}", csp_reports(&sim).await);
    b.close().await;
    let _ = std::fs::remove_dir_all(d);
}

#[tokio::test]
async fn a_200000_entry_gzip_file_streams_in_with_progress_and_leaving_aborts_it() {
    let sim = Sim::start(&["--runs", "20", "--seed", "4", "--frozen", "--csp"]).await;
    let d = dir("big");
    let path = d.join("big.jsonl");
    let text: String = (1..=200_000).map(|i| format!("{}\n", entry(i))).collect();
    assert!(text.len() > 35_000_000, "about 40 MB: {}", text.len());
    std::fs::write(&path, text).unwrap();
    let gz = gzip(&path);
    let b = Browser::start().await;
    b.goto(&sim.url("/logs/file")).await;
    choose(&b, &gz).await;
    b.wait_for("#file-progress").await;
    b.wait_until("all 200,000 entries are read", LONG, async || {
        b.text("#file-done").await.contains("200,000 entries read (JSON Lines, gzip)")
    })
    .await;
    assert!(chip(&b, "error").await.ends_with(" 20,000"));
    assert!(b.count(".log-row").await < 200, "the list stays virtual");
    let search = b.wait_for("#log-search").await;
    search.send_keys("message 199999:").await.unwrap();
    b.wait_for_text(".match-count", "match 1 of 1").await;

    // Leaving while the file is read aborts the reading, with no error in the page.
    choose(&b, &gz).await;
    b.wait_for("#file-progress").await;
    b.wait_for(".crumbs a").await.click().await.unwrap();
    b.wait_for_path("/runs").await;
    b.wait_for(".page").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(d);
}

#[tokio::test]
async fn bad_files_say_what_is_wrong_and_show_what_could_be_read() {
    let sim = Sim::start(&["--runs", "20", "--seed", "4", "--frozen", "--csp"]).await;
    let d = dir("bad");
    let b = Browser::start().await;
    b.goto(&sim.url("/logs/file")).await;

    let binary = d.join("image.png");
    std::fs::write(&binary, (0..5000u32).map(|i| (i * 7 % 256) as u8).collect::<Vec<_>>()).unwrap();
    choose(&b, &binary).await;
    b.wait_for_text("#file-error", "not text").await;

    // A truncated gzip file (cut in half): every entry before the cut is shown.
    let jsonl = d.join("cut.jsonl");
    std::fs::write(&jsonl, (1..=100_000).map(|i| format!("{}\n", entry(i))).collect::<String>()).unwrap();
    let gz = std::fs::read(gzip(&jsonl)).unwrap();
    let cut = d.join("cut.jsonl.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    choose(&b, &cut).await;
    b.wait_for_text("#file-error", "ends early or is damaged").await;
    let done = b.text("#file-done").await;
    let n: u32 = done.split_whitespace().next().unwrap().replace(',', "").parse().unwrap();
    assert!(n > 40_000 && n < 60_000, "{done}");
    b.wait_for(".log-row").await;

    let csv = d.join("wrong.csv");
    std::fs::write(&csv, "colour,shape\nred,round\nblue,square\n").unwrap();
    choose(&b, &csv).await;
    b.wait_for_text("#file-notes", "names none of the columns").await;
    b.wait_for_text("#file-done", "3 entries read (text)").await;

    let long = d.join("long.jsonl");
    let line = format!("{{\"id\": 1, \"log_message\": \"{}\"}}\n", "x".repeat(5 << 20));
    std::fs::write(&long, format!("{line}{}\n", entry(2))).unwrap();
    choose(&b, &long).await;
    b.wait_for_text("#file-notes", "longer than 1 MB").await;
    b.wait_for_text("#file-done", "2 entries read").await;

    // 1 GB: real entries, then a sparse gigabyte (zeros, one line cut at 1 MB); the first 250 MB are read.
    let huge = d.join("huge.jsonl");
    std::fs::write(&huge, (1..=1000).map(|i| format!("{}\n", entry(i))).collect::<String>()).unwrap();
    std::fs::OpenOptions::new().write(true).open(&huge).unwrap().set_len(1 << 30).unwrap();
    choose(&b, &huge).await;
    b.wait_until("the size limit is said", LONG, async || b.text("#file-notes").await.contains("at most 250 MB")).await;
    assert!(b.text("#file-done").await.starts_with("1,001 entries read"), "{}", b.text("#file-done").await);
    assert!(chip(&b, "error").await.ends_with(" 100"));
    b.close().await;
    let _ = std::fs::remove_dir_all(d);
}
