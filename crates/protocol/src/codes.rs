//! Error codes as data: `api/error-codes.json`, loaded once, is the only place a code's category, its meaning
//! for SDK users, WeChat's own errmsg text and wx-server-sdk's code names are written. The client's errors,
//! the emulator's answers and the facade's `SDK_CODES` all read it through the functions below.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The code table itself, compiled into the binary like the endpoint table.
pub const TABLE_JSON: &str = include_str!("../../../api/error-codes.json");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Credentials or tokens: bad appid/secret, invalid or expired tokens, tickets, refresh tokens.
    Auth,
    /// A daily quota is used up (45009): retrying today is pointless.
    Quota,
    /// A per-minute limit (45011): retry after the minute.
    RateLimit,
    /// WeChat is busy (-1) or answered 5xx: retry later.
    Busy,
    /// The request or its answer was lost on the way.
    Network,
    Timeout,
    /// The call was wrong: rejected before I/O, or by WeChat as malformed.
    InvalidArgument,
    /// The account or platform may not make this call.
    Permission,
    /// WeChat understood and said no for a business reason.
    Business,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Auth => "auth",
            Category::Quota => "quota",
            Category::RateLimit => "rate-limit",
            Category::Busy => "busy",
            Category::Network => "network",
            Category::Timeout => "timeout",
            Category::InvalidArgument => "invalid-argument",
            Category::Permission => "permission",
            Category::Business => "business",
        }
    }

    /// Whether trying again later could succeed, before idempotency is taken into account.
    pub fn retryable_by_default(self) -> bool {
        matches!(self, Category::RateLimit | Category::Busy | Category::Network | Category::Timeout)
    }
}

/// One row of the table: an SDK code (with its `name`) or a WeChat code (with WeChat's `errmsg`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRow {
    pub code: i64,
    /// wx-server-sdk's name for an SDK code (`BAD_ARGUMENTS`), as `SDK_CODES` exports it.
    #[serde(default)]
    pub name: Option<String>,
    /// WeChat's own errmsg text for the code (without ` rid: …`).
    #[serde(default)]
    pub errmsg: Option<String>,
    /// What the code means to an SDK user; an endpoint's own meaning (endpoints.json) wins over it.
    pub meaning: Option<String>,
    pub category: Category,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeRange {
    from: i64,
    to: i64,
    category: Category,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawTable {
    #[allow(dead_code)]
    about: String,
    default_category: Category,
    sdk: Vec<CodeRow>,
    wechat: Vec<CodeRow>,
    ranges: Vec<CodeRange>,
}

#[derive(Debug)]
pub struct CodeTable {
    sdk: Vec<CodeRow>,
    wechat: Vec<CodeRow>,
    /// Row position by code: SDK rows first (index < sdk.len()), then WeChat rows.
    by_code: HashMap<i64, usize>,
    ranges: Vec<CodeRange>,
    default_category: Category,
}

impl CodeTable {
    pub fn parse(json: &str) -> Result<CodeTable, String> {
        let raw: RawTable = serde_json::from_str(json).map_err(|e| format!("code table: {e}"))?;
        let mut by_code = HashMap::new();
        for (i, row) in raw.sdk.iter().chain(&raw.wechat).enumerate() {
            if by_code.insert(row.code, i).is_some() {
                return Err(format!("code table: {} appears twice", row.code));
            }
        }
        if let Some(row) = raw.sdk.iter().find(|r| r.name.is_none() || r.errmsg.is_some()) {
            return Err(format!("code table: SDK code {} needs a name and has no WeChat errmsg", row.code));
        }
        if let Some(row) = raw.wechat.iter().find(|r| r.name.is_some()) {
            return Err(format!("code table: WeChat code {} has an SDK name", row.code));
        }
        if let Some(r) = raw.ranges.iter().find(|r| r.from > r.to) {
            return Err(format!("code table: range {}..{} is empty", r.from, r.to));
        }
        Ok(CodeTable { sdk: raw.sdk, wechat: raw.wechat, by_code, ranges: raw.ranges, default_category: raw.default_category })
    }

    pub fn row(&self, code: i64) -> Option<&CodeRow> {
        let i = *self.by_code.get(&code)?;
        Some(if i < self.sdk.len() { &self.sdk[i] } else { &self.wechat[i - self.sdk.len()] })
    }

    /// wx-server-sdk's own codes, in table order.
    pub fn sdk(&self) -> &[CodeRow] {
        &self.sdk
    }

    /// The codes any WeChat endpoint may answer, in table order.
    pub fn wechat(&self) -> &[CodeRow] {
        &self.wechat
    }

    /// A row's category, else the first range holding the code, else the default.
    pub fn category_of(&self, code: i64) -> Category {
        if let Some(row) = self.row(code) {
            return row.category;
        }
        self.ranges.iter().find(|r| (r.from..=r.to).contains(&code)).map_or(self.default_category, |r| r.category)
    }
}

/// The table, parsed on first use.
pub fn table() -> &'static CodeTable {
    static TABLE: LazyLock<CodeTable> = LazyLock::new(|| CodeTable::parse(TABLE_JSON).expect("api/error-codes.json is valid"));
    &TABLE
}

