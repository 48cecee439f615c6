//! Reading a chosen or dropped file in this browser (nothing is uploaded): the file's own
//! stream, through the browser's `DecompressionStream` when it starts as gzip does, parsed
//! chunk by chunk (`logs::FileParser`) into the page's store. The list redraws at most every
//! 250 ms and the task yields to the browser every 30 ms, so the page stays responsive;
//! the task is the page's, so leaving the page (or opening another file) aborts it and
//! cancels the stream.

use super::loader::Ctx;
use crate::api::{FlowRun, FlowStep};
use crate::browser;
use crate::components::pager::group_thousands;
use crate::format::format_bytes;
use crate::logs::{append_all, gzip_size, is_gzip, FileParser, Format, LogStore, MAX_ENTRIES, MAX_TEXT_BYTES};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = DecompressionStream)]
    type Decompression;
    #[wasm_bindgen(constructor, catch, js_class = DecompressionStream)]
    fn new(format: &str) -> Result<Decompression, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn readable(this: &Decompression) -> Stream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &Decompression) -> Sink;

    type Stream;
    #[wasm_bindgen(method, js_name = getReader)]
    fn get_reader(this: &Stream) -> Reader;

    type Sink;
    #[wasm_bindgen(method, js_name = getWriter)]
    fn get_writer(this: &Sink) -> Writer;

    type Writer;
    #[wasm_bindgen(method)]
    fn write(this: &Writer, chunk: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn close(this: &Writer) -> js_sys::Promise;

    type Reader;
    #[wasm_bindgen(method)]
    fn read(this: &Reader) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn cancel(this: &Reader) -> js_sys::Promise;

    /// A `Blob` (a `File`), for its stream.
    type Bytes;
    #[wasm_bindgen(method)]
    fn stream(this: &Bytes) -> Stream;
}

/// Cancels the stream when the read ends, however it ends (an aborted task drops it).
struct Cancel(Reader);

impl Drop for Cancel {
    fn drop(&mut self) {
        // Awaited by nobody, but handled: a stream that failed rejects its cancel.
        drop(JsFuture::from(self.0.cancel()));
    }
}

/// What happened first while decompressing.
enum Next {
    Read(Result<JsValue, JsValue>),
    Wrote,
    Idle,
}

/// The first of: the pending read, the pending write, the idle timer.
async fn next(read: &mut JsFuture, write: &mut Option<JsFuture>, idle: &mut Option<gloo_timers::future::TimeoutFuture>) -> Next {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Poll;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = Pin::new(&mut *read).poll(cx) {
            return Poll::Ready(Next::Read(r));
        }
        if write.as_mut().is_some_and(|w| Pin::new(w).poll(cx).is_ready()) {
            *write = None;
            return Poll::Ready(Next::Wrote);
        }
        if idle.as_mut().is_some_and(|t| Pin::new(t).poll(cx).is_ready()) {
            *idle = None;
            return Poll::Ready(Next::Idle);
        }
        Poll::Pending
    })
    .await
}

/// Progress: bytes of text read, of how many (gzip's trailer says, modulo 4 GiB).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub read: u64,
    pub of: Option<u64>,
}

/// How a read ended: a line for people, a failure, and what was kept or left.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub summary: String,
    pub error: Option<String>,
    pub notes: Vec<String>,
}

async fn slice(file: &web_sys::File, from: f64, to: f64) -> Option<Vec<u8>> {
    let blob = file.slice_with_f64_and_f64(from, to).ok()?;
    let buf = JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

fn js_message(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| "unknown error".into())
}

/// The steps seen and the first time stamp, as a run for the toolbar's step filter and offsets.
fn as_run(store: &LogStore, started_at_ms: Option<i64>) -> FlowRun {
    let steps = store.steps().iter().take(500).map(|(id, name)| FlowStep { id: id.clone(), name: name.clone() }).collect();
    FlowRun { steps, started_at_ms, ..FlowRun::default() }
}

