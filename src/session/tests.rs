use super::*;
use proptest::prelude::*;

#[test]
fn round_trip() {
    for c in [
        Connection::default(),
        Connection {
            api_base: Some("https://x".into()),
            credential: Some(Credential::ApiKey("k\"1".into())),
            origin: Some("https://x".into()),
            expires_at_ms: None,
            remember: true,
        },
        Connection {
            api_base: None,
            credential: Some(Credential::Bearer("jwt".into())),
            origin: Some("http://127.0.0.1:8080".into()),
            expires_at_ms: Some(5),
            remember: false,
        },
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
fn an_expiry_near_the_integer_limit_does_not_wrap() {
    assert_eq!(expiry_at(1_000, Some(60)), Some(61_000));
    assert_eq!(expiry_at(1_000, None), None);
    for huge in [i64::MAX, i64::MAX / 1000 + 1, 9_223_372_036_854_775] {
        assert_eq!(expiry_at(1_700_000_000_000, Some(huge)), Some(MAX_EXPIRY_MS), "{huge}");
    }
    assert_eq!(expiry_at(1_000, Some(-5)), Some(1_000), "a negative lifetime has already ended");
    assert_eq!(expiry_at(1_000, Some(i64::MIN)), Some(1_000));
}

#[test]
fn garbage_is_no_connection() {
    for s in ["", "{", "[]", r#"{"kind":"key","token":""}"#, r#"{"kind":"magic","token":"x"}"#] {
        assert_eq!(Connection::from_json(s).credential, None, "{s}");
    }
}

#[test]
fn deployments_under_different_paths_keep_their_own_connection() {
    assert_ne!(storage_key("/tools/runs-staging"), storage_key("/tools/runs"));
    assert_ne!(storage_key(""), storage_key("/tools/runs"));
    assert_ne!(storage_key(""), LEGACY_KEY);
    assert_ne!(sign_out_key("/tools/runs"), storage_key("/tools/runs"));
}

/// The origin a connection's base resolves to, as the browser would say (plain URLs only).
fn resolve(config_base: &'static str) -> impl Fn(&Connection) -> Option<String> {
    move |c: &Connection| {
        let base = c.api_base.clone().unwrap_or_else(|| config_base.to_string());
        if base.starts_with('/') || base.is_empty() {
            Some("https://app.test".into())
        } else {
            origin_of(&base)
        }
    }
}

fn stored(origin: Option<&str>, api_base: Option<&str>) -> String {
    Connection {
        api_base: api_base.map(String::from),
        credential: Some(Credential::ApiKey("k".into())),
        origin: origin.map(String::from),
        ..Connection::default()
    }
    .to_json()
}

#[test]
fn a_stored_token_stays_with_the_origin_it_was_stored_for() {
    let mine = stored(Some("https://api.test"), None);
    let kept = restore(Some(&mine), None, "https://app.test", resolve("https://api.test/v1"), 0);
    assert!(kept.connection.credential.is_some() && !kept.dropped && !kept.migrated);
    // config.json's apiBase now names another origin: the token does not go there.
    let moved = restore(Some(&mine), None, "https://app.test", resolve("https://evil.test"), 0);
    assert_eq!(moved.connection.credential, None);
    assert!(moved.dropped);
    // A record that does not say where it belongs keeps no token.
    let unsaid = stored(None, None);
    assert_eq!(restore(Some(&unsaid), None, "https://app.test", resolve("https://api.test"), 0).connection.credential, None);
}

#[test]
fn a_connection_from_before_is_read_once_and_only_for_its_origin() {
    // No API base of its own: it was for the page's origin, the default base.
    let legacy = stored(None, None);
    let r = restore(None, Some(&legacy), "https://app.test", resolve(""), 0);
    assert!(r.migrated && r.connection.credential.is_some());
    assert_eq!(r.connection.origin.as_deref(), Some("https://app.test"));
    let r = restore(None, Some(&legacy), "https://app.test", resolve("https://elsewhere.test"), 0);
    assert!(r.migrated && r.connection.credential.is_none(), "config.json points elsewhere now: dropped");
    // Its own API base: it was entered for that one.
    let own = stored(None, Some("https://api.test"));
    assert!(restore(None, Some(&own), "https://app.test", resolve("https://other.test"), 0).connection.credential.is_some());
    // The app's own record wins over the old one, which is not read again.
    let mine = stored(Some("https://app.test"), None).replace("\"k\"", "\"mine\"");
    let r = restore(Some(&mine), Some(&legacy), "https://app.test", resolve(""), 0);
    assert!(!r.migrated);
    assert_eq!(r.connection.credential, Some(Credential::ApiKey("mine".into())));
}

#[test]
fn origins() {
    assert_eq!(origin_of("https://Core.Example.com/api?x").as_deref(), Some("https://core.example.com"));
    assert_eq!(origin_of("https://core.example.com:443").as_deref(), Some("https://core.example.com"));
    assert_eq!(origin_of("http://127.0.0.1:8080/x").as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(origin_of("https://user:pw@evil.test/").as_deref(), Some("https://evil.test"));
    assert_eq!(origin_of(" https://api.test/ ").as_deref(), Some("https://api.test"));
    assert_eq!(origin_of("/patchworks"), None);
    assert_eq!(origin_of("javascript:alert(1)"), None);
    assert_eq!(origin_of("https://"), None);
}

#[test]
fn a_backslash_ends_the_host_as_browsers_read_it() {
    // Browsers read `\` as `/` here: this URL goes to evil.test, so it is not api.test's.
    assert_ne!(origin_of(r"https://evil.test\@api.test").as_deref(), Some("https://api.test"));
    let whatwg = url::Url::parse(r"https://evil.test\@api.test").unwrap().origin().ascii_serialization();
    assert_eq!(whatwg, "https://evil.test");
    for odd in ["https://ev\til.test", "https://0x7f.1", "https://127.1", "https://ex%61mple.test", "https://[::1]", "https://é.test"] {
        assert_eq!(origin_of(odd), None, "{odd:?}");
    }
}

#[test]
fn a_token_does_not_follow_the_base_to_another_origin() {
    let key = Credential::ApiKey("k".into());
    let (a, b) = (Some("https://a.test"), Some("https://b.test"));
    assert_eq!(credential_for_base(a, Some(&key), a, Some(key.clone())), Some(key.clone()));
    assert_eq!(credential_for_base(a, Some(&key), b, Some(key.clone())), None);
    let fresh = Credential::ApiKey("for-b".into());
    assert_eq!(credential_for_base(a, Some(&key), b, Some(fresh.clone())), Some(fresh));
    assert_eq!(credential_for_base(a, None, b, None), None);
    assert_eq!(credential_for_base(None, Some(&key), None, Some(key.clone())), None, "no origin: never the same one");
    // The same token under another kind is still the old token.
    assert_eq!(credential_for_base(a, Some(&key), b, Some(Credential::Bearer("k".into()))), None);
}

/// URLs built from the pieces that make parsers disagree.
fn risky_urls() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["http", "https", "HTTPS", "ftp", "javascript", "hTTp"]);
    let sep = prop::sample::select(vec!["://", ":/", ":\\\\", ":///", ":", "://\\"]);
    let user = prop::sample::select(vec!["", "user@", "user:pw@", "a@b@", "evil.test\\@", "x:y"]);
    let host = prop::sample::select(vec![
        "api.test",
        "evil.test",
        "127.0.0.1",
        "0x7f.1",
        "127.1",
        "1.2.3.04",
        "256.1.1.1",
        "EXAMPLE.com",
        "xn--abc.test",
        "ex%61mple.com",
        "exa mple.test",
        "a..b",
        "[::1]",
        "é.test",
        "a_b.test",
        "-a.test",
        "api.test.",
        "",
        "1.2.3.4.5",
        "9.test.1",
    ]);
    let port = prop::sample::select(vec!["", ":", ":80", ":443", ":0080", ":65536", ":8080", ":x", ":+1"]);
    let tail = prop::sample::select(vec!["", "/", "\\@api.test", "\\", "?x", "#y", "/path", "@api.test", ":80@api.test"]);
    let insert = prop::sample::select(vec!["", "\t", "\n", "\r", " ", "\u{a0}", "\u{0}", "\u{3000}", "\\", "/", "@"]);
    (scheme, sep, user, host, port, tail, insert, any::<prop::sample::Index>()).prop_map(|(s, sep, u, h, p, t, ins, at)| {
        let url = format!("{s}{sep}{u}{h}{p}{t}");
        let chars: Vec<char> = url.chars().collect();
        let i = at.index(chars.len() + 1);
        chars[..i].iter().collect::<String>() + ins + &chars[i..].iter().collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    /// Whenever the pure function names an origin, the WHATWG parser (what browsers use)
    /// names the same one: it can never keep a token that the browser sends elsewhere.
    fn origin_of_agrees_with_the_whatwg_parser(s in risky_urls()) {
        if let Some(o) = origin_of(&s) {
            let parsed = url::Url::parse(&s);
            prop_assert!(parsed.is_ok(), "{:?} → {} but the parser refuses it", s, o);
            let whatwg = parsed.map(|u| u.origin().ascii_serialization()).unwrap_or_default();
            prop_assert_eq!(whatwg, o, "{:?}", s);
        }
    }

    #[test]
    /// And it answers for the plain URLs a deployment writes.
    fn origin_of_reads_plain_urls(host in "[a-z][a-z0-9-]{0,8}[a-z0-9](\\.[a-z][a-z0-9]{0,6}){0,3}", port in proptest::option::of(1u32..65_536), https in any::<bool>(), path in "(/[a-z0-9]{0,5}){0,3}") {
        let scheme = if https { "https" } else { "http" };
        let s = format!("{scheme}://{host}{}{path}", port.map(|p| format!(":{p}")).unwrap_or_default());
        let whatwg = url::Url::parse(&s).map(|u| u.origin().ascii_serialization()).ok();
        prop_assert_eq!(origin_of(&s), whatwg, "{:?}", s);
    }
}
