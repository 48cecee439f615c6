//! Sparse fieldsets on runs (`fields[type]=a,b`), as spatie/laravel-query-builder applies
//! them: the names are checked against the allowed ones (400 `InvalidFieldQuery` otherwise),
//! and an included relation is then loaded with exactly the named columns (`select(...)`),
//! nothing added. Eloquent matches a loaded relation to its run by a key column, so a relation
//! whose key was not named cannot be matched: a to-one comes back `null`, a to-many `[]`
//! (spatie's documentation warns of exactly this: "you'll need to manually specify any
//! columns required for Eloquent relationships to work"). The run's own columns are never
//! narrowed: the published reference allows no field of the run itself.

use serde_json::{Map, Value};

/// The fields the published reference allows, per type, in its order.
pub const RUN_FIELDS: [(&str, &[&str]); 4] =
    [("trackedData", &["id"]), ("flow", &["id", "name"]), ("flowVersion", &["steps.name"]), ("retriedFlowRun", &["id", "status"])];

/// How a relation is matched to its run, which decides what survives a fieldset.
enum Link {
    /// belongs-to: matched on the related row's `id`.
    Owner,
    /// has-many: matched on a foreign key of the related rows, which no fieldset allows.
    Foreign,
}

/// type → (the run's JSON key, how it is matched).
fn relation(ty: &str) -> Option<(&'static str, Link)> {
    Some(match ty {
        "trackedData" => ("tracked_data", Link::Foreign),
        "flow" => ("flow", Link::Owner),
        "flowVersion" => ("flow_version", Link::Owner),
        "retriedFlowRun" => ("retried_flow_run", Link::Foreign),
        _ => return None,
    })
}

/// The requested fieldsets, in the order asked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fieldsets(pub Vec<(String, Vec<String>)>);

fn allowed_list() -> String {
    RUN_FIELDS.iter().flat_map(|(ty, fields)| fields.iter().map(move |f| format!("{ty}.{f}"))).collect::<Vec<_>>().join(", ")
}

impl Fieldsets {
    /// Reads every `fields[...]` pair; `Err` carries spatie's 400 message naming every
    /// field that is not allowed (an unknown type makes all its fields unknown).
    pub fn parse(pairs: &[(String, String)]) -> Result<Fieldsets, String> {
        let mut sets: Vec<(String, Vec<String>)> = Vec::new();
        let mut unknown = Vec::new();
        for (k, v) in pairs {
            let Some(ty) = k.strip_prefix("fields[").and_then(|r| r.strip_suffix(']')) else { continue };
            let names: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            let allowed = RUN_FIELDS.iter().find(|(t, _)| *t == ty).map(|(_, f)| *f).unwrap_or(&[]);
            unknown.extend(names.iter().filter(|n| !allowed.contains(&n.as_str())).map(|n| format!("{ty}.{n}")));
            if names.is_empty() {
                continue;
            }
            match sets.iter_mut().find(|(t, _)| t == ty) {
                Some((_, have)) => have.extend(names),
                None => sets.push((ty.to_string(), names)),
            }
        }
        if !unknown.is_empty() {
            return Err(format!("Requested field(s) `{}` are not allowed. Allowed field(s) are `{}`.", unknown.join(", "), allowed_list()));
        }
        Ok(Fieldsets(sets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Narrows the included relations of one rendered (flat) run.
    pub fn apply(&self, run: &mut Map<String, Value>) {
        for (ty, names) in &self.0 {
            let Some((key, link)) = relation(ty) else { continue };
            let Some(current) = run.get_mut(key) else { continue };
            *current = match link {
                Link::Foreign => Value::Array(Vec::new()),
                Link::Owner if !names.iter().any(|n| n == "id") => Value::Null,
                Link::Owner => narrow(current, names),
            };
        }
    }
}

fn narrow(v: &Value, names: &[String]) -> Value {
    match v {
        Value::Object(o) => {
            Value::Object(o.iter().filter(|(k, _)| names.iter().any(|n| n == *k)).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn unknown_types_and_fields_answer_spaties_message() {
        let all = "trackedData.id, flow.id, flow.name, flowVersion.steps.name, retriedFlowRun.id, retriedFlowRun.status";
        assert_eq!(
            Fieldsets::parse(&pairs(&[("fields[flow]", "id,colour")])).unwrap_err(),
            format!("Requested field(s) `flow.colour` are not allowed. Allowed field(s) are `{all}`.")
        );
        assert!(Fieldsets::parse(&pairs(&[("fields[flowRuns]", "id,status")]))
            .unwrap_err()
            .starts_with("Requested field(s) `flowRuns.id, flowRuns.status` are not allowed."));
        assert!(Fieldsets::parse(&pairs(&[("fields[flow_runs]", "id")])).is_err(), "the run itself has no allowed fields");
        let ok = Fieldsets::parse(&pairs(&[("fields[flow]", "name"), ("fields[flowVersion]", "steps.name"), ("fields[trackedData]", "")]));
        assert_eq!(ok.unwrap().0, vec![("flow".to_string(), vec!["name".to_string()]), ("flowVersion".into(), vec!["steps.name".into()])]);
    }

    #[test]
    fn only_named_fields_and_unmatched_relations_are_empty() {
        let run = json!({"id": 1, "flow_id": 9, "flow": {"id": 9, "name": "Orders"}, "flow_version": {"id": 3, "version": 2},
            "retried_flow_run": [{"id": 5, "status": 2}], "tracked_data": [{"id": 7}]});
        let apply = |q: &[(&str, &str)]| {
            let mut m = run.as_object().unwrap().clone();
            Fieldsets::parse(&pairs(q)).unwrap().apply(&mut m);
            Value::Object(m)
        };
        let v = apply(&[("fields[flow]", "id")]);
        assert_eq!(v["flow"], json!({"id": 9}));
        assert_eq!(v["flow_id"], 9, "the run's own key stays");
        assert_eq!(v["flow_version"], run["flow_version"], "untouched without its fieldset");
        assert_eq!(apply(&[("fields[flow]", "name")])["flow"], Value::Null, "no key, no match");
        assert_eq!(apply(&[("fields[flowVersion]", "steps.name")])["flow_version"], Value::Null);
        assert_eq!(apply(&[("fields[retriedFlowRun]", "id,status")])["retried_flow_run"], json!([]));
        assert_eq!(apply(&[("fields[trackedData]", "id")])["tracked_data"], json!([]));
        assert!(apply(&[("fields[trackedData]", "id")]).get("flow").is_some());
    }
}
