use leptos::prelude::*;
use serde_json::Value;

/// Children shown per object or array before "… n more".
const MAX_CHILDREN: usize = 500;
/// Levels opened at first.
const OPEN_DEPTH: usize = 2;

/// JSON text as a collapsible tree (`<details>` per object and array). Values are text
/// nodes, so nothing in the data is ever read as HTML. Text that is not JSON is shown as it
/// came.
#[component]
pub fn JsonTree(#[prop(into)] text: String) -> impl IntoView {
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => view! { <div class="json-tree">{node(None, &v, 0)}</div> }.into_any(),
        Err(_) => view! { <pre class="json-raw">{text}</pre> }.into_any(),
    }
}

fn node(key: Option<String>, v: &Value, depth: usize) -> AnyView {
    let key_view = key.map(|k| view! { <span class="json-key">{k}</span>": " });
    match v {
        Value::Object(map) => {
            let children: Vec<AnyView> =
                map.iter().take(MAX_CHILDREN).map(|(k, v)| view! { <li>{node(Some(quoted(k)), v, depth + 1)}</li> }.into_any()).collect();
            container(key_view, "{", "}", map.len(), children, depth)
        }
        Value::Array(items) => {
            let children: Vec<AnyView> =
                items.iter().take(MAX_CHILDREN).map(|v| view! { <li>{node(None, v, depth + 1)}</li> }.into_any()).collect();
            container(key_view, "[", "]", items.len(), children, depth)
        }
        scalar => {
            let (class, text) = match scalar {
                Value::String(s) => ("json-str", quoted(s)),
                Value::Number(n) => ("json-num", n.to_string()),
                Value::Bool(b) => ("json-bool", b.to_string()),
                _ => ("json-null", "null".to_string()),
            };
            view! { <span class="json-leaf">{key_view}<span class=class>{text}</span></span> }.into_any()
        }
    }
}

/// A string as JSON writes it (quotes, JSON escapes), so the tree reads as the JSON it is.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn container(
    key: Option<impl IntoView + 'static>,
    open: &'static str,
    close: &'static str,
    len: usize,
    children: Vec<AnyView>,
    depth: usize,
) -> AnyView {
    if len == 0 {
        return view! { <span class="json-leaf">{key}{open}{close}</span> }.into_any();
    }
    let more = (len > MAX_CHILDREN).then(|| view! { <li class="json-more">{format!("… {} more", len - MAX_CHILDREN)}</li> });
    let noun = if open == "{" { "keys" } else { "items" };
    view! {
        <details class="json-node" open=depth < OPEN_DEPTH>
            <summary>{key}{open}<span class="json-count">{format!(" {len} {noun} ")}</span>{close}</summary>
            <ul>{children}{more}</ul>
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn strings_are_quoted_as_json_not_as_rust() {
        assert_eq!(quoted("plain"), r#""plain""#);
        assert_eq!(quoted("say \"hi\"\n"), r#""say \"hi\"\n""#);
        // Rust's Debug would write \u{1b} and \'; JSON has neither.
        assert_eq!(quoted("\u{1b}[0m it's"), r#""\u001b[0m it's""#);
        assert_eq!(quoted("تمت ✓ <b>"), "\"تمت ✓ <b>\"");
    }
}
