//! "Did you mean": the nearest known name to a misspelt one, by edit distance (case-insensitive), shared by
//! config options, API names, the CLI and the emulator's options.

/// Levenshtein distance over chars, with case folded.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

/// The closest candidate within a third of the word's length (at least 1, at most 3 edits); ties go to the
/// first candidate. None when nothing is that close.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let budget = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_near_name_and_nothing_far() {
        let options = ["appid", "secret", "tokenMode", "timeout", "apiBase"];
        assert_eq!(nearest("tokenMod", options), Some("tokenMode"));
        assert_eq!(nearest("timout", options), Some("timeout"));
        assert_eq!(nearest("appId", options), Some("appid"));
        assert_eq!(nearest("colour", options), None);
        assert_eq!(nearest("logistics.getAllAcount", ["logistics.getAllAccount", "logistics.getAllDelivery"]), Some("logistics.getAllAccount"));
    }
}
