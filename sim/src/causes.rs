//! `--failure-causes`: failed and partly succeeded runs end in errors of a few causes, with
//! ids and numbers that vary from entry to entry, so that grouping failures by cause has
//! something to find. Run `r`'s cause is `cause_of(seed, r)` (one per run, whatever its
//! flow); its error entries are its last two, partly successful runs' as failed runs' (which
//! without the option have no error). `/__sim/failure-causes` lists each cause's runs under
//! the simulator's current state, for tests that must know the answer without the app.
//!
//! Each cause states its key: the message with its varying values masked as the app's
//! `causes::normalise` documents it (quoted values `<q>`, numbers `<n>`, words with digits
//! `<id>`, UUIDs `<uuid>`, time stamps `<time>`), written here by hand.

use crate::data::mix;

/// The causes: (key, weight out of 10). Different weights make different counts.
pub const CAUSES: [(&str, u64); 4] = [
    ("Step <q> failed: HTTP <n> from destination after <n> attempts (record <n>)", 4),
    ("Timeout after <n> ms waiting for NetSuite (request <uuid>)", 3),
    ("Order <q> rejected by Shopify: SKU <q> not found", 2),
    ("Rate limit exceeded at <time> for token <id>: retry in <n>s", 1),
];

/// Run `run_id`'s cause (an index into `CAUSES`).
pub fn cause_of(seed: u64, run_id: u64) -> usize {
    let mut roll = mix(seed, 12, run_id) % 10;
    for (i, (_, weight)) in CAUSES.iter().enumerate() {
        if roll < *weight {
            return i;
        }
        roll -= weight;
    }
    0
}

/// The message of run `run_id`'s error entry `j`, in step `step`.
pub fn message(seed: u64, run_id: u64, j: u64, step: &str) -> String {
    let h = mix(seed, 13, run_id.wrapping_mul(1_000_003).wrapping_add(j));
    match cause_of(seed, run_id) {
        1 => format!(
            "Timeout after {} ms waiting for NetSuite (request {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x})",
            1000 * (5 + h % 60),
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xfff,
            (h >> 12) & 0xfff,
            mix(seed, 14, h) & 0xffff_ffff_ffff
        ),
        2 => format!("Order 'SO-{}' rejected by Shopify: SKU \"AB-{}\" not found", 1000 + h % 90_000, h % 1000),
        3 => format!(
            "Rate limit exceeded at 2026-11-{:02}T{:02}:{:02}:{:02}Z for token tok_{}{:x}: retry in {}s",
            10 + h % 18,
            (h >> 8) % 24,
            (h >> 16) % 60,
            (h >> 24) % 60,
            h % 10,
            (h >> 40) & 0xffff,
            1 + (h >> 32) % 60
        ),
        _ => format!("Step \"{step}\" failed: HTTP 502 from destination after {} attempts (record {})", 1 + h % 5, j + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_occurs_with_its_weight_and_messages_vary() {
        let mut counts = [0u32; 4];
        for r in 1..=10_000 {
            counts[cause_of(3, r)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[3] && counts[3] > 500, "{counts:?}");
        for r in 1..=40 {
            let (a, b) = (message(3, r, 10, "Map fields"), message(3, r, 11, "Map fields"));
            assert_ne!(a, b, "ids and numbers vary");
            assert!(!a.contains('{'), "{a}");
        }
    }
}
