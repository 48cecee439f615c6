//! Named run-table views kept in browser storage. Each is just a name and the view's URL,
//! so it is also a link anyone can open.

use crate::api::decode::{as_string, Fields};
use serde_json::{json, Value};

pub const STORAGE_KEY: &str = "frc.views.v1";
const MAX_VIEWS: usize = 50;
const MAX_NAME: usize = 80;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    /// An app-relative `/runs?...` link.
    pub href: String,
}

/// Only the run table's own links are kept, so a stored view can never point elsewhere.
fn valid_href(h: &str) -> bool {
    h == "/runs" || h.starts_with("/runs?")
}

fn clean_name(name: &str) -> Option<String> {
    let n: String = name.trim().chars().filter(|c| !c.is_control()).take(MAX_NAME).collect();
    (!n.is_empty()).then_some(n)
}

pub fn from_json(text: &str) -> Vec<SavedView> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let mut out: Vec<SavedView> = Vec::new();
    for item in &items {
        let Some(f) = Fields::of(item) else { continue };
        let (Some(name), Some(href)) = (f.get(&["name"]).and_then(as_string), f.get(&["href"]).and_then(as_string)) else { continue };
        if let Some(name) = clean_name(&name).filter(|_| valid_href(&href)) {
            if !out.iter().any(|v| v.name == name) && out.len() < MAX_VIEWS {
                out.push(SavedView { name, href });
            }
        }
    }
    out
}

pub fn to_json(views: &[SavedView]) -> String {
    Value::Array(views.iter().map(|v| json!({"name": v.name, "href": v.href})).collect()).to_string()
}

/// Saves `href` under `name`, replacing a view of the same name. `Err` says why not.
pub fn save(views: &mut Vec<SavedView>, name: &str, href: &str) -> Result<(), String> {
    let name = clean_name(name).ok_or("Give the view a name.")?;
    if !valid_href(href) {
        return Err("Only run-table views can be saved.".into());
    }
    let full = views.len() >= MAX_VIEWS;
    match views.iter_mut().find(|v| v.name == name) {
        Some(v) => v.href = href.to_string(),
        None if full => return Err(format!("At most {MAX_VIEWS} views; delete one first.")),
        None => views.push(SavedView { name, href: href.to_string() }),
    }
    views.sort_by_key(|v| v.name.to_lowercase());
    Ok(())
}

pub fn rename(views: &mut [SavedView], from: &str, to: &str) -> Result<(), String> {
    let to = clean_name(to).ok_or("Give the view a name.")?;
    if to != from && views.iter().any(|v| v.name == to) {
        return Err(format!("A view called \"{to}\" exists already."));
    }
    let v = views.iter_mut().find(|v| v.name == from).ok_or("No such view.")?;
    v.name = to;
    views.sort_by_key(|v| v.name.to_lowercase());
    Ok(())
}

pub fn delete(views: &mut Vec<SavedView>, name: &str) {
    views.retain(|v| v.name != name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_rename_delete_round_trip() {
        let mut v = Vec::new();
        save(&mut v, "  Failures today ", "/runs?status=3&range=24h").unwrap();
        save(&mut v, "all", "/runs").unwrap();
        save(&mut v, "all", "/runs?range=all").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0], SavedView { name: "all".into(), href: "/runs?range=all".into() });
        assert!(save(&mut v, " ", "/runs").is_err());
        assert!(save(&mut v, "evil", "https://elsewhere.example/").is_err());
        assert!(rename(&mut v, "all", "Failures today").is_err());
        rename(&mut v, "all", "Everything").unwrap();
        assert_eq!(from_json(&to_json(&v)), v);
        delete(&mut v, "Everything");
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn stored_garbage_is_dropped() {
        assert!(from_json("nope").is_empty());
        let kept = from_json(
            r#"[{"name":"a","href":"/runs?x=1"},{"name":"b","href":"javascript:alert(1)"},{"name":"a","href":"/runs"},7,{"name":"","href":"/runs"}]"#,
        );
        assert_eq!(kept, vec![SavedView { name: "a".into(), href: "/runs?x=1".into() }]);
    }
}
