//! An error message reduced to its cause (pure): the failure grouping (#20) and the run
//! comparison (#21) both treat two messages as the same cause when they differ only in the
//! values that change from run to run.
//!
//! Masked, in this order at each position:
//! - UUIDs (`8-4-4-4-12` hex digits) → `<uuid>`
//! - time stamps and dates (`2026-11-29`, `2026-11-29T06:20:42.5Z`, `… 06:20:42+01:00`,
//!   and a clock alone, `06:20:42`) → `<time>`
//! - quoted values (`"…"`, `'…'`, `` `…` ``, closed by the same mark not followed by a
//!   letter or digit; an apostrophe inside a word, as in "can't", opens nothing) → `<q>`
//! - numbers (`42`, `-3.5`, `0x1F`) → `<n>`
//! - ids: any other word of letters, digits and `_` that holds a digit (`ord_8f3a2`,
//!   `A1234`, `3fa9c2`) → `<id>`
//!
//! Whitespace runs become one space, only the first `4 × KEY_MAX` characters are read and
//! the result keeps at most [`KEY_MAX`], so that a 5 MB message makes a small key quickly. Everything else (words, punctuation, case) is
//! kept: two causes that differ in a word stay two causes. The placeholders hold no digit
//! and no quote, so normalising twice changes nothing.

/// The most characters a normalised message keeps.
pub const KEY_MAX: usize = 500;

/// `message` with its varying values masked (see the module's text).
pub fn normalise(message: &str) -> String {
    mask(message).0
}

/// The normalised message, and whether it was cut (the input past `4 × KEY_MAX`
/// characters, or the output past `KEY_MAX`). A cut key is a prefix: normalising it again
/// may mask what the cut left unclosed, so idempotence holds for uncut keys only.
fn mask(message: &str) -> (String, bool) {
    let mut cut = message.chars().nth(KEY_MAX * 4).is_some();
    let chars: Vec<char> = message.chars().take(KEY_MAX * 4).collect();
    let mut out = String::with_capacity(chars.len().min(KEY_MAX + 8));
    let mut count = 0usize;
    let mut i = 0;
    let push = |out: &mut String, s: &str, count: &mut usize| {
        // Counts past KEY_MAX too, without keeping: a count over it says a cut was made.
        for c in s.chars() {
            if *count < KEY_MAX {
                out.push(c);
            }
            *count += 1;
        }
    };
    while i < chars.len() && count < KEY_MAX {
        let c = chars[i];
        let prev_word = i > 0 && is_context(chars[i - 1]);
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if !out.is_empty() && i < chars.len() {
                push(&mut out, " ", &mut count);
            }
            continue;
        }
        if !prev_word {
            if let Some(n) = uuid_at(&chars[i..]) {
                push(&mut out, "<uuid>", &mut count);
                i += n;
                continue;
            }
            if let Some(n) = time_at(&chars[i..]) {
                push(&mut out, "<time>", &mut count);
                i += n;
                continue;
            }
            if let Some(n) = quote_at(&chars[i..]) {
                push(&mut out, "<q>", &mut count);
                i += n;
                continue;
            }
        }
        if is_word(c) {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            // A decimal part belongs to the number: 3.5s is one word, not 3 . 5s.
            if chars[start..i].iter().all(|c| c.is_ascii_digit())
                && chars.get(i) == Some(&'.')
                && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
            {
                i += 1;
                while i < chars.len() && is_word(chars[i]) {
                    i += 1;
                }
            }
            let word = &chars[start..i];
            let lead = word.iter().take_while(|c| c.is_ascii_digit() || **c == '.').count();
            let rest = &word[lead..];
            if lead > 0 && rest.len() <= 3 && rest.iter().all(|c| c.is_ascii_alphabetic()) {
                // A number, perhaps with its unit (35s, 10ms, 5MB); a minus sign right
                // before it, not ending a word, is part of it.
                if start >= 1 && chars[start - 1] == '-' && out.ends_with('-') {
                    let before = if start >= 2 { Some(chars[start - 2]) } else { None };
                    if before.is_none_or(|b| !is_context(b)) {
                        out.pop();
                        count -= 1;
                    }
                }
                push(&mut out, "<n>", &mut count);
                let unit: String = rest.iter().collect();
                push(&mut out, &unit, &mut count);
            } else if word.len() > 2 && word[0] == '0' && matches!(word[1], 'x' | 'X') && word[2..].iter().all(|c| c.is_ascii_hexdigit()) {
                push(&mut out, "<n>", &mut count);
            } else if word.iter().any(|c| c.is_ascii_digit()) {
                push(&mut out, "<id>", &mut count);
            } else {
                let s: String = word.iter().collect();
                push(&mut out, &s, &mut count);
            }
            continue;
        }
        let mut buf = [0u8; 4];
        push(&mut out, c.encode_utf8(&mut buf), &mut count);
        i += 1;
    }
    cut |= count > KEY_MAX || (count == KEY_MAX && i < chars.len());
    // A cut may end on the space between two words.
    let kept = out.trim_end().len();
    out.truncate(kept);
    (out, cut)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What may not touch a masked value: a word character, or a placeholder's own `<` `>`
