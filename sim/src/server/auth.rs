//! Credentials: the API key, and Bearer tokens from the two login variants
//! (`POST /fabric/api/login` with a username or e-mail address, `POST /api/v1/login` with an
//! e-mail address, the "separate fabric host" variant of api-facts.md).

use super::state::{lock, Sim};
use super::{error, now_ms};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Tokens kept at most; the oldest are forgotten first (their holders get 401 and sign in
/// again), so that signing in in a loop cannot grow the simulator without bound.
pub const TOKEN_CAP: usize = 10_000;
const TOKEN_LIFETIME_S: i64 = 86_400;

/// Issued tokens and their expiry (Unix ms), oldest first.
#[derive(Default)]
pub struct Tokens {
    expiry: HashMap<String, i64>,
    order: VecDeque<String>,
    issued: u64,
}

impl Tokens {
    fn issue(&mut self, seed: u64, now: i64) -> String {
        self.issued += 1;
        let token = format!("sim.{:016x}.{:x}.{:x}", crate::data::mix(seed, 99, self.issued), now, self.issued);
        while self.order.len() >= TOKEN_CAP {
            if let Some(old) = self.order.pop_front() {
                self.expiry.remove(&old);
            }
        }
        self.expiry.insert(token.clone(), now + TOKEN_LIFETIME_S * 1000);
        self.order.push_back(token.clone());
        token
    }

    fn valid(&self, token: &str, now: i64) -> bool {
        self.expiry.get(token).is_some_and(|exp| *exp > now)
    }
}

/// Whose request this is: `Some("demo")` for the API key or a valid token (both are the one
/// demo user, so they share a rate-limit window, as Laravel keys `throttle` by user).
pub(super) fn user_of(sim: &Sim, headers: &HeaderMap) -> Option<&'static str> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())?.trim();
    let ok = match value.strip_prefix("Bearer ") {
        Some(token) => lock(&sim.tokens).valid(token.trim(), now_ms()),
        None => !value.is_empty() && value == sim.opts.api_key,
    };
    ok.then_some("demo")
}

fn invalid(errors: Map<String, Value>) -> Response {
    let first = errors.values().next().and_then(|v| v[0].as_str()).unwrap_or("The given data was invalid.").to_string();
    let message = match errors.len() {
        0 | 1 => first,
        2 => format!("{first} (and 1 more error)"),
        n => format!("{first} (and {} more errors)", n - 1),
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": message, "errors": errors}))).into_response()
}

/// Both variants: `names` are the body fields that may carry the user, in order of
/// preference; the first is the one a missing user is reported under.
fn sign_in(sim: &Sim, body: &[u8], names: &[&str]) -> Response {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, "The request body is not JSON."),
    };
    if !v.is_object() {
        return invalid(Map::new());
    }
    // Laravel's `string` rule: present fields must be strings.
    let not_string: Map<String, Value> = names
        .iter()
        .chain(&["password"])
        .filter(|k| v.get(**k).is_some_and(|f| !f.is_string() && !f.is_null()))
        .map(|k| (k.to_string(), json!([format!("The {k} field must be a string.")])))
        .collect();
    if !not_string.is_empty() {
        return invalid(not_string);
    }
    let user = names.iter().find_map(|k| v.get(*k).and_then(Value::as_str).filter(|u| !u.is_empty())).unwrap_or_default();
    let password = v.get("password").and_then(Value::as_str).unwrap_or_default();
    let mut errors = Map::new();
    if user.is_empty() {
        errors.insert(names[0].into(), json!([format!("The {} field is required.", names[0])]));
    }
    if password.is_empty() {
        errors.insert("password".into(), json!(["The password field is required."]));
    }
    if !errors.is_empty() {
        return invalid(errors);
    }
    if user != sim.opts.username || password != sim.opts.password {
        return error(StatusCode::UNAUTHORIZED, "These credentials do not match our records.");
    }
    let token = lock(&sim.tokens).issue(sim.opts.seed, now_ms());
    Json(json!({"message": "You have successfully logged in.", "token": token, "expires_in": TOKEN_LIFETIME_S})).into_response()
}

/// `POST /fabric/api/login`: `{"username" (or "email"), "password"}`.
pub(super) async fn login(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    sign_in(&sim, &body, &["username", "email"])
}

/// `POST /api/v1/login`: `{"email", "password"}` only.
pub(super) async fn login_email(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    sign_in(&sim, &body, &["email"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bounded_oldest_first() {
        let mut t = Tokens::default();
        let first = t.issue(1, 1_000);
        let second = t.issue(1, 1_000);
        assert_ne!(first, second);
        for _ in 0..TOKEN_CAP {
            t.issue(1, 1_000);
        }
        assert_eq!((t.order.len(), t.expiry.len()), (TOKEN_CAP, TOKEN_CAP));
        assert!(!t.valid(&first, 1_001) && !t.valid(&second, 1_001), "the oldest were dropped");
        assert!(t.valid(t.order.back().unwrap(), 1_001));
        assert!(!t.valid(t.order.back().unwrap(), 1_000 + TOKEN_LIFETIME_S * 1000), "expired");
    }
}
