//! Names wx-server-sdk users reach for that WeChat documents as not callable from cloud (`api/not-cloud.json`,
//! the one list): calling one answers -604100 saying so and what to use instead.

use serde::Deserialize;
use std::sync::LazyLock;

pub const NOT_CLOUD_JSON: &str = include_str!("../../../../api/not-cloud.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotCloud {
    pub name: String,
    /// Why it is not a cloud call (WeChat's page says so).
    pub why: String,
    /// What to use instead.
    pub instead: String,
    pub source: String,
}

static LIST: LazyLock<Vec<NotCloud>> =
    LazyLock::new(|| serde_json::from_str(NOT_CLOUD_JSON).expect("api/not-cloud.json is checked by `cargo test`"));

/// Every name on the list.
pub fn not_cloud_calls() -> &'static [NotCloud] {
    &LIST
}

/// The entry for `name`, when WeChat documents it as not callable from cloud.
pub fn not_cloud(name: &str) -> Option<&'static NotCloud> {
    LIST.iter().find(|n| n.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::catalogue;

    #[test]
    fn the_list_loads_and_names_no_row_of_the_table() {
        // auth.code2Session and component.code2Session were listed until they became rows (no cloud call, still a server call).
        assert!(not_cloud("auth.code2Session").is_none());
        for n in not_cloud_calls() {
            assert!(catalogue().get(&n.name).is_none(), "{} is both a row and not a cloud call", n.name);
            assert!(n.source.starts_with("https://developers.weixin.qq.com/"), "{}", n.name);
        }
    }
}
