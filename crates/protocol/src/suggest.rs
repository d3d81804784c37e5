//! "Did you mean": the nearest known name to a misspelt one, by edit distance (case-insensitive), shared by
//! config options, API names, the CLI and the emulator's options.

/// Edit distance (insertions, deletions, substitutions and swaps of neighbours: `prot` is one from `port`), with
/// case folded.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        d[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j - 1] + cost).min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
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
        assert_eq!(nearest("prot", ["port", "apps"]), Some("port"));
        assert_eq!(nearest("logistics.getAllAcount", ["logistics.getAllAccount", "logistics.getAllDelivery"]), Some("logistics.getAllAccount"));
    }
}
