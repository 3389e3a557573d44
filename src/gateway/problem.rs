//! RFC 9457 problem details: the body every error answer carries.
//!
//! Owns the document's shape (a stable `type` URI from the kind, the title, the status, the
//! detail and the request id) and its headers. Which failure gets which status and title
//! is decided in [`super::respond`]; the `detail` text comes from error types whose
//! messages never hold request content, so no PHI can reach a response through here.

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
}