/// (which stand where a word was), so that normalising twice changes nothing.
fn is_context(c: char) -> bool {
    is_word(c) || c == '<' || c == '>'
}

fn hex_run(s: &[char], n: usize) -> bool {
    s.len() >= n && s[..n].iter().all(|c| c.is_ascii_hexdigit())
}

/// The length of a UUID at the start of `s`, if one is there (and ends a word).
fn uuid_at(s: &[char]) -> Option<usize> {
    let mut at = 0;
    for (k, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if !hex_run(&s[at..], n) {
            return None;
        }
        at += n;
        if k < 4 {
            if s.get(at) != Some(&'-') {
                return None;
            }
            at += 1;
        }
    }
    (!s.get(at).is_some_and(|&c| is_context(c))).then_some(at)
}

fn digits(s: &[char], at: usize, n: usize) -> bool {
    s.len() >= at + n && s[at..at + n].iter().all(|c| c.is_ascii_digit())
}

/// The length of a date, a date and time, or a clock time (`hh:mm[:ss]`) at the start of
/// `s`, with fractional seconds and a zone (`Z`, `+01:00`, `+0100`) when present.
fn time_at(s: &[char]) -> Option<usize> {
    let mut at;
    if digits(s, 0, 4) && s.get(4) == Some(&'-') && digits(s, 5, 2) && s.get(7) == Some(&'-') && digits(s, 8, 2) {
        at = 10;
        if matches!(s.get(at), Some('T' | ' ')) && digits(s, at + 1, 2) && s.get(at + 3) == Some(&':') {
            at = clock(s, at + 1).unwrap_or(at);
        }
    } else {
        at = clock(s, 0)?;
    }
    if s.get(at).is_some_and(|&c| is_context(c)) {
        return None;
    }
    Some(at)
}

/// `hh:mm[:ss[.fff]][zone]` starting at `from`: where it ends.
fn clock(s: &[char], from: usize) -> Option<usize> {
    if !(digits(s, from, 2) && s.get(from + 2) == Some(&':') && digits(s, from + 3, 2)) {
        return None;
    }
    let mut at = from + 5;
    if s.get(at) == Some(&':') && digits(s, at + 1, 2) {
        at += 3;
        if matches!(s.get(at), Some('.' | ',')) && digits(s, at + 1, 1) {
            at += 1;
            while digits(s, at, 1) {
                at += 1;
            }
        }
    }
    if s.get(at) == Some(&'Z') {
        at += 1;
    } else if matches!(s.get(at), Some('+' | '-')) && digits(s, at + 1, 2) {
        if s.get(at + 3) == Some(&':') && digits(s, at + 4, 2) {
            at += 6;
        } else if digits(s, at + 3, 2) {
            at += 5;
        }
    }
    Some(at)
}

