//! The credential and the one header it goes in. A token is checked where it enters (the
//! Connection page, a sign-in answer, a widget's options) and again where it is sent: only
//! visible ASCII can be a header value everywhere, and a value the browser refuses would make
//! `Headers.set` throw inside the request, leaving it without an answer.

use super::error::ApiError;

/// How the token is sent: API keys bare, login tokens as `Bearer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    ApiKey(String),
    Bearer(String),
}

impl Credential {
    /// The token as it was entered.
    pub fn token(&self) -> &str {
        match self {
            Credential::ApiKey(t) | Credential::Bearer(t) => t,
        }
    }

    /// The `Authorization` header's value, or why the token cannot be one.
    pub fn header_value(&self) -> Result<String, ApiError> {
        let token = self.token().trim();
        if let Some(problem) = token_problem(token) {
            return Err(ApiError::BadCredential { problem });
        }
        Ok(match self {
            Credential::ApiKey(_) => token.to_string(),
            Credential::Bearer(_) => format!("Bearer {token}"),
        })
    }
}

/// What keeps `token` (its ends trimmed) from being sent, in words for people; `None` when it
/// can be: only visible ASCII (`!` to `~`). The words name the offending character and where
/// it is, never the token.
pub fn token_problem(token: &str) -> Option<String> {
    let token = token.trim();
    if token.is_empty() {
        return Some("The token is empty.".into());
    }
    let (n, c) = token.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic())?;
    let at = n + 1;
    let code = c as u32;
    Some(match c {
        '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => format!(
            "The token contains a typographic quote ({c}) at character {at}: a document or chat turned plain quotes into curly ones. \
             Copy the token again from where it was issued, without quotes."
        ),
        '\u{2026}' => {
            format!("The token contains “…” at character {at}: it was shortened when it was shown or copied. Copy the whole token.")
        }
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => {
            format!("The token has a line break inside (at character {at}). Paste it as one line.")
        }
        c if c.is_whitespace() => format!("The token has a space inside (at character {at}). A token is one word."),
        c if c.is_control() || matches!(code, 0x200B..=0x200F | 0x2060 | 0xFEFF) => {
            format!("The token contains an invisible character (U+{code:04X}) at character {at}. Copy it again.")
        }
        c => format!("The token contains “{c}” (U+{code:04X}) at character {at}, which no token holds. Copy it again."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn header_values() {
        assert_eq!(Credential::ApiKey(" k ".into()).header_value(), Ok("k".into()));
        assert_eq!(Credential::Bearer("t".into()).header_value(), Ok("Bearer t".into()));
        assert_eq!(Credential::ApiKey("k\n".into()).header_value(), Ok("k".into()), "the ends are trimmed");
    }

    #[test]
    fn pasted_tokens_that_are_no_header_value_say_why() {
        let said = |t: &str| token_problem(t).unwrap_or_default();
        assert!(said("“abc123”").contains("typographic quote"), "{}", said("“abc123”"));
        assert!(said("abc…").contains("shortened"));
        assert!(said("abc\ndef").contains("line break"));
        assert!(said("abc def").contains("space"));
        assert!(said("abc\u{200B}def").contains("invisible"));
        assert!(said("abcé").contains("U+00E9"));
        assert!(said("  ").contains("empty"));
        assert!(!said("s3cr3t“x").contains("s3cr3t"), "the words never hold the token");
        for bad in ["“abc”", "abc…", "a\nb", "a\u{7f}b"] {
            assert!(matches!(Credential::ApiKey(bad.into()).header_value(), Err(ApiError::BadCredential { .. })), "{bad:?}");
            assert!(matches!(Credential::Bearer(bad.into()).header_value(), Err(ApiError::BadCredential { .. })), "{bad:?}");
        }
        assert_eq!(token_problem("eyJhbGciOi.J9-_~+/=!"), None);
    }

    proptest! {
        #[test]
        /// Whatever is pasted, a header value is made only of visible ASCII and spaces (the one
        /// after `Bearer`): the browser can always set it.
        fn a_header_value_is_always_visible_ascii(token in "\\PC{0,12}|[ -~]{0,12}|.{0,6}", bearer in any::<bool>()) {
            let c = if bearer { Credential::Bearer(token.clone()) } else { Credential::ApiKey(token.clone()) };
            match c.header_value() {
                Ok(v) => {
                    let t = v.strip_prefix("Bearer ").filter(|_| bearer).unwrap_or(&v);
                    prop_assert!(!t.is_empty() && t.chars().all(|c| c.is_ascii_graphic()), "{:?}", v);
                }
                Err(e) => prop_assert!(token_problem(&token).is_some(), "{:?}", e),
            }
        }
    }
}
