//! The connection the user set up: API base and credential, as kept in browser storage.

use crate::api::decode::Fields;
use crate::api::Credential;
use serde_json::{json, Value};

pub const STORAGE_KEY: &str = "frc.connection.v1";

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Connection {
    /// Overrides `config.json`'s API base when set on the Connection page.
    pub api_base: Option<String>,
    pub credential: Option<Credential>,
}

impl Connection {
    pub fn to_json(&self) -> String {
        let (kind, token) = match &self.credential {
            Some(Credential::ApiKey(k)) => ("key", Some(k.as_str())),
            Some(Credential::Bearer(t)) => ("bearer", Some(t.as_str())),
            None => ("none", None),
        };
        json!({"apiBase": self.api_base, "kind": kind, "token": token}).to_string()
    }

    /// Whatever is stored; anything unreadable is treated as no connection.
    pub fn from_json(text: &str) -> Connection {
        let Ok(v) = serde_json::from_str::<Value>(text) else { return Connection::default() };
        let Some(f) = Fields::of(&v) else { return Connection::default() };
        let token = f.string(&["token"]).filter(|t| !t.trim().is_empty());
        let credential = match (f.string(&["kind"]).as_deref(), token) {
            (Some("bearer"), Some(t)) => Some(Credential::Bearer(t)),
            (Some("key"), Some(t)) => Some(Credential::ApiKey(t)),
            _ => None,
        };
        Connection { api_base: f.string(&["apiBase"]).filter(|b| !b.trim().is_empty()), credential }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for c in [
            Connection::default(),
            Connection { api_base: Some("https://x".into()), credential: Some(Credential::ApiKey("k\"1".into())) },
            Connection { api_base: None, credential: Some(Credential::Bearer("jwt".into())) },
        ] {
            assert_eq!(Connection::from_json(&c.to_json()), c);
        }
    }

    #[test]
    fn garbage_is_no_connection() {
        for s in ["", "{", "[]", r#"{"kind":"key","token":""}"#, r#"{"kind":"magic","token":"x"}"#] {
            assert_eq!(Connection::from_json(s), Connection::default(), "{s}");
        }
    }
}
