//! Names wx-server-sdk users reach for that this package does not call (`api/not-cloud.json`, the one list):
//! WeChat documents them as not cloud calls, has retired them, or answers them only for a CloudBase
//! environment. Calling one answers -604100 saying which, why and what to use instead, before any I/O.

use serde::Deserialize;
use std::sync::LazyLock;

pub const NOT_CLOUD_JSON: &str = include_str!("../../../../api/not-cloud.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotCloud {
    pub name: String,
    pub kind: Kind,
    /// When WeChat retired it (a date, or `withdrawn` when WeChat gave none).
    #[serde(default)]
    pub since: Option<String>,
    /// Why it is not a cloud call (WeChat's page says so).
    pub why: String,
    /// What to use instead.
    pub instead: String,
    pub source: String,
}

/// Why the name is on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// WeChat's page says it is not callable from cloud.
    NotCloud,
    /// WeChat withdrew it: calling it fails (or answers nothing useful) whoever calls.
    Retired,
    /// WeChat answers it only for a CloudBase environment (`cloudbase.*`).
    CloudbaseOnly,
}

impl NotCloud {
    /// The sentence an error says: what the name is, why, and what instead.
    pub fn explain(&self) -> String {
        let api = &self.name;
        let what = match self.kind {
            Kind::NotCloud => format!("openapi.{api} is not a cloud call"),
            Kind::Retired => format!("openapi.{api} was retired by WeChat ({})", self.since.as_deref().unwrap_or("withdrawn")),
            Kind::CloudbaseOnly => format!("openapi.{api} is callable only from a CloudBase environment"),
        };
        format!("{what}: {}. Instead, {}", self.why, self.instead)
    }
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
            assert_eq!(n.kind == Kind::Retired, n.since.is_some(), "{}: a retired name says since when, no other does", n.name);
        }
        let retired = not_cloud("uniformMessage.send").unwrap();
        assert!(retired.explain().contains("retired by WeChat (2023-09-20)") && retired.explain().contains("45109"), "{}", retired.explain());
        assert!(retired.instead.contains("subscribeMessage.send"));
        assert!(not_cloud("cloudbase.getOpenData").unwrap().explain().contains("only from a CloudBase environment"));
        let names: Vec<&str> = not_cloud_calls().iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names.iter().filter(|n| n.starts_with("templateMessage.")).count(), 6);
    }
}