pub fn is_token_rejection(code: i64) -> bool {
    matches!(code, 40001 | 40014 | 42001)
}

pub fn category_of(code: i64) -> Category {
    table().category_of(code)
}

/// The meaning of a code any endpoint may answer, or of an SDK code; an endpoint's own entry wins over it.
pub fn common_meaning(code: i64) -> Option<&'static str> {
    table().row(code)?.meaning.as_deref()
}

/// WeChat's own errmsg text for a code every endpoint can answer (what the emulator answers).
pub fn errmsg(code: i64) -> Option<&'static str> {
    table().row(code)?.errmsg.as_deref()
}

/// The code of an SDK error by its name (`BAD_ARGUMENTS` → -601002).
pub fn sdk_code(name: &str) -> Option<i64> {
    table().sdk().iter().find(|r| r.name.as_deref() == Some(name)).map(|r| r.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert_eq!(category_of(45011), Category::RateLimit);
        assert_eq!(category_of(45009), Category::Quota);
        assert_eq!(category_of(41004), Category::Auth);
        assert_eq!(category_of(41001), Category::InvalidArgument);
        assert_eq!(category_of(41050), Category::InvalidArgument, "from a range");
        assert_eq!(category_of(9300599), Category::InvalidArgument, "a range's last code");
        assert_eq!(category_of(89000), Category::Business);
        assert_eq!(category_of(61007), Category::Permission);
        assert_eq!(Category::RateLimit.as_str(), "rate-limit");
    }

    /// wx-server-sdk's seven codes (REFERENCE §1) are in the table with their names, meanings and categories.
    #[test]
    fn every_sdk_code_is_in_the_table() {
        let want = [
            ("INVALID_RESPONSE", -601001, Category::Network),
            ("BAD_ARGUMENTS", -601002, Category::InvalidArgument),
            ("NETWORK", -601003, Category::Network),
            ("UNKNOWN_API", -604100, Category::InvalidArgument),
            ("NO_PERMISSION", -604101, Category::Permission),
            ("TIMEOUT", -604102, Category::Timeout),
            ("SYSTEM", -604103, Category::Busy),
        ];
        assert_eq!(table().sdk().len(), want.len());
        for (name, code, category) in want {
            assert_eq!(sdk_code(name), Some(code), "{name}");
            assert_eq!(category_of(code), category, "{name}");
            assert!(common_meaning(code).is_some_and(|m| !m.is_empty()), "{name} has a meaning");
            assert_eq!(errmsg(code), None, "{name} is the SDK's, not WeChat's");
        }
        assert_eq!(sdk_code("NOPE"), None);
    }

    /// `category_of` answers each row's own category, and each range's ends; codes nowhere are the default.
    #[test]
    fn category_of_matches_the_table() {
        let t = table();
        for row in t.sdk().iter().chain(t.wechat()) {
            assert_eq!(category_of(row.code), row.category, "{}", row.code);
            assert_eq!(common_meaning(row.code), row.meaning.as_deref(), "{}", row.code);
            assert_eq!(errmsg(row.code), row.errmsg.as_deref(), "{}", row.code);
        }
        for r in &t.ranges {
            for code in [r.from, r.to] {
                if t.row(code).is_none() {
                    assert_eq!(category_of(code), r.category, "{code}");
                }
            }
        }
        assert_eq!(category_of(123_456_789), t.default_category);
        assert_eq!(common_meaning(123_456_789), None);
        assert_eq!(errmsg(123_456_789), None);
    }

    /// The codes the rest of the workspace treats specially are rows, with the text the emulator sends.
    #[test]
    fn wechat_rows_carry_wechats_own_text() {
        assert_eq!(errmsg(40001), Some("invalid credential, access_token is invalid or not latest"));
        assert_eq!(errmsg(-1), Some("system error"));
        assert_eq!(common_meaning(-1), Some("system error, WeChat is busy; retry later"));
        for code in [40001, 40014, 42001] {
            assert!(is_token_rejection(code) && category_of(code) == Category::Auth && errmsg(code).is_some(), "{code}");
        }
    }

    #[test]
    fn a_broken_table_is_refused() {
        let ok = r#"{"about":"","defaultCategory":"business","sdk":[],"wechat":[],"ranges":[]}"#;
        assert!(CodeTable::parse(ok).is_ok());
        let twice = r#"{"about":"","defaultCategory":"business","sdk":[],"ranges":[],
            "wechat":[{"code":1,"meaning":null,"category":"auth"},{"code":1,"meaning":null,"category":"busy"}]}"#;
        assert!(CodeTable::parse(twice).unwrap_err().contains("appears twice"));
        let unnamed = r#"{"about":"","defaultCategory":"business","wechat":[],"ranges":[],
            "sdk":[{"code":-1,"meaning":null,"category":"auth"}]}"#;
        assert!(CodeTable::parse(unnamed).unwrap_err().contains("needs a name"));
        let bad_category = r#"{"about":"","defaultCategory":"nope","sdk":[],"wechat":[],"ranges":[]}"#;
        assert!(CodeTable::parse(bad_category).is_err());
    }
}
