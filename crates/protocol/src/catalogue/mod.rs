//! The endpoint table (`api/endpoints.json`), loaded once. It is the only place an endpoint is described:
//! dispatch, argument checks, the emulator's routes, `index.d.ts` and the README tables all read it.

pub mod check;
mod field;
pub mod not_cloud;
mod rule_spec;
pub mod rules;
pub mod time;
mod walk;
pub mod upload;

pub use field::{kind_of, Field, FieldType, Segment};
pub use upload::Upload;

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

/// What a successful answer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// A JSON object (every row unless the table says otherwise).
    Json,
    /// An image (the mini program code rows): its bytes on success, JSON only on failure. Returned to JS as
    /// wx-server-sdk does: `{ contentType, buffer, errMsg, errCode: 0 }`.
    Image,
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
    /// `"answer": "image"` in the table; JSON otherwise.
    pub answer: AnswerKind,
    /// `"upload"` in the table: the request is multipart/form-data carrying this file, its other fields in
    /// the query string.
    pub upload: Option<Upload>,
    pub request: Vec<Field>,
    pub response: Vec<Field>,
    /// Documented error codes and their meaning, in table order.
    pub errors: Vec<(i64, String)>,
    pub notes: Option<String>,
    pub source: String,
    /// How to find out whether this (non-idempotent) call ran when its outcome is unknown.
    pub reconcile: Option<Reconcile>,
    /// Request fields the client fills from its own config (`"fromConfig": {"appsecret": "secret"}`): the
    /// credentials a token-less row needs, which never come from the caller's params.
    pub from_config: Vec<(String, ConfigValue)>,
    /// `"echoesRequests": true`: the answer is WeChat's record of other requests (`auth.getRidInfo`: their URL
    /// with its access token, their body with an AppSecret), so it is scrubbed like an error before anyone sees it.
    pub echoes_requests: bool,
    /// `"sessionSignature": true`: the caller gives the user's `session_key`, which is never sent; the client sends
    /// `signature` = hmac_sha256 keyed by it over "" instead (`crypto::open_data::session_signature`).
    pub session_signature: bool,
}

/// A value of the client's config that a row's request carries (`fromConfig` in the table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigValue {
    AppId,
    AppSecret,
    ComponentAppId,
    ComponentSecret,
}

impl ConfigValue {
    fn parse(text: &str) -> Option<ConfigValue> {
        Some(match text {
            "appid" => ConfigValue::AppId,
            "secret" => ConfigValue::AppSecret,
            "component.appid" => ConfigValue::ComponentAppId,
            "component.secret" => ConfigValue::ComponentSecret,
            _ => return None,
        })
    }

    /// The config option it comes from, as a user writes it.
    pub fn option(self) -> &'static str {
        match self {
            ConfigValue::AppId => "appid",
            ConfigValue::AppSecret => "secret",
            ConfigValue::ComponentAppId => "component.appid",
            ConfigValue::ComponentSecret => "component.secret",
        }
    }

    /// A credential: always the config's, and refused when the caller's params carry it.
    pub fn is_secret(self) -> bool {
        matches!(self, ConfigValue::AppSecret | ConfigValue::ComponentSecret)
    }
}

/// A row's way to settle an unknown outcome: an idempotent lookup row that finds what the call made.
/// `"reconcile": { "with": "logistics.getOrder", "keys": ["order_id", "delivery_id", "openid"], "absent": 930563,
/// "unless": { "order_status": 1 } }`
#[derive(Clone, Debug, PartialEq)]
pub struct Reconcile {
    /// The lookup row (idempotent, same token kind).
    pub with: String,
    /// Request fields of both rows, copied from the call's params to the lookup's when present; the lookup's
    /// required fields are all here and required by the call too.
    pub keys: Vec<String>,
    /// The lookup's errcode that proves the thing was never made (so the call never ran).
    pub absent: i64,
    /// A found answer with any of these field values does not prove the call ran (a cancelled order of the
    /// same id): the outcome stays unknown.
    pub unless: Map<String, serde_json::Value>,
}

