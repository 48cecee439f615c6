//! App-wide state, provided once as context: configuration, the connection, the look.

use crate::api::{ApiClient, ApiError, Scheduler};
use crate::browser::{self, Store};
use crate::config::AppConfig;
use crate::session::{self, Connection, LEGACY_KEY};
use crate::time::Zone;
use leptos::prelude::*;

/// What the last answer from the API said about the connection (shown in the header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// No credential stored yet.
    NoToken,
    /// Not asked yet, or no answer yet.
    Unknown,
    Ok,
    Unauthorized,
    Unreachable,
}

impl LinkState {
    pub fn label(self) -> &'static str {
        match self {
            LinkState::NoToken => "Not connected",
            LinkState::Unknown => "Connecting…",
            LinkState::Ok => "Connected",
            LinkState::Unauthorized => "Token rejected",
            LinkState::Unreachable => "API unreachable",
        }
    }
    pub fn css(self) -> &'static str {
        match self {
            LinkState::NoToken | LinkState::Unauthorized => "bad",
            LinkState::Unknown => "unknown",
            LinkState::Ok => "ok",
            LinkState::Unreachable => "warn",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    /// The next theme of the toggle: auto → the opposite of what auto shows now → the other → auto.
    pub fn next(self, auto_is_dark: bool) -> Theme {
        match (self, auto_is_dark) {
            (Theme::Auto, true) => Theme::Light,
            (Theme::Auto, false) => Theme::Dark,
            (Theme::Light, _) if !auto_is_dark => Theme::Auto,
            (Theme::Light, _) => Theme::Dark,
            (Theme::Dark, _) if auto_is_dark => Theme::Auto,
            (Theme::Dark, _) => Theme::Light,
        }
    }
}

const THEME_KEY: &str = "frc.theme";
const ZONE_KEY: &str = "frc.zone";

#[derive(Clone, Copy)]
pub struct AppState {
    pub config: StoredValue<AppConfig>,
    /// Problems found in `config.json`, shown once on the Connection page.
    pub config_warnings: StoredValue<Vec<String>>,
    pub connection: RwSignal<Connection>,
    pub link: RwSignal<LinkState>,
    pub theme: RwSignal<Theme>,
    pub zone: RwSignal<Zone>,
    /// The request budget every API call of the app goes through.
    pub scheduler: StoredValue<Scheduler>,
    /// The run table's last view, so that a run page links back to the same filters.
    pub runs_href: RwSignal<String>,
    /// Whether browser storage can be written; if not, the connection lives in memory only.
    pub storage_ok: StoredValue<bool>,
    /// The owner of app-lifetime tasks (the sign-in expiry): the app's, or its widget's.
    owner: crate::tasks::Scope,
    expiry_timer: StoredValue<Option<crate::tasks::Task>, LocalStorage>,
}

/// Whether retry and stop are hidden in this part of the page (a read-only script widget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOnly(pub bool);

impl AppState {
    pub fn new(config: AppConfig, config_warnings: Vec<String>) -> AppState {
        let connection = restore_connection(&config.api_base);
        let link = if connection.credential.is_some() { LinkState::Unknown } else { LinkState::NoToken };
        let theme = browser::storage_get(Store::Local, THEME_KEY).map(|s| Theme::parse(&s)).unwrap_or(Theme::Auto);
        let zone = browser::storage_get(Store::Local, ZONE_KEY).and_then(|s| Zone::parse(&s)).unwrap_or(config.time_zone);
        apply_theme(theme);
        let scheduler = Scheduler::new(config.requests_per_minute);
        let expires = connection.expires_at_ms;
        let state = AppState {
            config: StoredValue::new(config),
            config_warnings: StoredValue::new(config_warnings),
            connection: RwSignal::new(connection),
            link: RwSignal::new(link),
            theme: RwSignal::new(theme),
            zone: RwSignal::new(zone),
            scheduler: StoredValue::new(scheduler),
            runs_href: RwSignal::new("/runs".into()),
            storage_ok: StoredValue::new(browser::storage_works(Store::Local) || browser::storage_works(Store::Session)),
            owner: crate::tasks::Scope::here(),
            expiry_timer: StoredValue::new_local(None),
        };
        state.watch_expiry(expires);
        state.follow_other_tabs();
        state
    }

