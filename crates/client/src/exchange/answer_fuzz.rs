//! Property tests for everything the client reads from outside: WeChat's answers (`answer::interpret`, with
//! random statuses, content types and bodies: bytes, JSON, mangled real answers) and callers' params
//! (`prepare` against every row). Any result is fine; a panic is not. Seeded, so a failure repeats.

use super::answer::interpret;
use super::{prepare, ConfigValues, FileInput, Outcome, Target};
use wechat_protocol::catalogue::{catalogue, Endpoint, HttpVerb, TokenKind};
use wechat_protocol::fuzz_support::mutate;
use crate::transport::HttpAnswer;
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

const ANSWERS: usize = 40_000;
const PARAMS: usize = 20_000;

const REAL: &str = r#"{"errcode":0,"errmsg":"ok","count":1,"list":[{"biz_id":"b","delivery_id":"SF","service_type":[{"service_type":1,"service_name":"标快"}],"create_time":1700000000}],"order_id":12345678901234567890}"#;

fn random_key(rng: &mut StdRng) -> String {
    const PARTS: [&str; 12] = ["errcode", "errmsg", "order_id", "_", "__", "A", "a_b", "biz_Id", "x1_", "中", "\u{0}wxbig:", ""];
    (0..rng.gen_range(1..4)).map(|_| PARTS[rng.gen_range(0..PARTS.len())]).collect()
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.gen_range(0..if depth > 3 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.gen()),
        2 => json!(rng.gen::<i64>()),
        3 => serde_json::from_str(&format!("{}{}", rng.gen::<u64>(), rng.gen::<u64>())).unwrap_or(Value::Null),
        4 => json!(rng.gen::<f64>() * 1e300),
        5 => Value::String(["", "\u{0}wxbig:123", "\u{0}wxbig:x", "rid: 1-2", "中文", "ok"][rng.gen_range(0..6)].to_owned()),
        6 => Value::Array((0..rng.gen_range(0..5)).map(|_| random_json(rng, depth + 1)).collect()),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.gen_range(0..6) {
                map.insert(random_key(rng), random_json(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

fn random_body(rng: &mut StdRng, i: usize) -> Vec<u8> {
    match i % 5 {
        0 => (0..rng.gen_range(0..300)).map(|_| rng.gen()).collect(),
        1 => random_json(rng, 0).to_string().into_bytes(),
        2 => {
            // An answer with a strange errcode: string, float, huge, nested, negative.
            let code = [json!("40001"), json!(-1), json!(1.5), json!("x"), json!(u64::MAX), json!({"a": 1}), json!(null), json!(45011)];
            let mut map = random_json(rng, 1).as_object().cloned().unwrap_or_default();
            map.insert("errcode".into(), code[rng.gen_range(0..code.len())].clone());
            Value::Object(map).to_string().into_bytes()
        }
        3 => {
            let mut b = mutate(rng, REAL.as_bytes(), b"{}[]\",:0\\");
            b.truncate(rng.gen_range(0..=b.len()));
            b
        }
        _ => format!("   {}", "[".repeat(rng.gen_range(1..200))).into_bytes(),
    }
}

fn pick_endpoint(rng: &mut StdRng) -> Option<&'static Endpoint> {
    let all = catalogue().all();
    rng.gen_bool(0.7).then(|| &all[rng.gen_range(0..all.len())])
}

#[test]
fn response_parsing_never_panics() {
    let mut rng = StdRng::seed_from_u64(0x5EED_0007);
    let statuses = [200, 200, 200, 204, 301, 400, 404, 413, 500, 502, 503, 599];
    let types = [None, Some("application/json"), Some("text/plain"), Some("image/png"), Some("application/json; encoding=utf-8"), Some(""), Some("\u{fffd}")];
    let (mut ok, mut failed) = (0, 0);
    for i in 0..ANSWERS {
        let status = if rng.gen_bool(0.1) { rng.gen_range(100..1000) } else { statuses[rng.gen_range(0..statuses.len())] };
        let answer = HttpAnswer { status, content_type: types[rng.gen_range(0..types.len())].map(str::to_owned), body: Bytes::from(random_body(&mut rng, i)) };
        match interpret("a.b", pick_endpoint(&mut rng), answer, rng.gen(), &[]) {
            Ok(Outcome::Json { text, .. }) => {
                let v: Value = serde_json::from_str(&text).expect("answers cross as JSON text");
                assert_eq!(v["errCode"], 0);
                ok += 1;
            }
            Ok(Outcome::Binary { .. }) => ok += 1,
            Err(e) => {
                // WeChat's errmsg may be empty; the code never is.
                assert!(e.code != 0 && e.to_string().contains(" | errMsg: openapi.a.b:fail"), "{e:?}");
                failed += 1;
            }
        }
    }
    eprintln!("fuzz response parsing: {ANSWERS} executions ({ok} answers, {failed} typed errors)");
    assert_eq!(ok + failed, ANSWERS);
    assert!(ok > 1_000 && failed > 1_000, "both paths are exercised: {ok} / {failed}");
}

#[test]
fn params_preparation_never_panics() {
    let mut rng = StdRng::seed_from_u64(0x5EED_0008);
    let mut rejected = 0;
    // Every config value present, so rows marked fromConfig are filled as a configured client fills them.
    let secret = |s: &str| Some(wechat_protocol::secret::Secret::new(s));
    let config = ConfigValues { appid: Some("wxown".into()), app_secret: secret("s"), component_appid: Some("wxc".into()), component_secret: secret("c") };
    for i in 0..PARAMS {
        let endpoint = pick_endpoint(&mut rng);
        let target = Target {
            api: "a.b".into(),
            verb: endpoint.map_or(HttpVerb::Post, |e| e.http),
            path: "/x".into(),
            token: TokenKind::App,
            idempotent: false,
            endpoint,
        };
        let text = match i % 3 {
            0 => String::from_utf8_lossy(&random_body(&mut rng, 3)).into_owned(),
            _ => random_json(&mut rng, 0).to_string(),
        };
        rejected += usize::from(prepare(&target, &text, FileInput::Field(None), &config, rng.gen()).is_err());
    }
    eprintln!("fuzz params preparation: {PARAMS} executions ({rejected} rejected with a typed error)");
    assert!(rejected > 0 && rejected < PARAMS);
}