impl Endpoint {
    /// The path without the query a row may fix (`action=create`).
    pub fn bare_path(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(path, _)| path)
    }

    /// The query pairs the row's path fixes (`[("action", "create")]`), in order.
    pub fn fixed_query(&self) -> Vec<(String, String)> {
        let query = self.path.split_once('?').map_or("", |(_, q)| q);
        query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    }

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
        let catalogue = Catalogue { endpoints, by_name };
        for e in &catalogue.endpoints {
            if let Some(r) = &e.reconcile {
                catalogue.check_reconcile(e, r).map_err(|m| format!("endpoint table: {}: reconcile: {m}", e.name))?;
            }
        }
        Ok(catalogue)
    }

    /// A reconcile entry must name a lookup that can be called with what the call itself was given.
    fn check_reconcile(&self, e: &Endpoint, r: &Reconcile) -> Result<(), String> {
        if e.idempotent {
            return Err("an idempotent row is retried, never reconciled".into());
        }
        let with = self.get(&r.with).ok_or_else(|| format!("unknown row {}", r.with))?;
        if !with.idempotent || with.reconcile.is_some() {
            return Err(format!("{} must be idempotent and not reconciled itself", r.with));
        }
        if with.token != e.token {
            return Err(format!("{} carries another kind of token", r.with));
        }
        let top = |fields: &[Field], key: &str| fields.iter().find(|f| f.path == key && f.parent_path().is_none()).map(|f| f.required);
        if r.keys.is_empty() {
            return Err("keys is empty".into());
        }
        for key in &r.keys {
            top(&e.request, key).ok_or_else(|| format!("key {key} is not a request field of {}", e.name))?;
            top(&with.request, key).ok_or_else(|| format!("key {key} is not a request field of {}", r.with))?;
        }
        for f in with.request.iter().filter(|f| f.required && f.parent_path().is_none()) {
            if !r.keys.contains(&f.path) || top(&e.request, &f.path) != Some(true) {
                return Err(format!("{} requires {}, which keys must name and {} require", r.with, f.path, e.name));
            }
        }
        if r.absent == 0 || (with.error_meaning(r.absent).is_none() && crate::codes::errmsg(r.absent).is_none()) {
            return Err(format!("absent code {} is neither documented by {} nor in the code table", r.absent, r.with));
        }
        for key in r.unless.keys() {
            top(&with.response, key).ok_or_else(|| format!("unless names {key}, not a response field of {}", r.with))?;
        }
        if !e.response.iter().any(|f| f.parent_path().is_none() && top(&with.response, &f.path).is_some()) {
            return Err(format!("{} answers none of {}'s fields", r.with, e.name));
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Endpoint> {
        self.by_name.get(name).map(|&i| &self.endpoints[i])
    }

    /// The row at `path` (a row's path may fix a query, `…/fastregisterweapp?action=create`: the first of
    /// those rows answers for the bare path).
    pub fn by_path(&self, path: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.bare_path() == path)
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
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    upload: Option<upload::RawUpload>,
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
    reconcile: Option<RawReconcile>,
    #[serde(default, rename = "fromConfig")]
    from_config: Map<String, serde_json::Value>,
    #[serde(default, rename = "echoesRequests")]
    echoes_requests: bool,
    #[serde(default, rename = "sessionSignature")]
    session_signature: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReconcile {
    with: String,
    keys: Vec<String>,
    absent: i64,
    #[serde(default)]
    unless: Map<String, serde_json::Value>,
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
        let answer = match self.answer.as_deref() {
            None | Some("json") => AnswerKind::Json,
            Some("image") => AnswerKind::Image,
            Some(other) => return Err(format!("endpoint table: {name}: unknown answer kind {other}")),
        };
        let request = field::parse_fields(&name, self.request, true)?;
        let response = field::parse_fields(&name, self.response, false)?;
        let mut from_config = Vec::with_capacity(self.from_config.len());
        for (key, source) in self.from_config {
            let value = source.as_str().and_then(ConfigValue::parse);
            let value = value.ok_or_else(|| format!("endpoint table: {name}: fromConfig {key}: unknown config value {source}"))?;
            if value.is_secret() && request.iter().any(|f| f.path == key) {
                return Err(format!("endpoint table: {name}: {key} is a secret filled from the config and cannot be a request field too"));
            }
            from_config.push((key, value));
        }
        if self.session_signature && !request.iter().any(|f| f.path == "session_key" && f.required) {
            return Err(format!("endpoint table: {name}: sessionSignature needs a required session_key request field"));
        }
        let upload = self.upload.map(|u| u.into_upload(&name, &request)).transpose()?;
        if let Some(f) = request.iter().find(|f| f.ty == FieldType::File && upload.as_ref().is_none_or(|u| u.field != f.path)) {
            return Err(format!("endpoint table: {name}: {} is a file but the row has no upload naming it", f.path));
        }
        if upload.is_some() && http != HttpVerb::Post {
            return Err(format!("endpoint table: {name}: an upload is a POST"));
        }
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
            answer,
            upload,
            request,
            response,
            errors,
            notes: self.notes,
            source: self.source,
            reconcile: self.reconcile.map(|r| Reconcile { with: r.with, keys: r.keys, absent: r.absent, unless: r.unless }),
            from_config,
            echoes_requests: self.echoes_requests,
            session_signature: self.session_signature,
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
        let rows = cat.all().len();
        assert!(rows >= 74, "{rows} rows");
        let mut paths: Vec<_> = cat.all().iter().map(|e| e.path.as_str()).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), rows, "every endpoint has its own path (a fixed query counts: ?action=create)");
        let e = cat.get("logistics.getAllAccount").unwrap();
        assert_eq!(e.http, HttpVerb::Get);
        assert_eq!(e.path, "/cgi-bin/express/business/account/getall");
        assert!(e.idempotent);
        assert_eq!(e.error_meaning(-1), Some("system error"));
        assert_eq!(cat.get("logistics.applyMsgPlugin").unwrap().token, TokenKind::Authorizer);
        assert!(cat.get("logistics.nope").is_none());
        assert_eq!(cat.get("wxacode.getUnlimited").unwrap().answer, AnswerKind::Image);
        assert_eq!(e.answer, AnswerKind::Json);
    }

    #[test]
    fn rows_may_fix_a_query_and_take_values_from_the_config() {
        let cat = catalogue();
        let create = cat.get("component.fastRegisterWeapp").unwrap();
        assert_eq!((create.bare_path(), create.fixed_query()), ("/cgi-bin/component/fastregisterweapp", vec![("action".to_owned(), "create".to_owned())]));
        assert_eq!(cat.by_path("/cgi-bin/component/fastregisterweapp").map(|e| e.name.as_str()), Some("component.fastRegisterWeapp"));
        assert!(cat.get("logistics.getAllAccount").unwrap().fixed_query().is_empty());
        let rescue = cat.get("component.clearQuotaByAppSecret").unwrap();
        let from: Vec<(&str, ConfigValue)> = rescue.from_config.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(from, [("component_appid", ConfigValue::ComponentAppId), ("appsecret", ConfigValue::ComponentSecret)]);
        assert!(ConfigValue::ComponentSecret.is_secret() && !ConfigValue::AppId.is_secret());
        let row = |from: &str, request: &str| {
            format!(r#"[{{"name":"a.b","summary":"s","http":"POST","path":"/p","token":"none","idempotent":false,"permissionSet":null,
                "wxServerSdk":false,"request":{{{request}}},"response":{{}},"errors":{{}},"notes":null,"source":"s","fromConfig":{{{from}}}}}]"#)
        };
        let bad = Catalogue::parse(&row(r#""appsecret":"password""#, "")).err().unwrap();
        assert!(bad.contains("unknown config value"), "{bad}");
        let typed = Catalogue::parse(&row(r#""appsecret":"secret""#, r#""appsecret":{"type":"string","required":true,"doc":"d"}"#)).err().unwrap();
        assert!(typed.contains("cannot be a request field too"), "{typed}");
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

    #[test]
    fn add_order_is_reconciled_with_get_order() {
        let r = catalogue().get("logistics.addOrder").unwrap().reconcile.clone().unwrap();
        assert_eq!((r.with.as_str(), r.absent), ("logistics.getOrder", 930563));
        assert_eq!(r.keys, ["order_id", "delivery_id", "openid"]);
        assert_eq!(r.unless.get("order_status"), Some(&serde_json::json!(1)));
        assert!(catalogue().all().iter().filter(|e| e.reconcile.is_some()).all(|e| !e.idempotent));
    }

    /// Every way a reconcile entry can be wrong is refused when the table loads, naming the row.
    #[test]
    fn bad_reconcile_entries_are_refused() {
        let table: serde_json::Value = serde_json::from_str(TABLE_JSON).unwrap();
        let with = |entry: serde_json::Value| {
            let mut t = table.clone();
            let row = t.as_array_mut().unwrap().iter_mut().find(|r| r["name"] == "logistics.addOrder").unwrap();
            row["reconcile"] = entry;
            Catalogue::parse(&t.to_string()).err().unwrap_or_default()
        };
        let good = serde_json::json!({"with": "logistics.getOrder", "keys": ["order_id", "delivery_id"], "absent": 930563});
        assert_eq!(with(good.clone()), "");
        let cases = [
            (serde_json::json!({"with": "logistics.nope", "keys": ["order_id"], "absent": 930563}), "unknown row"),
            (serde_json::json!({"with": "logistics.cancelOrder", "keys": ["order_id", "delivery_id"], "absent": 930563}), "must be idempotent"),
            (serde_json::json!({"with": "logistics.getOrder", "keys": ["order_id"], "absent": 930563}), "requires delivery_id"),
            (serde_json::json!({"with": "logistics.getOrder", "keys": ["order_id", "delivery_id", "print_type"], "absent": 930563}), "key print_type is not a request field of logistics.addOrder"),
            (serde_json::json!({"with": "logistics.getOrder", "keys": ["order_id", "delivery_id"], "absent": 123456789}), "absent code"),
            (serde_json::json!({"with": "logistics.getOrder", "keys": ["order_id", "delivery_id"], "absent": 930563, "unless": {"nope": 1}}), "unless names nope"),
            (serde_json::json!({"with": "logistics.getOrder", "keys": [], "absent": 930563}), "keys is empty"),
            (serde_json::json!({"with": "logistics.getOrder", "keys": ["order_id", "delivery_id"], "absent": 930563, "extra": 1}), "unknown field"),
        ];
        for (entry, wanted) in cases {
            let e = with(entry);
            assert!(e.contains(wanted) && e.contains("logistics.addOrder") || e.contains("unknown field"), "{wanted}: {e}");
        }
    }
}
