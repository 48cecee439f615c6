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
    /// When a sign-in token stops working (Unix ms); API keys do not expire.
    pub expires_at_ms: Option<i64>,
    /// Kept in local storage ("remember on this device") rather than for this tab only.
    pub remember: bool,
}

impl Connection {
    pub fn to_json(&self) -> String {
        let (kind, token) = match &self.credential {
            Some(Credential::ApiKey(k)) => ("key", Some(k.as_str())),
            Some(Credential::Bearer(t)) => ("bearer", Some(t.as_str())),
            None => ("none", None),
        };
        json!({"apiBase": self.api_base, "kind": kind, "token": token, "expiresAt": self.expires_at_ms, "remember": self.remember})
            .to_string()
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
        Connection {
            api_base: f.string(&["apiBase"]).filter(|b| !b.trim().is_empty()),
            credential,
            expires_at_ms: f.int(&["expiresAt"]),
            remember: f.get(&["remember"]).and_then(crate::api::decode::as_bool).unwrap_or(true),
        }
    }

    /// The same connection without a credential once its token has expired at `now`.
    pub fn unexpired(mut self, now_ms: i64) -> Connection {
        if self.expires_at_ms.is_some_and(|t| t <= now_ms) {
            self.credential = None;
            self.expires_at_ms = None;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for c in [
            Connection::default(),
            Connection {
                api_base: Some("https://x".into()),
                credential: Some(Credential::ApiKey("k\"1".into())),
                expires_at_ms: None,
                remember: true,
            },
            Connection { api_base: None, credential: Some(Credential::Bearer("jwt".into())), expires_at_ms: Some(5), remember: false },
        ] {
            assert_eq!(Connection::from_json(&c.to_json()), c);
        }
    }

    #[test]
    fn expired_tokens_are_dropped() {
        let c = Connection { credential: Some(Credential::Bearer("t".into())), expires_at_ms: Some(1000), ..Connection::default() };
        assert!(c.clone().unexpired(999).credential.is_some());
        assert_eq!(c.unexpired(1000).credential, None);
        let key = Connection { credential: Some(Credential::ApiKey("k".into())), ..Connection::default() };
        assert!(key.unexpired(i64::MAX).credential.is_some());
    }

    #[test]
    fn garbage_is_no_connection() {
        for s in ["", "{", "[]", r#"{"kind":"key","token":""}"#, r#"{"kind":"magic","token":"x"}"#] {
            assert_eq!(Connection::from_json(s).credential, None, "{s}");
        }
    }
}
