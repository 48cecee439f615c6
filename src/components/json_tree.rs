use leptos::prelude::*;
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// Children shown per object or array before "… n more".
const MAX_CHILDREN: usize = 500;
/// Levels opened at first.
const OPEN_DEPTH: usize = 2;

/// JSON text as a collapsible tree (`<details>` per object and array). Values are text
/// nodes, so nothing in the data is ever read as HTML. Text that is not JSON is shown as it
/// came. Only open nodes have their children built: a closed node costs one line however
/// much it holds, and opening it builds its own children only.
#[component]
pub fn JsonTree(#[prop(into)] text: String) -> impl IntoView {
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => view! { <div class="json-tree">{node(None, Path::root(v), 0)}</div> }.into_any(),
        Err(_) => view! { <pre class="json-raw">{text}</pre> }.into_any(),
    }
}

/// Where a node is in the parsed document: the document is held once, every node is a path.
#[derive(Clone)]
struct Path {
    root: Rc<Value>,
    steps: Rc<[Step]>,
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

impl Path {
    fn root(v: Value) -> Path {
        Path { root: Rc::new(v), steps: Rc::from(Vec::new()) }
    }

    fn value(&self) -> &Value {
        self.steps
            .iter()
            .try_fold(&*self.root, |v, s| match s {
                Step::Key(k) => v.get(k.as_str()),
                Step::Index(i) => v.get(*i),
            })
            .unwrap_or(&Value::Null)
    }

    fn child(&self, step: Step) -> Path {
        let mut steps = self.steps.to_vec();
        steps.push(step);
        Path { root: self.root.clone(), steps: steps.into() }
    }
}

fn node(key: Option<String>, at: Path, depth: usize) -> AnyView {
    let key_view = key.map(|k| view! { <span class="json-key">{k}</span>": " });
    match at.value() {
        Value::Object(map) => container(key_view, "{", "}", map.len(), at, depth),
        Value::Array(items) => container(key_view, "[", "]", items.len(), at, depth),
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

/// The first `MAX_CHILDREN` children of the object or array at `at`, built now.
fn children(at: &Path, depth: usize) -> Vec<AnyView> {
    match at.value() {
        Value::Object(map) => map
            .keys()
            .take(MAX_CHILDREN)
            .map(|k| view! { <li>{node(Some(quoted(k)), at.child(Step::Key(k.clone())), depth + 1)}</li> }.into_any())
            .collect(),
        Value::Array(items) => (0..items.len().min(MAX_CHILDREN))
            .map(|i| view! { <li>{node(None, at.child(Step::Index(i)), depth + 1)}</li> }.into_any())
            .collect(),
        _ => Vec::new(),
    }
}

/// A string as JSON writes it (quotes, JSON escapes), so the tree reads as the JSON it is.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn container(key: Option<impl IntoView + 'static>, open: &'static str, close: &'static str, len: usize, at: Path, depth: usize) -> AnyView {
    if len == 0 {
        return view! { <span class="json-leaf">{key}{open}{close}</span> }.into_any();
    }
    let more = move || (len > MAX_CHILDREN).then(|| view! { <li class="json-more">{format!("… {} more", len - MAX_CHILDREN)}</li> });
    let noun = if open == "{" { "keys" } else { "items" };
    // Built when first opened, and kept while the node is shown (closing hides, not rebuilds).
    let built = RwSignal::new(depth < OPEN_DEPTH);
    let at = StoredValue::new_local(at);
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|d| d.has_attribute("open"));
        // `toggle` is queued: the tree may be gone by the time it arrives.
        if open && built.try_get_untracked() == Some(false) {
            built.set(true);
        }
    };
    view! {
        <details class="json-node" open=depth < OPEN_DEPTH on:toggle=on_toggle>
            <summary>{key}{open}<span class="json-count">{format!(" {len} {noun} ")}</span>{close}</summary>
            {move || built.get().then(|| view! { <ul>{at.with_value(|at| children(at, depth))}{more()}</ul> })}
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
