//! A JSON document read in chunks without holding it whole: a byte scanner that knows only
//! depth and strings, and cuts out the values that are entries: the elements of a top-level
//! array, or of a top-level object's `data` array (an API page); a top-level object that is
//! no page is an entry itself (pretty-printed JSON Lines). Each value is parsed on its own
//! as it closes, so a 40 MB page never becomes one tree. Text between values is kept as plain
//! messages, a line at a time.

use super::file::{FileParser, MAX_LINE};
use crate::api::FlowRunLog;

#[derive(Default)]
pub struct Doc {
    depth: u32,
    in_str: bool,
    esc: bool,
    /// The depth at which entries start: 1 in a top-level array, 2 in a page's `data`; 0: none.
    target: u32,
    top_obj: bool,
    /// The value being cut out, the depth it started at, whether it is a scalar (ended by
    /// `,` or the array's end), and whether it passed `MAX_LINE`.
    capturing: bool,
    buf: Vec<u8>,
    cap_depth: u32,
    scalar: bool,
    cut: bool,
    /// The last string read directly in the top-level object (at most 8 bytes of it): the
    /// key of the value that follows.
    key: Vec<u8>,
    in_key: bool,
    /// Text outside any value.
    stray: Vec<u8>,
}

impl Doc {
    fn start(&mut self, b: u8, scalar: bool) {
        self.capturing = true;
        self.buf = vec![b];
        self.cap_depth = self.depth;
        self.scalar = scalar;
    }
}

impl FileParser {
    pub(super) fn scan(&mut self, bytes: &[u8], out: &mut Vec<FlowRunLog>) {
        for &b in bytes {
            let d = &mut self.doc;
            if d.depth == 0 && !matches!(b, b'{' | b'[') {
                match b {
                    b'\n' => self.flush_stray(out),
                    b',' | b' ' | b'\t' | b'\r' if d.stray.is_empty() => {}
                    _ if d.stray.len() < MAX_LINE => d.stray.push(b),
                    _ => {}
                }
                continue;
            }
            if d.capturing {
                if d.buf.len() < MAX_LINE {
                    d.buf.push(b);
                } else {
                    d.cut = true;
                }
            }
            if d.in_str {
                match b {
                    _ if d.esc => d.esc = false,
                    b'\\' => d.esc = true,
                    b'"' => {
                        d.in_str = false;
                        d.in_key = false;
                    }
                    _ if d.in_key && d.key.len() < 8 => d.key.push(b),
                    _ => {}
                }
                continue;
            }
            let at_target = !d.capturing && d.target > 0 && d.depth == d.target;
            match b {
                b'"' => {
                    d.in_str = true;
                    if d.depth == 1 && d.top_obj {
                        d.key.clear();
                        d.in_key = true;
                    }
                    if at_target {
                        d.start(b, true);
                    }
                }
                b'{' | b'[' => {
                    if d.depth == 0 {
                        self.flush_stray(out);
                        let d = &mut self.doc;
                        d.top_obj = b == b'{';
                        d.target = u32::from(!d.top_obj);
                        if d.top_obj {
                            d.start(b, false);
                        }
                    } else if d.depth == 1 && d.top_obj && b == b'[' && d.key == b"data" {
                        // A page: its `data` holds the entries, and the object is no entry.
                        d.target = 2;
                        d.capturing = false;
                        d.cut = false;
                        d.buf = Vec::new();
                    } else if at_target {
                        d.start(b, false);
                    }
                    self.doc.depth += 1;
                }
                b'}' | b']' => {
                    if d.capturing && d.scalar && d.depth == d.cap_depth {
                        d.buf.pop();
                        self.emit(out);
                    }
                    let d = &mut self.doc;
                    d.depth = d.depth.saturating_sub(1);
                    if d.capturing && !d.scalar && d.depth == d.cap_depth {
                        self.emit(out);
                    }
                    let d = &mut self.doc;
                    if d.depth < d.target {
                        d.target = 0;
                    }
                    if d.depth == 0 {
                        d.top_obj = false;
                    }
                }
                b',' if d.capturing && d.scalar && d.depth == d.cap_depth => {
                    d.buf.pop();
                    self.emit(out);
                }
                b if at_target && !b.is_ascii_whitespace() && b != b',' => d.start(b, true),
                _ => {}
            }
        }
    }

    /// The value cut out: parsed on its own (an entry, or a plain message).
    fn emit(&mut self, out: &mut Vec<FlowRunLog>) {
        let d = &mut self.doc;
        d.capturing = false;
        let buf = std::mem::take(&mut d.buf);
        if std::mem::take(&mut d.cut) {
            self.stats.cut += 1;
            return self.plain(String::from_utf8_lossy(&buf).into_owned(), out);
        }
        // `from_str`, not `from_slice`: one JSON reader compiled into the app, not two.
        match std::str::from_utf8(&buf).ok().and_then(|s| serde_json::from_str(s).ok()) {
            Some(v) => self.value(v, out),
            None => self.plain(String::from_utf8_lossy(&buf).trim().to_string(), out),
        }
    }

    fn flush_stray(&mut self, out: &mut Vec<FlowRunLog>) {
        let stray = std::mem::take(&mut self.doc.stray);
        let text = String::from_utf8_lossy(&stray);
        if !text.trim().is_empty() {
            self.plain(text.trim().to_string(), out);
        }
    }

    pub(super) fn doc_finish(&mut self, out: &mut Vec<FlowRunLog>) {
        self.flush_stray(out);
        let d = &mut self.doc;
        self.stats.truncated |= d.depth > 0;
        if std::mem::take(&mut d.capturing) {
            // Whatever could be read of the last value.
            let buf = std::mem::take(&mut d.buf);
            self.plain(String::from_utf8_lossy(&buf).into_owned(), out);
        }
    }
}
