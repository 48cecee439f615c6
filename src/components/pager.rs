use crate::api::PageMeta;
use crate::url_state::page_numbers;
use leptos::prelude::*;

/// The highest page a link can name (page numbers in the URL are 32-bit).
pub const MAX_LINKED_PAGE: u64 = u32::MAX as u64;

/// First, previous, numbered pages with gaps, next, last; and "26–50 of 1,234".
/// `href(n)` gives the link to page `n`. Built in a few steps whatever the answer claims;
/// pages past `MAX_LINKED_PAGE` get no links, and a note says so.
#[component]
pub fn Pager(meta: PageMeta, href: Callback<u64, String>) -> impl IntoView {
    let claimed = meta.last_page.max(1);
    let last = claimed.min(MAX_LINKED_PAGE);
    let current = meta.current_page.clamp(1, last);
    let link = move |n: u64, text: String, label: String, enabled: bool| {
        if enabled {
            view! { <a class="page-link" href=crate::browser::app_href(&href.run(n)) aria-label=label>{text}</a> }.into_any()
        } else {
            view! { <span class="page-link disabled" aria-disabled="true">{text}</span> }.into_any()
        }
    };
    let numbers = page_numbers(current, last)
        .into_iter()
        .map(|p| match p {
            Some(n) if n == current => view! { <span class="page-link current" aria-current="page">{n}</span> }.into_any(),
            Some(n) => link(n, n.to_string(), format!("Page {n}"), true),
            None => view! { <span class="page-gap">"…"</span> }.into_any(),
        })
        .collect_view();
    let range = match (meta.from, meta.to, meta.total) {
        (Some(f), Some(t), Some(total)) => format!("{f}–{t} of {}", group_thousands(total)),
        (_, _, Some(total)) => format!("{} in all", group_thousands(total)),
        _ => format!("page {} of {}", group_thousands(current), group_thousands(claimed)),
    };
    view! {
        <nav class="pager" aria-label=crate::nav::label("Pages")>
            {link(1, "«".into(), "First page".into(), current > 1)}
            {link(current.saturating_sub(1).max(1), "‹ Previous".into(), "Previous page".into(), current > 1)}
            {numbers}
            {link(current.saturating_add(1), "Next ›".into(), "Next page".into(), current < last)}
            {link(last, "»".into(), "Last page".into(), current < last)}
            <span class="pager-range">{range}</span>
            {(claimed > last).then(|| view! {
                <span class="pager-cut" role="note">
                    {format!("The API reports {} pages; links reach page {} at most.", group_thousands(claimed), group_thousands(last))}
                </span>
            })}
        </nav>
    }
}

/// 1234567 → "1,234,567".
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::group_thousands(0), "0");
        assert_eq!(super::group_thousands(999), "999");
        assert_eq!(super::group_thousands(1_234_567), "1,234,567");
    }
}