    /// The state of one script widget: its connection comes from the host page's options and
    /// is never read from or written to browser storage; nothing global (theme) is touched.
    /// Every widget of a page spends one budget (`scheduler`): they share the account's limit.
    pub fn for_widget(config: AppConfig, connection: Connection, scheduler: Scheduler) -> AppState {
        let link = if connection.credential.is_some() { LinkState::Unknown } else { LinkState::NoToken };
        let zone = config.time_zone;
        AppState {
            config: StoredValue::new(config),
            config_warnings: StoredValue::new(Vec::new()),
            connection: RwSignal::new(connection),
            link: RwSignal::new(link),
            theme: RwSignal::new(Theme::Auto),
            zone: RwSignal::new(zone),
            scheduler: StoredValue::new(scheduler),
            runs_href: RwSignal::new("/runs".into()),
            storage_ok: StoredValue::new(false),
            owner: crate::tasks::Scope::here(),
            expiry_timer: StoredValue::new_local(None),
        }
    }

    /// The API base in force: the Connection page's, else `config.json`'s, else this origin.
    pub fn api_base(&self) -> String {
        self.connection.with(|c| self.base_for(c))
    }

    /// The API base a connection resolves to (its own, else `config.json`'s, else this origin).
    pub fn base_for(&self, c: &Connection) -> String {
        self.config.with_value(|config| resolve_base(&config.api_base, c))
    }

    /// A client for the current connection (a tracked read: resources re-run on change).
    pub fn client(&self) -> ApiClient {
        self.connection.with(|c| self.client_for(c))
    }

    /// A client for a connection that is not (yet) the app's, such as the one being typed on
    /// the Connection page; it shares the app's request budget.
    pub fn client_for(&self, c: &Connection) -> ApiClient {
        ApiClient::new(
            &self.base_for(c),
            c.credential.clone(),
            self.config.with_value(|c| c.request_timeout_ms),
            self.scheduler.get_value(),
        )
    }

    /// Keeps `c` (its credential recorded as given for the origin its base resolves to, by the
    /// browser's parser); answers whether browser storage holds it (else it lives in memory).
    pub fn save_connection(&self, mut c: Connection) -> bool {
        c.origin = c.credential.as_ref().and_then(|_| browser::url_origin(&self.base_for(&c)));
        if c.origin.is_none() {
            c.signed_out();
        }
        let stored = write_connection(&c);
        self.link.set(if c.credential.is_some() { LinkState::Unknown } else { LinkState::NoToken });
        self.watch_expiry(c.expires_at_ms);
        self.connection.set(c);
        stored
    }

    /// Signs out when a sign-in token expires. App-lifetime (the state lives as long as the
    /// app or its widget): the timer is a task of the state's owner, so a widget's unmount
    /// ends it, and a newer expiry replaces it.
    pub fn watch_expiry(&self, expires_at_ms: Option<i64>) {
        if let Some(old) = self.expiry_timer.try_update_value(Option::take).flatten() {
            old.stop();
        }
        let Some(at) = expires_at_ms else { return };
        let state = *self;
        let wait = at.saturating_sub(browser::now_ms()).clamp(0, i64::from(i32::MAX)) as u32;
        let timer = self.owner.after(wait, move || {
            if state.connection.try_with_untracked(|c| c.expires_at_ms == Some(at)) == Some(true) {
                // A timer waits at most ~24.8 days: a longer token is not due yet.
                if browser::now_ms() < at {
                    state.watch_expiry(Some(at));
                } else {
                    state.sign_out();
                }
            }
        });
        self.expiry_timer.set_value(timer);
    }

    /// Signs out here and in the app's other tabs (they hear of it through the `storage` event).
    pub fn sign_out(&self) {
        let base = browser::base_path();
        browser::storage_remove(Store::Local, &session::storage_key(&base));
        let announce = session::sign_out_key(&base);
        browser::storage_set(Store::Local, &announce, &browser::now_ms().to_string());
        browser::storage_remove(Store::Local, &announce);
        self.sign_out_here();
    }

    /// Signs this tab out (its tab-only token too), without telling other tabs.
    fn sign_out_here(&self) {
        browser::storage_remove(Store::Session, &session::storage_key(&browser::base_path()));
        self.connection.update(Connection::signed_out);
        self.link.set(LinkState::NoToken);
    }

