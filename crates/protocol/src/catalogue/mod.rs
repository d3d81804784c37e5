//! The endpoint table (`api/endpoints.json`), loaded once. It is the only place an endpoint is described:
//! dispatch, argument checks, the emulator's routes, `index.d.ts` and the README tables all read it.

pub mod check;
mod field;

pub use field::{Field, FieldType, Segment};

use serde::Deserialize;
use serde_json::Map;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The table itself, compiled into the binary so a build can never disagree with its own description.
pub const TABLE_JSON: &str = include_str!("../../../../api/endpoints.json");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpVerb {
    Get,
    Post,
}

/// Which token a call carries in its query string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// The account's own access token (or an authorizer's, when called on its behalf).
    App,
    /// Only an authorizer access token is accepted (third-party platform calls).
    Authorizer,
    /// `component_access_token` of a third-party platform.
    Component,
    /// No token: the token endpoints themselves.
    None,
}

#[derive(Debug)]
pub struct Endpoint {
    /// `namespace.method`, the public name.
    pub name: String,
    pub namespace: String,
    pub method: String,
    pub summary: String,
    pub http: HttpVerb,
    pub path: String,
    pub token: TokenKind,
    /// Read-only or harmless to repeat: a retry after an unknown outcome is safe.
    pub idempotent: bool,
    pub permission_set: Option<String>,
    pub wx_server_sdk: bool,
    pub request: Vec<Field>,
    pub response: Vec<Field>,
    /// Documented error codes and their meaning, in table order.
    pub errors: Vec<(i64, String)>,
    pub notes: Option<String>,
    pub source: String,
}

impl Endpoint {
    /// The documented meaning of an error code for this endpoint, if the table has one.
    pub fn error_meaning(&self, code: i64) -> Option<&str> {
        self.errors.iter().find(|(c, _)| *c == code).map(|(_, m)| m.as_str())
    }
}

pub struct Catalogue {
    endpoints: Vec<Endpoint>,
    by_name: HashMap<String, usize>,
}

impl Catalogue {
    pub fn parse(json: &str) -> Result<Catalogue, String> {
        let rows: Vec<RawRow> = serde_json::from_str(json).map_err(|e| format!("endpoint table: {e}"))?;
        let mut endpoints = Vec::with_capacity(rows.len());
        let mut by_name = HashMap::new();
        for row in rows {
            let endpoint = row.into_endpoint()?;
            if by_name.insert(endpoint.name.clone(), endpoints.len()).is_some() {
                return Err(format!("endpoint table: {} appears twice", endpoint.name));
            }
            endpoints.push(endpoint);
        }
        Ok(Catalogue { endpoints, by_name })
    }

    pub fn get(&self, name: &str) -> Option<&Endpoint> {
        self.by_name.get(name).map(|&i| &self.endpoints[i])
    }

    pub fn by_path(&self, path: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.path == path)
    }

    pub fn all(&self) -> &[Endpoint] {
        &self.endpoints
    }
}

static CATALOGUE: LazyLock<Catalogue> =
    LazyLock::new(|| Catalogue::parse(TABLE_JSON).expect("api/endpoints.json is checked by `cargo test`"));

/// The table compiled into this build.
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    name: String,
    summary: String,
    http: String,
    path: String,
    token: String,
    idempotent: bool,
    #[serde(rename = "permissionSet")]
    permission_set: Option<String>,
    #[serde(rename = "wxServerSdk")]
    wx_server_sdk: bool,
    request: Map<String, serde_json::Value>,
    response: Map<String, serde_json::Value>,
    errors: Map<String, serde_json::Value>,
    notes: Option<String>,
    source: String,
    /// Where the row's facts come from (research notes): for maintainers, never shown to users.
    #[allow(dead_code)]
    evidence: Option<String>,
    /// How the answer fields' `required` flags were decided.
    #[allow(dead_code)]
    #[serde(rename = "responseEvidence")]
    response_evidence: Option<String>,
    /// Request fields required only for some values of another field (typed as a union in index.d.ts); the
    /// runtime check leaves them to WeChat.
    #[allow(dead_code)]
    #[serde(rename = "requestCases")]
    request_cases: Option<serde_json::Value>,
}

impl RawRow {
    fn into_endpoint(self) -> Result<Endpoint, String> {
        let name = self.name;
        let (namespace, method) = name
            .split_once('.')
            .ok_or_else(|| format!("endpoint table: name {name:?} is not namespace.method"))?;
        let http = match self.http.as_str() {
            "GET" => HttpVerb::Get,
            "POST" => HttpVerb::Post,
            other => return Err(format!("endpoint table: {name}: unknown verb {other}")),
        };
        let token = match self.token.as_str() {
            "app" => TokenKind::App,
            "authorizer" => TokenKind::Authorizer,
            "component" => TokenKind::Component,
            "none" => TokenKind::None,
            other => return Err(format!("endpoint table: {name}: unknown token kind {other}")),
        };
        let request = field::parse_fields(&name, self.request, true)?;
        let response = field::parse_fields(&name, self.response, false)?;
        let mut errors = Vec::with_capacity(self.errors.len());
        for (code, meaning) in self.errors {
            let code: i64 = code.parse().map_err(|_| format!("endpoint table: {name}: error code {code:?}"))?;
            let meaning = meaning.as_str().unwrap_or_default().to_owned();
            errors.push((code, meaning));
        }
        Ok(Endpoint {
            namespace: namespace.to_owned(),
            method: method.to_owned(),
            summary: self.summary,
            http,
            path: self.path,
            token,
            idempotent: self.idempotent,
            permission_set: self.permission_set,
            wx_server_sdk: self.wx_server_sdk,
            request,
            response,
            errors,
            notes: self.notes,
            source: self.source,
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_with_unique_names_and_paths() {
        let cat = catalogue();
        assert_eq!(cat.all().len(), 48);
        let mut paths: Vec<_> = cat.all().iter().map(|e| e.path.as_str()).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), 48, "every endpoint has its own path");
        let e = cat.get("logistics.getAllAccount").unwrap();
        assert_eq!(e.http, HttpVerb::Get);
        assert_eq!(e.path, "/cgi-bin/express/business/account/getall");
        assert!(e.idempotent);
        assert_eq!(e.error_meaning(-1), Some("system error"));
        assert_eq!(cat.get("logistics.applyMsgPlugin").unwrap().token, TokenKind::Authorizer);
        assert!(cat.get("logistics.nope").is_none());
    }

    #[test]
    fn every_nested_field_has_a_parent() {
        for e in catalogue().all() {
            for f in &e.request {
                if let Some(parent) = f.parent_path() {
                    assert!(e.request.iter().any(|p| p.path == parent), "{}: {} has no parent {}", e.name, f.path, parent);
                }
            }
        }
    }
}
