//! The connection the user set up: API base and credential, as kept in browser storage, and
//! the rules that keep a token on the origin it was given for. Pure: `state` reads and writes
//! storage and asks the browser's URL parser for origins (`browser::url_origin`).

use crate::api::decode::Fields;
use crate::api::Credential;
use serde_json::{json, Value};

/// Where versions before origins were recorded kept the connection, one key for every
/// deployment on the origin. Read once, at start-up, when there is nothing under the new key.
pub const LEGACY_KEY: &str = "frc.connection.v1";

/// The storage key of the connection of the app at `base_path` ("" at the root, or
/// "/tools/runs"): two deployments on one origin under different paths keep their own.
pub fn storage_key(base_path: &str) -> String {
    format!("frc.connection.v2:{}", if base_path.is_empty() { "/" } else { base_path })
}

/// The key a sign-out is announced under, so that the app's other tabs sign out too.
pub fn sign_out_key(base_path: &str) -> String {
    format!("frc.signed-out.v2:{}", if base_path.is_empty() { "/" } else { base_path })
}

/// The latest expiry a sign-in token may claim (the end of year 9999, as dates elsewhere).
pub const MAX_EXPIRY_MS: i64 = 253_402_300_799_999;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Connection {
    /// Overrides `config.json`'s API base when set on the Connection page.
    pub api_base: Option<String>,
    pub credential: Option<Credential>,
    /// The API origin (`scheme://host[:port]`) the credential was given for: it is sent
    /// nowhere else, and dropped at start-up when the API base resolves elsewhere.
    pub origin: Option<String>,
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
        json!({"apiBase": self.api_base, "kind": kind, "token": token, "origin": self.origin, "expiresAt": self.expires_at_ms, "remember": self.remember})
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
            origin: f.string(&["origin"]).filter(|o| !o.is_empty()),
            expires_at_ms: f.int(&["expiresAt"]),
            remember: f.get(&["remember"]).and_then(crate::api::decode::as_bool).unwrap_or(true),
        }
    }

    /// The same connection without a credential once its token has expired at `now`.
    pub fn unexpired(mut self, now_ms: i64) -> Connection {
        if self.expires_at_ms.is_some_and(|t| t <= now_ms) {
            self.signed_out();
        }
        self
    }

    /// Without its credential (and what describes it).
    pub fn signed_out(&mut self) {
        self.credential = None;
        self.origin = None;
        self.expires_at_ms = None;
    }
}

/// When a sign-in token that is valid for `expires_in_s` seconds from `now_ms` expires: never
/// before now, never past `MAX_EXPIRY_MS`, whatever the answer says (no arithmetic wraps).
pub fn expiry_at(now_ms: i64, expires_in_s: Option<i64>) -> Option<i64> {
    expires_in_s.map(|s| now_ms.saturating_add(s.max(0).saturating_mul(1000)).min(MAX_EXPIRY_MS))
}

/// What start-up makes of storage.
#[derive(Clone, Debug, PartialEq)]
pub struct Restored {
    pub connection: Connection,
    /// Read from `LEGACY_KEY`: to be written under the app's key, and the old key removed.
    pub migrated: bool,
    /// A stored credential was dropped (another origin): the stored record is to be rewritten.
    pub dropped: bool,
}

/// The connection at start-up from the record under the app's key (`current`), else the one
/// a version before kept under `LEGACY_KEY`. `resolved_origin(c)` is the origin `c`'s API
/// base resolves to now (the browser's URL parser), `page_origin` the app's own.
///
/// A credential is kept only when it was stored for the origin its API base resolves to now.
/// A legacy record does not say which origin it was for; it counts as stored for its own API
/// base, or, without one, for the page's origin (the API base by default), so that a
/// `config.json` that now names another origin does not receive it.
pub fn restore(
    current: Option<&str>,
    legacy: Option<&str>,
    page_origin: &str,
    resolved_origin: impl Fn(&Connection) -> Option<String>,
    now_ms: i64,
) -> Restored {
    let (mut c, migrated) = match (current, legacy) {
        (Some(text), _) => (Connection::from_json(text), false),
        (None, Some(text)) => {
            let mut c = Connection::from_json(text);
            c.origin = if c.api_base.is_some() { resolved_origin(&c) } else { Some(page_origin.to_string()) };
            (c, true)
        }
        (None, None) => (Connection::default(), false),
    };
    let had = c.credential.is_some();
    c = c.unexpired(now_ms);
    let keep = c.credential.is_some() && c.origin.is_some() && c.origin == resolved_origin(&c);
    if !keep {
        c.signed_out();
    }
    Restored { dropped: had && !keep && !migrated, connection: c, migrated }
}

/// `scheme://host[:port]` of an absolute http(s) URL, lower-cased, for native code (the
/// configuration's checks); `None` for anything else. The app compares origins with the
/// browser's parser (`browser::url_origin`); this one answers only where it agrees with it
/// (`tests::origin_of_agrees_with_the_whatwg_parser`) and refuses whatever it cannot vouch
/// for: backslashes, control characters and spaces (browsers drop or reinterpret them),
/// percent signs, non-ASCII, IPv6 and numeric hosts other than dotted IPv4, odd ports.
pub fn origin_of(url: &str) -> Option<String> {
    // Browsers trim C0 controls and spaces at the ends; other whitespace is not trimmed.
    let url = url.trim_matches(|c: char| c <= ' ');
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    // `\` ends the authority in special URLs, as `/`, `?` and `#` do.
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    if authority.chars().any(|c| c <= ' ' || c == '%' || c == '\u{7f}' || !c.is_ascii()) {
        return None;
    }
    // Credentials in a URL (`user@host`) are not part of the origin.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h).to_ascii_lowercase();
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port.as_str(), None),
    };
    if !plain_host(host) {
        return None;
    }
    let port = match port {
        None | Some("") => None,
        Some(p) if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse::<u32>().ok().filter(|n| *n <= 65_535)?),
        Some(_) => return None,
    };
    let default = if scheme == "http" { 80 } else { 443 };
    Some(match port {
        Some(p) if p != default => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// A host every URL parser reads the same: lower-case DNS labels of letters, digits and
/// inner hyphens (no punycode), or a dotted IPv4 address written canonically.
fn plain_host(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
            && !l.starts_with("xn--")
    };
    if host.is_empty() || host.len() > 253 || !labels.iter().all(label_ok) {
        return false;
    }
    // A last label that is a number makes the whole host an IPv4 address to a browser.
    let last = labels.last().copied().unwrap_or_default();
    let numeric = last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x");
    if !numeric {
        return true;
    }
    labels.len() == 4
        && labels.iter().all(|l| {
            l.bytes().all(|b| b.is_ascii_digit()) && (*l == "0" || !l.starts_with('0')) && l.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// The credential `next` may keep when the resolved API base moves from `old_origin` to
/// `new_origin` (both from the browser's parser): a token goes only to the origin it was given
/// for, so moving to another origin drops it unless a different one was entered for the new
/// origin.
pub fn credential_for_base(
    old_origin: Option<&str>,
    old: Option<&Credential>,
    new_origin: Option<&str>,
    next: Option<Credential>,
) -> Option<Credential> {
    let same_origin = old_origin.is_some() && old_origin == new_origin;
    // The token decides, not its kind: the old token switched from "API key" to "Bearer" is
    // still the old token, and it does not go to the new origin.
    if same_origin || next.as_ref().map(Credential::token) != old.map(Credential::token) {
        next
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