/// Reads `file` into the page's store; `reading` while it goes, `outcome` at the end.
pub async fn read(file: web_sys::File, ctx: Ctx, reading: RwSignal<Option<Reading>>, outcome: RwSignal<Option<Outcome>>) {
    browser::mark("frc-file-open");
    // Entries into the store, none dropped: how many it holds then.
    let append = |out: &mut Vec<crate::api::FlowRunLog>| {
        ctx.store
            .try_update_value(|s| {
                append_all(s, std::mem::take(out));
                s.len()
            })
            .unwrap_or(0)
    };
    let size = file.size().max(0.0);
    let gz = is_gzip(&slice(&file, 0.0, 2.0).await.unwrap_or_default());
    let of = if gz { slice(&file, (size - 4.0).max(0.0), size).await.and_then(|t| gzip_size(&t)) } else { Some(size as u64) };
    // gzip: the file's bytes are written into a DecompressionStream here (not piped), and
    // its end is told only once every decompressed byte has been read: a stream that fails at
    // its end (a truncated file) drops what it holds, so it must hold nothing by then.
    let source = Cancel(file.unchecked_ref::<Bytes>().stream().get_reader());
    let (reader, writer, source) = match gz.then(|| Decompression::new("gzip")) {
        None => (source, None, None),
        Some(Ok(d)) => (Cancel(d.readable().get_reader()), Some(d.writable().get_writer()), Some(source)),
        Some(Err(_)) => {
            let error = Some("This browser cannot decompress gzip files (no DecompressionStream): decompress it first.".into());
            return outcome.set(Some(Outcome { error, ..Outcome::default() }));
        }
    };
    let (mut write, mut idle, mut input_done, mut closed) = (None::<JsFuture>, None, writer.is_none(), writer.is_none());
    let mut pending = JsFuture::from(reader.0.read());
    let (mut parser, mut out, mut read) = (FileParser::new(), Vec::new(), 0u64);
    let (mut error, mut notes, mut started) = (None, Vec::new(), None::<i64>);
    let (mut last_redraw, mut last_yield, mut shown) = (browser::now_ms(), browser::now_ms(), false);
    reading.set(Some(Reading { read, of }));
    loop {
        if let (Some(w), Some(source), None, false) = (&writer, &source, &write, input_done) {
            // The next compressed chunk (the file's own reader, fast) into the decompressor.
            match JsFuture::from(source.0.read()).await {
                Ok(c) if !js_sys::Reflect::get(&c, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) => {
                    let value = js_sys::Reflect::get(&c, &"value".into()).unwrap_or_default();
                    write = Some(JsFuture::from(w.write(&value)));
                }
                _ => input_done = true,
            }
        }
        if input_done && write.is_none() && idle.is_none() && !closed {
            // A turn of the event loop with no output: everything written has been read.
            idle = Some(gloo_timers::future::TimeoutFuture::new(0));
        }
        let result = match next(&mut pending, &mut write, &mut idle).await {
            Next::Wrote => continue,
            Next::Idle => {
                if let Some(w) = &writer {
                    drop(JsFuture::from(w.close()));
                }
                closed = true;
                continue;
            }
            Next::Read(r) => {
                // Output came: the quiet turn is counted again from here.
                idle = None;
                pending = JsFuture::from(reader.0.read());
                r
            }
        };
        let chunk = match result {
            Ok(c) => c,
            Err(e) => {
                let what = if gz { "The compressed data ends early or is damaged" } else { "The file could not be read to its end" };
                error = Some(format!("{what} ({}); the entries before that are shown.", js_message(&e)));
                break;
            }
        };
        if js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
            break;
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else { break };
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        read += bytes.len() as u64;
        parser.feed(&bytes, &mut out);
        if parser.format() == Some(Format::Binary) {
            break;
        }
        started = started.or_else(|| out.iter().find_map(|e| e.created_at_ms));
        let n = append(&mut out);
        let now = browser::now_ms();
        if read >= MAX_TEXT_BYTES || n >= MAX_ENTRIES {
            notes.push(format!(
                "The viewer reads at most {} of text or {} entries from a file; the rest of this one{} was left unread.",
                format_bytes(MAX_TEXT_BYTES),
                group_thousands(MAX_ENTRIES as u64),
                of.map(|o| format!(" ({} in all)", format_bytes(o))).unwrap_or_default()
            ));
            break;
        }
        reading.set(Some(Reading { read, of }));
        if (!shown && n > 0) || now - last_redraw >= 250 {
            if !shown {
                browser::mark("frc-file-first-rows");
                shown = true;
            }
            ctx.run.set(Some(ctx.store.with_value(|s| as_run(s, started))));
            ctx.bump();
            last_redraw = now;
        }
        if now - last_yield >= 30 {
            crate::tasks::sleep(0).await;
            last_yield = browser::now_ms();
        }
    }
    drop((reader, source));
    parser.finish(&mut out);
    started = started.or_else(|| out.iter().find_map(|e| e.created_at_ms));
    let n = append(&mut out);
    ctx.run.set(Some(ctx.store.with_value(|s| as_run(s, started))));
    ctx.bump();
    browser::mark("frc-file-all");
    reading.set(None);
    let format = parser.format();
    if format == Some(Format::Binary) {
        error = Some("This file is not text (it looks binary): there is nothing to show.".into());
    }
    let s = &parser.stats;
    if s.unknown_header {
        notes.push("The first line looks like a CSV header, but it names none of the columns the viewer reads (id, level, message, step, step_name, created_at, run_id, meta): every line is shown as a plain message.".into());
    } else if s.plain > 0 {
        notes.push(format!("{} lines were not log entries; they are kept as plain messages.", group_thousands(s.plain)));
    }
    if s.cut > 0 {
        notes.push(format!("{} lines were longer than 1 MB and are cut there.", group_thousands(s.cut)));
    }
    if s.truncated {
        notes.push("The file ends inside a JSON value: it looks truncated. What came before is shown.".into());
    }
    let kind = format.filter(|f| *f != Format::Binary).map(|f| format!(" ({}{})", f.label(), if gz { ", gzip" } else { "" }));
    let summary = format!("{} entries read{}.", group_thousands(n as u64), kind.unwrap_or_default());
    outcome.set(Some(Outcome { summary, error, notes }));
}
