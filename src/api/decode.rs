//! Tolerant readers over `serde_json::Value`.
//!
//! The API's published schema is wrong in places and no real response sample is public
//! (see `../shared/spec/api-facts.md`), so nothing here trusts a type: every reader accepts
//! the plausible variants and answers `None` for anything else. None of them can panic.

use serde_json::{Map, Value};

/// The fields of one item, whether it came flat (`{"id": 1, "status": 2}`) or in the
/// JSON:API shape (`{"id": "1", "type": "...", "attributes": {...}, "relationships": {...}}`).
#[derive(Clone, Copy)]
pub struct Fields<'a> {
    top: &'a Map<String, Value>,
    attributes: Option<&'a Map<String, Value>>,
}

impl<'a> Fields<'a> {
    /// `None` when the value is not an object.
    pub fn of(v: &'a Value) -> Option<Self> {
        let top = v.as_object()?;
        let attributes = top.get("attributes").and_then(Value::as_object);
        Some(Fields { top, attributes })
    }

    /// The first non-null value under any of `keys`, looking in `attributes` first, then at
    /// the top level, then under `relationships.<key>.data` (JSON:API includes).
    pub fn get(&self, keys: &[&str]) -> Option<&'a Value> {
        for key in keys {
            let found = self
                .attributes
                .and_then(|a| a.get(*key))
                .or_else(|| self.top.get(*key))
                .or_else(|| self.top.get("relationships").and_then(|r| r.get(*key)).and_then(|r| r.get("data")));
            if let Some(v) = found {
                if !v.is_null() {
                    return Some(v);
                }
            }
        }
        None
    }

    pub fn string(&self, keys: &[&str]) -> Option<String> {
        self.get(keys).and_then(as_string)
    }

    pub fn int(&self, keys: &[&str]) -> Option<i64> {
        self.get(keys).and_then(as_i64)
    }

    pub fn id(&self, keys: &[&str]) -> Option<String> {
        self.get(keys).and_then(as_id)
    }

    /// A nested object, where an include may come as an object, a one-element array, or
    /// a JSON:API relationship.
    pub fn object(&self, keys: &[&str]) -> Option<Fields<'a>> {
        self.get(keys).and_then(first_object).and_then(Fields::of)
    }

    pub fn list(&self, keys: &[&str]) -> &'a [Value] {
        match self.get(keys) {
            Some(Value::Array(items)) => items,
            _ => &[],
        }
    }
}

/// An object itself, or the first object in an array.
pub fn first_object(v: &Value) -> Option<&Value> {
    match v {
        Value::Object(_) => Some(v),
        Value::Array(items) => items.iter().find(|i| i.is_object()),
        _ => None,
    }
}

/// Text from a string, number or boolean; `None` for null, arrays and objects.
pub fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An identifier from a number or a non-empty string; `{"id": ..}` objects are unwrapped.
pub fn as_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("id").and_then(as_id),
        _ => None,
    }
}

/// An integer from a number (integral floats too) or a numeric string.
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A finite float from a number or a numeric string.
pub fn as_f64(v: &Value) -> Option<f64> {
    let f = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    f.is_finite().then_some(f)
}

/// A flag from a boolean, 0/1, "true"/"false"/"yes"/"no"/"1"/"0", or a list (non-empty
/// means true: the published schema types `has_warnings` as an array).
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => Some(true),
            "false" | "0" | "no" | "n" | "" => Some(false),
            _ => None,
        },
        Value::Array(a) => Some(!a.is_empty()),
        Value::Object(o) => Some(!o.is_empty()),
        Value::Null => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flat_and_json_api_items_read_alike() {
        let flat = json!({"id": 7, "status": 3});
        let jsonapi = json!({"id": "7", "type": "flowRun", "attributes": {"status": "3"}});
        for v in [&flat, &jsonapi] {
            let f = Fields::of(v).unwrap();
            assert_eq!(f.id(&["id"]).as_deref(), Some("7"));
            assert_eq!(f.int(&["status"]), Some(3));
        }
    }

    #[test]
    fn relationships_are_found() {
        let v = json!({"id": "1", "relationships": {"flow": {"data": {"id": "9", "name": "Orders"}}}});
        let f = Fields::of(&v).unwrap();
        assert_eq!(f.object(&["flow"]).and_then(|o| o.string(&["name"])).as_deref(), Some("Orders"));
    }

    #[test]
    fn null_is_skipped_for_the_next_key() {
        let v = json!({"a": null, "b": "x"});
        assert_eq!(Fields::of(&v).unwrap().string(&["a", "b"]).as_deref(), Some("x"));
    }

    #[test]
    fn numbers_from_many_shapes() {
        assert_eq!(as_i64(&json!(" 42 ")), Some(42));
        assert_eq!(as_i64(&json!(42.0)), Some(42));
        assert_eq!(as_i64(&json!(42.5)), None);
        assert_eq!(as_i64(&json!("4x")), None);
        assert_eq!(as_f64(&json!("1.5")), Some(1.5));
        assert_eq!(as_id(&json!({"id": 5})).as_deref(), Some("5"));
        assert_eq!(as_id(&json!("  ")), None);
    }

    #[test]
    fn flags_from_many_shapes() {
        assert_eq!(as_bool(&json!([])), Some(false));
        assert_eq!(as_bool(&json!([{"id": 1}])), Some(true));
        assert_eq!(as_bool(&json!("Yes")), Some(true));
        assert_eq!(as_bool(&json!(0)), Some(false));
        assert_eq!(as_bool(&json!("maybe")), None);
        assert_eq!(as_bool(&Value::Null), None);
    }
}
