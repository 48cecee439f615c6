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

    #[test]
    fn non_pages_are_decode_errors() {
        for body in [json!([]), json!({"data": {"id": 1}}), json!({"message": "hi"}), json!("x")] {
            assert!(matches!(Page::decode(&body, FlowRun::from_value), Err(ApiError::Decode { .. })), "{body}");
        }
    }
}
