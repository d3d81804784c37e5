//! The permission sets a row's `permission_set` text allows, read for every row once, when the table is first
//! served, and never per request.

use std::collections::HashMap;
use std::sync::OnceLock;
use wechat_protocol::catalogue::{catalogue, Endpoint};

/// The sets that allow `endpoint` (empty: any authorizer token will do).
pub fn allowed_sets(endpoint: &Endpoint) -> &'static [u32] {
    static SETS: OnceLock<HashMap<&'static str, Vec<u32>>> = OnceLock::new();
    let sets = SETS.get_or_init(|| catalogue().all().iter().map(|e| (e.name.as_str(), permission_sets_of(e))).collect());
    sets.get(endpoint.name.as_str()).map_or(&[], Vec::as_slice)
}

/// Reads the text: "45,71" is 45 or 71, "120-121" a range, "24-25 (CN page); 24,25,60 (EN page)" the union of both pages; notes in
/// parentheses and anything unreadable are ignored.
fn permission_sets_of(endpoint: &Endpoint) -> Vec<u32> {
    let Some(text) = &endpoint.permission_set else { return Vec::new() };
    let mut ids = Vec::new();
    for page in text.split(';') {
        let bare = page.split('(').next().unwrap_or_default();
        for item in bare.split(',').map(str::trim) {
            let range = match item.split_once('-') {
                Some((a, b)) => a.trim().parse::<u32>().ok().zip(b.trim().parse::<u32>().ok()),
                None => item.parse::<u32>().ok().map(|n| (n, n)),
            };
            if let Some((from, to)) = range.filter(|(a, b)| a <= b && b - a < 100) {
                ids.extend(from..=to);
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechat_protocol::catalogue::catalogue;

    fn sets(name: &str) -> Vec<u32> {
        permission_sets_of(catalogue().get(name).unwrap())
    }

    #[test]
    fn permission_sets_read_lists_ranges_and_both_pages() {
        assert_eq!(sets("logistics.getAllAccount"), [45, 71]);
        assert_eq!(sets("logistics.getDeliveryList"), [45, 120, 121, 142]);
        assert_eq!(sets("openPlatform.createOpenAccount"), [24, 25, 60]);
        assert_eq!(sets("openPlatform.getBindOpenAccount"), [3, 30]);
        assert!(sets("logistics.testUpdateOrder").is_empty());
        let row = catalogue().get("logistics.getAllAccount").unwrap();
        assert_eq!(allowed_sets(row), [45, 71]);
        assert!(std::ptr::eq(allowed_sets(row), allowed_sets(row)), "read once, then shared");
    }
}
