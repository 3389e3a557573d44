//! RFC 9457 problem details: every error the gateway answers with.
//!
//! Owns the mapping from a failure to a status, a stable `type` URI and a title. The
//! `detail` text comes from error types whose messages never hold request content, so no
//! PHI can reach a response through here.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

/// A failure answered to the client; nothing was forwarded.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// Short stable name, also the metrics outcome label (`auth`, `too_large`, …).
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    /// Extension members (RFC 9457 section 3.2), e.g. a claim's findings.
    pub extra: Option<Box<serde_json::Value>>,
    /// What failed underneath (an error's cause chain): logged with the request id, never
    /// answered. Error messages in this crate name no value or token.
    pub cause: Option<String>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            status,
            kind,
            title,
            detail: detail.into(),
            extra: None,
            cause: None,
        }
    }

    /// Keeps `e` and its sources (`outer: inner: …`) as the cause, for the log.
    pub fn caused_by(mut self, e: &dyn std::error::Error) -> Problem {
        let mut chain = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        self.cause = Some(chain);
        self
    }

    /// Logs the cause, if there is one, at error level with the request id, so an operator
    /// who sees the answer (which carries the id) finds why.
    pub fn log_cause(&self, request_id: &str) {
        if let Some(cause) = &self.cause {
            tracing::error!(request_id, kind = self.kind, status = self.status.as_u16(), cause = %cause, "{}", self.title);
        }
    }

    /// The response: `application/problem+json`, with the request id so an operator can
    /// find the matching log line.
    pub fn into_response(self, request_id: &str) -> Response<Full<Bytes>> {
        let mut body = serde_json::json!({
            "type": format!("https://phigate.dev/problems/{}", self.kind.replace('_', "-")),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "request_id": request_id,
        });
        if let (Some(extra), Some(obj)) = (self.extra, body.as_object_mut()) {
            if let serde_json::Value::Object(extra) = *extra {
                for (k, v) in extra {
                    obj.entry(k).or_insert(v);
                }
            }
        }
        let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/problem+json"),
        );
        h.insert(
            hyper::header::CACHE_CONTROL,
            hyper::header::HeaderValue::from_static("no-store"),
        );
        if let Ok(v) = hyper::header::HeaderValue::from_str(request_id) {
            h.insert("x-request-id", v);
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            h.insert(
                hyper::header::RETRY_AFTER,
                hyper::header::HeaderValue::from_static("1"),
            );
        }
        resp
    }
}

pub fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "No route",
        "no route matches this host and path",
    )
}

pub fn overloaded() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "Too many requests in flight",
        "the gateway is at its concurrency limit; retry shortly",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn problem_json_carries_status_type_and_request_id() {
        let r = Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "Unsupported media type",
            "multipart is refused",
        )
        .into_response("req-1");
        assert_eq!(r.status(), 415);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body = r.into_body().collect().await.expect("body").to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["status"], 415);
        assert_eq!(v["type"], "https://phigate.dev/problems/unsupported-type");
        assert_eq!(v["request_id"], "req-1");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("vault storage error: disk full")]
    struct Inner;

    #[derive(Debug, thiserror::Error)]
    #[error("token store unavailable")]
    struct Outer(#[source] Inner);

    /// A writer the test's subscriber logs into.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_cause_chain_is_logged_with_the_request_id_and_never_answered() {
        let p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "vault",
            "Token vault unavailable",
            "the token vault could not be read or written; nothing was forwarded",
        )
        .caused_by(&Outer(Inner));
        assert_eq!(
            p.cause.as_deref(),
            Some("token store unavailable: vault storage error: disk full")
        );
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || p.log_cause("req-7"));
        let logged = String::from_utf8(out.0.lock().map(|b| b.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert!(logged.contains("ERROR"), "{logged}");
        assert!(logged.contains("req-7"), "{logged}");
        assert!(logged.contains("disk full"), "{logged}");
        let r = p.into_response("req-7");
        assert_eq!(r.status(), 503);
        let body = r.into_body().collect().await.expect("body").to_bytes();
        assert!(!String::from_utf8_lossy(&body).contains("disk full"));
    }

    #[test]
    fn a_problem_without_a_cause_logs_nothing() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || not_found().log_cause("req-8"));
        assert!(out.0.lock().map(|b| b.is_empty()).unwrap_or(false));
    }
}
