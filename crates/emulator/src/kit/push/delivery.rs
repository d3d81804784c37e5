//! Sending one push like WeChat: POST it, and when it is not answered `success` (or a passive reply) within
//! the answer timeout (5 s, as WeChat waits), send it again, three times at most. Every attempt is logged.
//! A receiver's answer is read up to `MAX_ANSWER_BYTES`, never buffered whole.

use super::log::{unix_ms, Attempt, PushLog};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use url::Url;

/// WeChat waits 5 s for an answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// WeChat retries a push three times.
pub const RETRIES: u32 = 3;
/// The most of a receiver's answer read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// A sealed push, ready to send without the state lock.
pub struct Outgoing {
    pub url: Url,
    pub body: String,
    pub content_type: &'static str,
    pub log: PushLog,
    pub log_id: u64,
    pub answer_timeout: Duration,
}

/// What WeChat takes as handled: 200 with `success`, an empty body, or a passive reply (XML or JSON).
fn handled(status: u16, answer: &str) -> bool {
    let a = answer.trim();
    status == 200 && (a.is_empty() || a == "success" || a.starts_with('<') || a.starts_with('{'))
}

/// `origin + path`: the query carries the signature, which is not for display.
pub fn shown(url: &Url) -> String {
    format!("{}{}", url.origin().ascii_serialization(), url.path())
}

async fn post(client: &reqwest::Client, push: &Outgoing) -> Result<(u16, String), String> {
    let mut response = client
        .post(push.url.clone())
        .header("content-type", push.content_type)
        .body(push.body.clone())
        .send()
        .await
        .map_err(|e| format!("cannot deliver the push to {}: {}", shown(&push.url), e.without_url()))?;
    let status = response.status().as_u16();
    let mut answer = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ANSWER_BYTES - answer.len();
        answer.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if answer.len() >= MAX_ANSWER_BYTES {
            break;
        }
    }
    Ok((status, String::from_utf8_lossy(&answer).into_owned()))
}

/// Delivers with retries; resolves to the last attempt's `{status, answer}`, or its error when no attempt was
/// answered at all.
pub async fn deliver(push: Outgoing) -> Result<Value, String> {
    deliver_tries(push, RETRIES).await
}

/// `deliver` with `retries` retries (0: one attempt, for a push whose sender is waiting).
pub async fn deliver_tries(push: Outgoing, retries: u32) -> Result<Value, String> {
    let client = reqwest::Client::new();
    let mut last: Result<Value, String> = Err("not sent".into());
    for _ in 0..=retries {
        let (at, started) = (unix_ms(), Instant::now());
        let outcome = tokio::time::timeout(push.answer_timeout, post(&client, &push))
            .await
            .unwrap_or_else(|_| Err(format!("no answer from {} within {} ms", shown(&push.url), push.answer_timeout.as_millis())));
        let ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok((status, answer)) => {
                push.log.attempt(push.log_id, Attempt::new(at, Some(status), Some(&answer), None, ms));
                let done = handled(status, &answer);
                last = Ok(json!({"status": status, "answer": answer}));
                if done {
                    push.log.finish(push.log_id, true);
                    return last;
                }
            }
            Err(error) => {
                push.log.attempt(push.log_id, Attempt::new(at, None, None, Some(error.clone()), ms));
                last = Err(error);
            }
        }
    }
    push.log.finish(push.log_id, false);
    last
}

/// Delivers in the background (a route answers at once; the push follows, as at WeChat). Without a runtime
/// (a sync `Emulator::control` caller) the push is logged as failed.
pub fn spawn(push: Outgoing) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(async move {
                if let Err(e) = deliver(push).await {
                    tracing::debug!("emulator: push not delivered: {e}");
                }
            });
        }
        Err(_) => {
            push.log.attempt(push.log_id, Attempt::new(unix_ms(), None, None, Some("no async runtime to deliver from".into()), 0));
            push.log.finish(push.log_id, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::push::log::NewEntry;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn outgoing(url: &str, log: &PushLog, timeout: Duration) -> Outgoing {
        let entry = NewEntry { to: url.into(), appid: "wx1".into(), component_appid: None, event: "e".into(), format: "xml", mode: "plain" };
        let log_id = log.open(entry);
        Outgoing { url: Url::parse(url).unwrap(), body: "<xml/>".into(), content_type: "text/xml", log: log.clone(), log_id, answer_timeout: timeout }
    }

    /// A receiver answering `fail` to the first `failures` requests, then `success`.
    async fn flaky(failures: usize) -> (String, Arc<AtomicUsize>) {
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        let app = axum::Router::new().fallback(move || {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            async move { if n < failures { "fail" } else { "success" } }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/push?secret=s", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, count)
    }

    #[tokio::test]
    async fn a_push_not_answered_success_is_retried_three_times() {
        let log = PushLog::default();
        let (url, count) = flaky(2).await;
        assert_eq!(deliver(outgoing(&url, &log, ANSWER_TIMEOUT)).await.unwrap()["answer"], "success");
        assert_eq!(count.load(Ordering::SeqCst), 3);
        let (url, count) = flaky(10).await;
        assert_eq!(deliver(outgoing(&url, &log, ANSWER_TIMEOUT)).await.unwrap()["answer"], "fail");
        assert_eq!(count.load(Ordering::SeqCst), 1 + RETRIES as usize);
        let entries = log.entries();
        assert_eq!((entries[0].outcome, entries[0].attempts.len()), ("delivered", 3));
        assert_eq!((entries[1].outcome, entries[1].attempts.len()), ("failed", 4));
        assert_eq!(shown(&Url::parse(&url).unwrap()).contains("secret"), false);
    }

    #[tokio::test]
    async fn a_receiver_that_never_answers_times_out_each_attempt() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/events", listener.local_addr().unwrap());
        let held = tokio::spawn(async move {
            let mut sockets = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                sockets.push(s);
            }
        });
        let log = PushLog::default();
        let e = deliver(outgoing(&url, &log, Duration::from_millis(100))).await.unwrap_err();
        assert!(e.ends_with("within 100 ms"), "{e}");
        let entry = &log.entries()[0];
        assert_eq!((entry.outcome, entry.attempts.len()), ("failed", 4));
        assert!(entry.attempts.iter().all(|a| a.status.is_none() && a.error.is_some()));
        held.abort();
    }
}
