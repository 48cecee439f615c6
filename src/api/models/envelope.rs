//! How answers are wrapped: a page of a list (Laravel's paginator, or less), one object in
//! `data`, and what login and actions answer.

use super::run::FlowRun;
use crate::api::decode::{as_bool, Fields};
use crate::api::error::ApiError;
use crate::api::units::count;
use serde_json::Value;

/// What the login endpoint answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginToken {
    pub token: String,
    pub expires_in_s: Option<i64>,
}

impl LoginToken {
    pub fn from_value(v: &Value) -> Option<LoginToken> {
        let f = Fields::of(v)?;
        let inner = f.object(&["data"]).unwrap_or(f);
        let token = inner.string(&["token", "access_token"]).filter(|t| !t.trim().is_empty())?;
        Some(LoginToken { token, expires_in_s: inner.int(&["expires_in"]) })
    }
}

/// What an action (retry, stop, download) answers: the server's message, and the run it
/// concerns when it sent one.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionOutcome {
    pub message: Option<String>,
    pub run: Option<FlowRun>,
}

impl ActionOutcome {
    pub fn from_value(v: &Value) -> ActionOutcome {
        let f = Fields::of(v);
        ActionOutcome { message: f.and_then(|f| f.string(&["message"])), run: v.get("data").and_then(FlowRun::from_value) }
    }
}

/// One entry of Laravel's `meta.links`: a page number, a gap ("...") or previous/next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageLink {
    pub url: Option<String>,
    pub label: String,
    pub active: bool,
}

/// Where a page sits in the whole result.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PageMeta {
    pub current_page: u64,
    pub last_page: u64,
    pub per_page: u64,
    pub total: Option<u64>,
    pub from: Option<u64>,
    pub to: Option<u64>,
    pub links: Vec<PageLink>,
}

/// One page of a list endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub meta: PageMeta,
    /// Items that could not be read at all (not objects, or without an id).
    pub skipped: usize,
}

impl<T> Page<T> {
    /// Reads `{data: [...], meta: {...}, links: {...}}`, also with the paginator fields at the
    /// top level (Laravel's plain paginator) or missing altogether.
    pub fn decode(body: &Value, item: impl Fn(&Value) -> Option<T>) -> Result<Page<T>, ApiError> {
        let obj = body.as_object().ok_or_else(|| ApiError::decode("list response", "top level is not an object"))?;
        let data = match obj.get("data") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(ApiError::decode("list response", "`data` is not a list")),
            None => return Err(ApiError::decode("list response", "no `data` field")),
        };
        let items: Vec<T> = data.iter().filter_map(&item).collect();
        let skipped = data.len() - items.len();
        let m = obj.get("meta").and_then(Fields::of).or_else(|| Fields::of(body));
        let u = |keys: &[&str]| m.and_then(|m| m.get(keys)).and_then(count);
        let per_page = u(&["per_page"]).filter(|n| *n > 0).unwrap_or(data.len().max(1) as u64);
        let current_page = u(&["current_page"]).filter(|n| *n > 0).unwrap_or(1);
        let total = u(&["total"]);
        let last_page = u(&["last_page"]).or_else(|| total.map(|t| t.div_ceil(per_page))).unwrap_or(current_page).max(1);
        let links = m
            .map(|m| m.list(&["links"]))
            .unwrap_or_default()
            .iter()
            .filter_map(|l| {
                let f = Fields::of(l)?;
                Some(PageLink {
                    url: f.string(&["url"]),
                    label: f.string(&["label"]).unwrap_or_default(),
                    active: f.get(&["active"]).and_then(as_bool).unwrap_or(false),
                })
            })
            .collect();
        Ok(Page { items, meta: PageMeta { current_page, last_page, per_page, total, from: u(&["from"]), to: u(&["to"]), links }, skipped })
    }
}

/// The nesting (objects and arrays) serde_json reads at most (its recursion limit of 128 stops
/// at the 128th level); deeper input fails to parse.
pub const MAX_JSON_DEPTH: usize = 127;

/// A list answer whose text nests too deep for the parser, with every item of its top-level
/// `data` list that is too deep replaced by `null`: `Page::decode` then counts those as
/// skipped and keeps the rest of the page, instead of the whole page failing (and load-all
/// stalling there). `None` when no item is too deep (the problem is elsewhere, or there is no
/// such list). One pass over the bytes, no recursion.
pub fn without_deep_items(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let (mut str_start, mut last_string) = (0usize, "");
    let (mut key_is_data, mut in_data) = (false, false);
    // The item being read in `data`: where it starts, and the deepest it has gone.
    let mut item: Option<(usize, usize)> = None;
    let mut deep = Vec::new();
    let mut close_item = |item: &mut Option<(usize, usize)>, at: usize| {
        if let Some((start, max)) = item.take() {
            if max > MAX_JSON_DEPTH {
                deep.push((start, start + body[start..at].trim_end().len()));
            }
        }
    };
    for (i, &c) in bytes.iter().enumerate() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_str = false;
                if depth == 1 {
                    last_string = &body[str_start + 1..i];
                }
            }
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                str_start = i;
                if in_data && depth == 2 && item.is_none() {
                    item = Some((i, 2));
                }
            }
            b':' if depth == 1 => key_is_data = last_string == "data",
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 && c == b'[' && key_is_data {
                    in_data = true;
                } else if in_data && depth == 3 && item.is_none() {
                    item = Some((i, 3));
                }
                if let Some((_, max)) = &mut item {
                    *max = (*max).max(depth);
                }
            }
            b'}' | b']' => {
                if in_data && depth == 2 {
                    close_item(&mut item, i);
                    in_data = false;
                    key_is_data = false;
                }
                depth = depth.checked_sub(1)?;
            }
            b',' if in_data && depth == 2 => close_item(&mut item, i),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => {
                if in_data && depth == 2 && item.is_none() {
                    item = Some((i, 2));
                }
            }
        }
    }
    if deep.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut from = 0;
    for (start, end) in deep {
        out.push_str(&body[from..start]);
        out.push_str("null");
        from = end;
    }
    out.push_str(&body[from..]);
    Some(out)
}

