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

/// `scheme://host[:port]` of an absolute http(s) URL, lower-cased; `None` for anything else.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials in a URL (`user@host`) are not part of the origin.
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h).to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    Some(format!("{scheme}://{}", host.strip_suffix(default_port).unwrap_or(&host)))
}

/// The credential `next` may keep when the resolved API base moves from `old_base` to
/// `new_base`: a token goes only to the origin it was given for, so moving to another origin
/// drops it unless a different one was entered for the new origin.
pub fn credential_for_base(old_base: &str, old: Option<&Credential>, new_base: &str, next: Option<Credential>) -> Option<Credential> {
    let same_origin = origin_of(old_base).is_some() && origin_of(old_base) == origin_of(new_base);
    if same_origin || next.as_ref() != old {
        next
    } else {
        None
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

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://Core.Example.com/api?x").as_deref(), Some("https://core.example.com"));
        assert_eq!(origin_of("https://core.example.com:443").as_deref(), Some("https://core.example.com"));
        assert_eq!(origin_of("http://127.0.0.1:8080/x").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin_of("https://user:pw@evil.test/").as_deref(), Some("https://evil.test"));
        assert_eq!(origin_of("/patchworks"), None);
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://"), None);
    }

    #[test]
    fn a_token_does_not_follow_the_base_to_another_origin() {
        let key = Credential::ApiKey("k".into());
        let same = credential_for_base("https://a.test", Some(&key), "https://a.test/v2", Some(key.clone()));
        assert_eq!(same, Some(key.clone()));
        let moved = credential_for_base("https://a.test", Some(&key), "https://b.test", Some(key.clone()));
        assert_eq!(moved, None);
        let fresh = Credential::ApiKey("for-b".into());
        assert_eq!(credential_for_base("https://a.test", Some(&key), "https://b.test", Some(fresh.clone())), Some(fresh));
        assert_eq!(credential_for_base("https://a.test", None, "https://b.test", None), None);
    }
}
