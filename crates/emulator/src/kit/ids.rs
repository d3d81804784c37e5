//! Ids that look like WeChat's: deterministic ones (openids, original ids) and random tokens.

use rand::distributions::Alphanumeric;
use rand::Rng;

/// Three users every account starts with; deterministic so tests and demos can name them, and shaped like
/// real openids (28 characters starting with `o`).
pub fn seeded_openids(appid: &str) -> Vec<String> {
    (1..=3).map(|n| pseudo_id(&format!("{appid}/user{n}"), 'o', 28)).collect()
}

/// A deterministic id of `len` URL-safe characters derived from `seed` (FNV-1a, then a xorshift stream).
pub fn pseudo_id(seed: &str, first: char, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(len);
    out.push(first);
    while out.len() < len {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        out.push(ALPHABET[(h % 64) as usize] as char);
    }
    out
}

/// A random token like WeChat's: long (>= 100 characters) and URL-safe.
pub fn random_token(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_are_stable_plausible_and_distinct() {
        let a = seeded_openids("wx1");
        assert_eq!(a, seeded_openids("wx1"));
        assert_eq!(a.len(), 3);
        assert!(a.iter().all(|o| o.len() == 28 && o.starts_with('o')));
        assert_ne!(a[0], a[1]);
        assert_ne!(a[0], seeded_openids("wx2")[0]);
    }
}