/// Reads `{data: {...}}` (or a bare object) with `item`.
pub fn decode_one<T>(body: &Value, what: &str, item: impl Fn(&Value) -> Option<T>) -> Result<T, ApiError> {
    let inner = body.get("data").filter(|d| d.is_object()).unwrap_or(body);
    item(inner).ok_or_else(|| ApiError::decode(what, "the object has no usable id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RunStatus;
    use serde_json::json;

    #[test]
    fn login_and_action_answers() {
        let t =
            LoginToken::from_value(&json!({"message": "You have successfully logged in.", "token": "jwt", "expires_in": 86400})).unwrap();
        assert_eq!((t.token.as_str(), t.expires_in_s), ("jwt", Some(86400)));
        assert_eq!(LoginToken::from_value(&json!({"data": {"access_token": "a"}})).unwrap().token, "a");
        assert_eq!(LoginToken::from_value(&json!({"token": ""})), None);
        let a = ActionOutcome::from_value(&json!({"message": "queued", "data": {"id": 9, "trigger": "Retry"}}));
        assert_eq!(a.message.as_deref(), Some("queued"));
        assert_eq!(a.run.map(|r| r.id), Some("9".into()));
        assert_eq!(ActionOutcome::from_value(&json!([])), ActionOutcome { message: None, run: None });
    }

    #[test]
    fn a_page_keeps_what_it_can() {
        let body = json!({
            "data": [{"id": 1}, "junk", {"no_id": true}, {"id": "2", "status": "weird"}],
            "meta": {"current_page": 2, "last_page": "9", "per_page": 25, "total": 210, "from": 26, "to": 50,
                     "links": [{"url": null, "label": "&laquo; Previous", "active": false},
                               {"url": "http://x/?page=1", "label": "1", "active": false},
                               {"url": null, "label": "...", "active": false}]},
            "links": {"first": "http://x/?page=1", "last": null, "prev": null, "next": null}
        });
        let page = Page::decode(&body, FlowRun::from_value).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.skipped, 2);
        assert_eq!(page.meta.current_page, 2);
        assert_eq!(page.meta.last_page, 9);
        assert_eq!(page.meta.total, Some(210));
        assert_eq!(page.meta.links.len(), 3);
        assert_eq!(page.items[1].status, Some(RunStatus::Other("weird".into())));
    }

    #[test]
    fn a_page_without_meta_or_with_top_level_paginator() {
        let plain = json!({"data": [{"id": 1}], "current_page": 3, "per_page": 10, "total": 95});
        let page = Page::decode(&plain, FlowRun::from_value).unwrap();
        assert_eq!((page.meta.current_page, page.meta.last_page), (3, 10));
        let bare = json!({"data": []});
        let page = Page::decode(&bare, FlowRun::from_value).unwrap();
        assert_eq!((page.meta.current_page, page.meta.last_page, page.meta.total), (1, 1, None));
    }

    /// `{"a":` … `1` … `}` nested `levels` deep.
    fn nested(levels: usize) -> String {
        format!("{}1{}", "{\"a\":[".repeat(levels / 2), "]}".repeat(levels / 2))
    }

    #[test]
    fn an_entry_nested_too_deep_is_skipped_and_the_page_kept() {
        let body = format!(
            r#"{{"data": [{{"id": 1}}, {{"id": 2, "meta": {}}}, "x", {{"id": 3, "s": "[[[[\"]"}}], "meta": {{"total": 4, "note": "data"}}}}"#,
            nested(400)
        );
        assert!(serde_json::from_str::<Value>(&body).is_err(), "too deep for the parser as it is");
        let v = crate::api::client::parse_answer(200, None, Some("application/json"), &body, "log page").unwrap();
        let page = Page::decode(&v, FlowRun::from_value).unwrap();
        assert_eq!(page.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["1", "3"]);
        assert_eq!(page.skipped, 2);
        assert_eq!(page.meta.total, Some(4));
        // The limit itself still reads: only what is deeper goes.
        let edge = format!(r#"{{"data": [{}]}}"#, "[".repeat(MAX_JSON_DEPTH - 2) + &"]".repeat(MAX_JSON_DEPTH - 2));
        assert!(serde_json::from_str::<Value>(&edge).is_ok());
        assert_eq!(without_deep_items(&edge), None);
        let over = format!(r#"{{"data": [{}, 5]}}"#, "[".repeat(MAX_JSON_DEPTH - 1) + &"]".repeat(MAX_JSON_DEPTH - 1));
        assert!(serde_json::from_str::<Value>(&over).is_err());
        assert_eq!(without_deep_items(&over).as_deref(), Some(r#"{"data": [null, 5]}"#));
        // Too deep elsewhere than in an item: the answer still fails, saying why.
        let meta = format!(r#"{{"data": [], "meta": {}}}"#, nested(400));
        let e = crate::api::client::parse_answer(200, None, Some("application/json"), &meta, "log page").unwrap_err();
        assert!(e.message().contains("nests deeper"), "{}", e.message());
    }

    #[test]
    fn non_pages_are_decode_errors() {
        for body in [json!([]), json!({"data": {"id": 1}}), json!({"message": "hi"}), json!("x")] {
            assert!(matches!(Page::decode(&body, FlowRun::from_value), Err(ApiError::Decode { .. })), "{body}");
        }
    }
}
