//! WeChat's authorization page, as the emulator serves it: `component.authorizationUrl(...)` points here when
//! the client's apiBase is the emulator. The merchant's administrator picks an account and the permission sets
//! to grant; "Authorize" redirects to the platform's `redirect_uri` with `auth_code` and `expires_in`, and the
//! `authorized` push goes out as WeChat sends it (the control API's `authorize` does both).

use crate::control;
use crate::families::component::records::{check_pre_auth_code, Platforms};
use crate::guard::page_headers;
use crate::kit::permissions::allowed_sets;
use crate::kit::state::{lock, Shared, State};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write;
use wechat_protocol::catalogue::catalogue;

/// WeChat's PC page and its mobile form (both paths as on WeChat's hosts).
const PC_PATH: &str = "/cgi-bin/componentloginpage";
const MOBILE_PATH: &str = "/wxaopen/safe/bindcomponent";

pub fn routes(shared: Shared) -> Router {
    let (page_state, grant_state) = (shared.clone(), shared);
    let page = move |RawQuery(query): RawQuery| {
        let shared = page_state.clone();
        async move { consent_page(&shared, &pairs(query.unwrap_or_default().as_bytes())) }
    };
    Router::new()
        .route(PC_PATH, get(page.clone()).post(move |body: Bytes| grant(grant_state.clone(), pairs(&body))))
        .route(MOBILE_PATH, get(page))
}

type Pairs = Vec<(String, String)>;

fn pairs(bytes: &[u8]) -> Pairs {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

fn first<'p>(pairs: &'p Pairs, name: &str) -> &'p str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

/// The link's own parameters, checked as WeChat checks them before showing the page.
struct Link<'p> {
    component_appid: &'p str,
    pre_auth_code: &'p str,
    redirect_uri: url::Url,
}

fn read_link<'p>(state: &mut State, pairs: &'p Pairs, redeem: bool) -> Result<Link<'p>, String> {
    let (component_appid, pre_auth_code) = (first(pairs, "component_appid"), first(pairs, "pre_auth_code"));
    let redirect = first(pairs, "redirect_uri");
    let redirect_uri = url::Url::parse(redirect).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
    let redirect_uri = redirect_uri.ok_or_else(|| format!("redirect_uri must be an absolute http(s) URL, got {redirect:?}"))?;
    check_pre_auth_code(state, component_appid, pre_auth_code, redeem)?;
    Ok(Link { component_appid, pre_auth_code, redirect_uri })
}

fn consent_page(shared: &Shared, pairs: &Pairs) -> Response {
    let mut state = lock(shared);
    let link = match read_link(&mut state, pairs, false) {
        Ok(link) => link,
        Err(problem) => return refused(&problem),
    };
    let platforms: Vec<&String> = state.records.peek::<Platforms>().map(|p| p.0.keys().collect()).unwrap_or_default();
    let biz = first(pairs, "biz_appid");
    let accounts: Vec<(&String, &String)> = state
        .apps
        .iter()
        .filter(|(appid, _)| !platforms.contains(appid) && (biz.is_empty() || appid.as_str() == biz))
        .map(|(appid, app)| (appid, &app.name))
        .collect();
    let mut html = String::new();
    let _ = write!(
        html,
        "<form method=post action={PC_PATH}><h1>Authorize a third-party platform</h1>\
         <p>The platform <b>{}</b> asks to manage one of your accounts. (WeChat emulator: no QR code to scan; pick the account.)</p>\
         <input type=hidden name=component_appid value=\"{}\"><input type=hidden name=pre_auth_code value=\"{}\">\
         <input type=hidden name=redirect_uri value=\"{}\"><fieldset><legend>Account</legend>",
        esc(link.component_appid),
        esc(link.component_appid),
        esc(link.pre_auth_code),
        esc(link.redirect_uri.as_str())
    );
    for (i, (appid, name)) in accounts.iter().enumerate() {
        let checked = if i == 0 { " checked" } else { "" };
        let _ = write!(html, "<label><input type=radio name=authorizer_appid value=\"{}\"{checked}> {} <code>{}</code></label>", esc(appid), esc(name), esc(appid));
    }
    if biz.is_empty() {
        html.push_str("<label><input type=radio name=authorizer_appid value=\"\"> another account: <input name=other_appid placeholder=wx… size=22></label>");
    }
    html.push_str("</fieldset><fieldset><legend>Permission sets to grant</legend>");
    for (set, apis) in permission_sets() {
        let shown: Vec<&str> = apis.iter().take(3).map(String::as_str).collect();
        let more = if apis.len() > 3 { format!(" and {} more", apis.len() - 3) } else { String::new() };
        let _ = write!(html, "<label><input type=checkbox name=permission_set value={set} checked> <b>{set}</b> <small>{}{more}</small></label>", esc(&shown.join(", ")));
    }
    let _ = write!(html, "</fieldset><p class=to>Back to <code>{}</code> with <code>auth_code</code> and <code>expires_in</code></p><button>Authorize</button></form>", esc(&link.redirect_uri.origin().ascii_serialization()));
    document(StatusCode::OK, "Authorize — WeChat emulator", &html)
}

/// "Authorize": uses up the link, authorizes through the control API (which pushes `authorized`), then sends
/// the browser back to the platform.
async fn grant(shared: Shared, pairs: Pairs) -> Response {
    let link = {
        let mut state = lock(&shared);
        match read_link(&mut state, &pairs, true) {
            Ok(link) => (link.component_appid.to_owned(), link.redirect_uri),
            Err(problem) => return refused(&problem),
        }
    };
    let (component_appid, mut redirect_uri) = link;
    let chosen = match first(&pairs, "authorizer_appid") {
        "" => first(&pairs, "other_appid"),
        appid => appid,
    };
    if !chosen.starts_with("wx") || chosen.len() < 6 {
        return refused(&format!("pick an account (an appid starting with wx), got {chosen:?}"));
    }
    let sets: Vec<u32> = pairs.iter().filter(|(k, _)| k == "permission_set").filter_map(|(_, v)| v.parse().ok()).collect();
    let args = json!({"componentAppid": component_appid, "authorizerAppid": chosen, "permissionSets": sets});
    let granted = match control::run_async(&shared, "authorize", args).await {
        Ok(granted) => granted,
        Err(problem) => return refused(&problem),
    };
    let code = granted["authorizationCode"].as_str().unwrap_or_default();
    redirect_uri.query_pairs_mut().append_pair("auth_code", code).append_pair("expires_in", &granted["expiresIn"].to_string());
    (StatusCode::FOUND, page_headers(), [(header::LOCATION, redirect_uri.to_string())]).into_response()
}

/// Each permission set the endpoint table names, with the APIs it allows.
fn permission_sets() -> BTreeMap<u32, Vec<String>> {
    let mut sets: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for endpoint in catalogue().all() {
        for set in allowed_sets(endpoint) {
            sets.entry(*set).or_default().push(endpoint.name.clone());
        }
    }
    sets
}

fn refused(problem: &str) -> Response {
    document(StatusCode::BAD_REQUEST, "Cannot authorize — WeChat emulator", &format!("<h1>Cannot authorize</h1><p class=problem>{}</p>", esc(problem)))
}

fn document(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>{}</title>\
         <link rel=stylesheet href=/__emulator/ui/console.css><body class=consent><main>{body}</main>",
        esc(title)
    );
    (status, page_headers(), [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// HTML-escapes text for element content and quoted attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
