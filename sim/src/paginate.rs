//! Laravel's length-aware paginator, as an API resource collection renders it:
//! `data`, `links {first, last, prev, next}` and `meta {current_page, from, last_page,
//! links: [...], path, per_page, to, total}`, with Laravel's page window for `meta.links`.

use serde_json::{json, Value};

pub struct PageRequest<'a> {
    /// Absolute URL of the endpoint, without a query.
    pub path: &'a str,
    /// The request's other query pairs, kept in page links (Laravel's `withQueryString`).
    pub other_query: &'a [(String, String)],
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl PageRequest<'_> {
    pub fn last_page(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }

    /// Zero-based offset of the first item of the page.
    pub fn offset(&self) -> u64 {
        (self.page.max(1) - 1).saturating_mul(self.per_page)
    }

    fn url(&self, page: u64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.other_query {
            s.append_pair(k, v);
        }
        s.append_pair("page", &page.to_string());
        format!("{}?{}", self.path, s.finish())
    }

    /// Wraps `data` (the page's items) in the paginator envelope.
    pub fn envelope(&self, data: Vec<Value>) -> Value {
        let last = self.last_page();
        let page = self.page.max(1);
        let count = data.len() as u64;
        let (from, to) = if count == 0 {
            (Value::Null, Value::Null)
        } else {
            (json!(self.offset().saturating_add(1)), json!(self.offset().saturating_add(count)))
        };
        let link = |p: u64, ok: bool| if ok { json!(self.url(p)) } else { Value::Null };
        let mut links = vec![json!({"url": link(page.saturating_sub(1), page > 1), "label": "&laquo; Previous", "active": false})];
        for el in window(page.min(last), last) {
            match el {
                Some(n) => links.push(json!({"url": self.url(n), "label": n.to_string(), "active": n == page})),
                None => links.push(json!({"url": null, "label": "...", "active": false})),
            }
        }
        links.push(json!({"url": link(page.saturating_add(1), page < last), "label": "Next &raquo;", "active": false}));
        json!({
            "data": data,
            "links": {"first": self.url(1), "last": self.url(last), "prev": link(page.saturating_sub(1), page > 1), "next": link(page.saturating_add(1), page < last)},
            "meta": {
                "current_page": page, "from": from, "last_page": last, "links": links,
                "path": self.path, "per_page": self.per_page, "to": to, "total": self.total
            }
        })
    }
}

/// Laravel's `UrlWindow` with `onEachSide = 3`: page numbers, `None` for "...".
pub fn window(current: u64, last: u64) -> Vec<Option<u64>> {
    const SIDE: u64 = 3;
    const WIN: u64 = SIDE + 4;
    let range = |a: u64, b: u64| (a..=b).map(Some).collect::<Vec<_>>();
    if last < WIN * 2 {
        return range(1, last);
    }
    let mut out;
    if current <= WIN {
        out = range(1, WIN + SIDE);
        out.push(None);
        out.extend(range(last - 1, last));
    } else if current > last - WIN {
        out = range(1, 2);
        out.push(None);
        out.extend(range(last - (WIN + SIDE - 1), last));
    } else {
        out = range(1, 2);
        out.push(None);
        out.extend(range(current - SIDE, current + SIDE));
        out.push(None);
        out.extend(range(last - 1, last));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_shape() {
        let other = vec![("filter[status]".to_string(), "3".to_string())];
        let req = PageRequest { path: "http://h/api/v1/flow-runs", other_query: &other, page: 2, per_page: 10, total: 25 };
        let v = req.envelope(vec![json!({"id": 1}); 10]);
        assert_eq!(v["meta"]["last_page"], 3);
        assert_eq!(v["meta"]["from"], 11);
        assert_eq!(v["meta"]["to"], 20);
        assert_eq!(v["links"]["prev"], "http://h/api/v1/flow-runs?filter%5Bstatus%5D=3&page=1");
        let labels: Vec<&str> = v["meta"]["links"].as_array().unwrap().iter().map(|l| l["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["&laquo; Previous", "1", "2", "3", "Next &raquo;"]);
        assert_eq!(v["meta"]["links"][2]["active"], true);
    }

    #[test]
    fn empty_page_has_null_bounds() {
        let req = PageRequest { path: "p", other_query: &[], page: 5, per_page: 10, total: 3 };
        let v = req.envelope(vec![]);
        assert!(v["meta"]["from"].is_null() && v["meta"]["to"].is_null());
        assert!(v["links"]["next"].is_null());
    }

    #[test]
    fn laravel_windows() {
        let show = |c, l| window(c, l).iter().map(|p| p.map_or("...".into(), |n| n.to_string())).collect::<Vec<String>>().join(" ");
        assert_eq!(show(1, 5), "1 2 3 4 5");
        assert_eq!(show(1, 50), "1 2 3 4 5 6 7 8 9 10 ... 49 50");
        assert_eq!(show(25, 50), "1 2 ... 22 23 24 25 26 27 28 ... 49 50");
        assert_eq!(show(50, 50), "1 2 ... 41 42 43 44 45 46 47 48 49 50");
    }
}