/// The length of a quoted value at the start of `s`: up to the same mark, not followed by
/// a letter, a digit or a placeholder's `<`.
fn quote_at(s: &[char]) -> Option<usize> {
    let q = *s.first()?;
    if !matches!(q, '"' | '\'' | '`') {
        return None;
    }
    for (k, &c) in s.iter().enumerate().skip(1) {
        if c == q && !s.get(k + 1).is_some_and(|&c| is_context(c)) {
            return Some(k + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_each_kind() {
        assert_eq!(normalise("Order 12345 failed"), "Order <n> failed");
        assert_eq!(normalise("took 3.5s, retry -2, 10ms, 1.2.3"), "took <n>s, retry <n>, <n>ms, <n>.<n>");
        assert_eq!(normalise("step-2 of x--5"), "step-<n> of x-<n>");
        assert_eq!(normalise("record 0b7e1c9a-44f1-4c2e-9a51-2d1f0e6b7c88 not found"), "record <uuid> not found");
        assert_eq!(normalise("at 2026-11-29T06:20:42.125Z: timeout"), "at <time>: timeout");
        assert_eq!(normalise("at 2026-11-29 06:20:42+01:00"), "at <time>");
        assert_eq!(normalise("on 2026-11-29, again at 07:15"), "on <time>, again at <time>");
        assert_eq!(normalise("SKU 'AB-12 x' is unknown"), "SKU <q> is unknown");
        assert_eq!(normalise(r#"field "email" is required"#), "field <q> is required");
        assert_eq!(normalise("customer cus_8F3a2 and A1234"), "customer <id> and <id>");
        assert_eq!(normalise("hash 3fa9c2deadbeef"), "hash <id>");
        assert_eq!(normalise("code 0x1F"), "code <n>");
        assert_eq!(normalise("can't reach host"), "can't reach host");
        assert_eq!(normalise("  many \n\t spaces  "), "many spaces");
    }

    #[test]
    fn keeps_words_punctuation_and_case() {
        assert_eq!(normalise("HTTP error: Bad Gateway!"), "HTTP error: Bad Gateway!");
        assert_ne!(normalise("Timeout calling Shopify"), normalise("Timeout calling NetSuite"));
        // An unclosed quote and a stray backtick are kept, not swallowed.
        assert_eq!(normalise("it's \"open"), "it's \"open");
    }

    #[test]
    fn huge_messages_make_small_keys() {
        let big = "x".repeat(5_000_000);
        assert_eq!(normalise(&big).chars().count(), KEY_MAX);
        let numbers = "1 ".repeat(10_000);
        assert!(normalise(&numbers).chars().count() <= KEY_MAX);
    }

    fn template() -> impl Strategy<Value = Vec<&'static str>> {
        proptest::collection::vec(
            prop_oneof![
                Just("Order"),
                Just("failed:"),
                Just("customer"),
                Just("timeout"),
                Just("at"),
                Just("{n}"),
                Just("{uuid}"),
                Just("{time}"),
                Just("{q}"),
                Just("{id}"),
            ],
            1..10,
        )
    }

    fn fill(t: &[&str], n: u64, uuid: u128, day: u8, q: &str, id: u32) -> String {
        t.iter()
            .map(|w| match *w {
                "{n}" => n.to_string(),
                "{uuid}" => {
                    let h = format!("{uuid:032x}");
                    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
                }
                "{time}" => format!("2026-11-{:02}T0{}:1{}:00Z", day % 28 + 1, day % 10, day % 6),
                "{q}" => format!("'{q}'"),
                "{id}" => format!("ord_{id}x"),
                w => w.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    proptest! {
        #[test]
        fn never_panics_and_is_bounded(s in any::<String>()) {
            let n = normalise(&s);
            prop_assert!(n.chars().count() <= KEY_MAX);
        }

        #[test]
        fn normalising_twice_changes_nothing(s in any::<String>()) {
            let (once, cut) = mask(&s);
            prop_assume!(!cut);
            prop_assert_eq!(normalise(&once), once);
        }

        #[test]
        fn normalising_twice_changes_nothing_near_the_edges(
            s in "[0-9a-fxT '\"`<>_:.Z+\n-]{0,120}",
            pad in 0usize..520,
        ) {
            // The masks' edges: quotes, signs, clocks, placeholders, and the cut at KEY_MAX.
            let s = format!("{}{s}", "w ".repeat(pad / 2));
            let (once, cut) = mask(&s);
            if !cut {
                prop_assert_eq!(normalise(&once), once);
            } else {
                prop_assert!(once.chars().count() <= KEY_MAX);
            }
        }

        #[test]
        fn varying_values_make_one_cause(
            t in template(),
            a in (any::<u64>(), any::<u128>(), any::<u8>(), "[A-Za-z0-9 _.-]{0,20}", any::<u32>()),
            b in (any::<u64>(), any::<u128>(), any::<u8>(), "[A-Za-z0-9 _.-]{0,20}", any::<u32>()),
        ) {
            prop_assert_eq!(
                normalise(&fill(&t, a.0, a.1, a.2, &a.3, a.4)),
                normalise(&fill(&t, b.0, b.1, b.2, &b.3, b.4))
            );
        }

        #[test]
        fn different_words_make_different_causes(
            t in template(),
            w1 in "[a-z]{3,8}",
            w2 in "[a-z]{3,8}",
        ) {
            prop_assume!(w1 != w2);
            let a = format!("{} {w1}", fill(&t, 1, 1, 1, "x", 1));
            let b = format!("{} {w2}", fill(&t, 1, 1, 1, "x", 1));
            prop_assert_ne!(normalise(&a), normalise(&b));
        }
    }
}