    /// Signs out when another tab of the app does (or clears the site's storage). A listener of
    /// the app: it ends with the app's owner.
    fn follow_other_tabs(&self) {
        let state = *self;
        let announce = session::sign_out_key(&browser::base_path());
        let handle = window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
            let signs_out = match ev.key() {
                None => true,
                Some(k) => k == announce && ev.new_value().is_some(),
            };
            if signs_out && state.connection.try_with_untracked(|c| c.credential.is_some()) == Some(true) {
                state.sign_out_here();
            }
        });
        on_cleanup(move || handle.remove());
    }

    /// Updates the header's connection state from an API result.
    pub fn observe<T>(&self, result: &Result<T, ApiError>) {
        let next = match result {
            Ok(_) => LinkState::Ok,
            Err(ApiError::Unauthorized | ApiError::BadCredential { .. }) => LinkState::Unauthorized,
            Err(ApiError::Network { .. } | ApiError::Timeout { .. }) => LinkState::Unreachable,
            Err(ApiError::Aborted) => return,
            Err(_) => LinkState::Ok,
        };
        // `try_`: a widget's state may be gone by the time an answer arrives.
        if self.link.try_get_untracked().is_some_and(|now| now != next) {
            self.link.set(next);
        }
    }

    pub fn set_theme(&self, t: Theme) {
        browser::storage_set(Store::Local, THEME_KEY, t.as_str());
        apply_theme(t);
        self.theme.set(t);
    }

    pub fn set_zone(&self, z: Zone) {
        browser::storage_set(Store::Local, ZONE_KEY, z.as_str());
        self.zone.set(z);
    }
}

/// The API base a connection resolves to: its own, else `config.json`'s, else this origin
/// (a path is on this origin).
fn resolve_base(config_base: &str, c: &Connection) -> String {
    c.api_base
        .clone()
        .or_else(|| Some(config_base.to_string()).filter(|b| !b.is_empty()))
        .map(|b| if b.starts_with('/') { format!("{}{b}", browser::origin()) } else { b })
        .unwrap_or_else(browser::origin)
}

/// The connection at start-up (`session::restore`): this deployment's record, else once the
/// record of a version before; a credential stored for another origin than its base's now is
/// dropped, and storage is brought up to date.
fn restore_connection(config_base: &str) -> Connection {
    let key = session::storage_key(&browser::base_path());
    let read = |k: &str| browser::storage_get(Store::Local, k).or_else(|| browser::storage_get(Store::Session, k));
    let current = read(&key);
    let legacy = if current.is_none() { read(LEGACY_KEY) } else { None };
    let resolved = |c: &Connection| browser::url_origin(&resolve_base(config_base, c));
    let restored = session::restore(current.as_deref(), legacy.as_deref(), &browser::origin(), resolved, browser::now_ms());
    if restored.migrated {
        browser::storage_remove(Store::Local, LEGACY_KEY);
        browser::storage_remove(Store::Session, LEGACY_KEY);
    }
    if restored.migrated || restored.dropped {
        write_connection(&restored.connection);
    }
    restored.connection
}

/// The stores a connection is written to, in order of preference: local storage when it is
/// remembered (else session storage: less lasting, never more), session storage otherwise
/// (and nothing else: a token for this tab only never lands on disk).
pub fn write_order(remember: bool) -> &'static [Store] {
    if remember {
        &[Store::Local, Store::Session]
    } else {
        &[Store::Session]
    }
}

/// Writes `c` under the app's key in the first store of `write_order` that takes it, and
/// removes it from the other; answers whether one took it.
fn write_connection(c: &Connection) -> bool {
    let key = session::storage_key(&browser::base_path());
    let text = c.to_json();
    let order = write_order(c.remember);
    let kept = order.iter().copied().find(|s| browser::storage_set(*s, &key, &text));
    for s in [Store::Local, Store::Session] {
        if Some(s) != kept {
            browser::storage_remove(s, &key);
        }
    }
    kept.is_some()
}

fn apply_theme(t: Theme) {
    browser::set_root_attribute(
        "data-theme",
        match t {
            Theme::Auto => None,
            other => Some(other.as_str()),
        },
    );
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_for_this_tab_only_is_never_written_to_local_storage() {
        assert_eq!(write_order(false), &[Store::Session]);
        assert_eq!(write_order(true), &[Store::Local, Store::Session]);
    }

    #[test]
    fn theme_toggle_visits_every_theme() {
        for dark in [true, false] {
            let mut t = Theme::Auto;
            let mut seen = vec![t];
            for _ in 0..2 {
                t = t.next(dark);
                seen.push(t);
            }
            assert_eq!(t.next(dark), Theme::Auto);
            assert!(seen.contains(&Theme::Light) && seen.contains(&Theme::Dark));
        }
        assert_eq!(Theme::parse("nonsense"), Theme::Auto);
    }
}
