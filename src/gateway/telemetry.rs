//! OpenTelemetry trace export (`[otel]`): the spans of a request (the request itself,
//! detection, the vault work on the path, query and headers, the audit writes, the upstream
//! call) sent over OTLP/HTTP to a collector, continuing the caller's W3C trace.
//!
//! Owns the span names and their attributes, the exporter and the HTTP client it posts with.
//! The client is our own hyper and rustls (ring) stack, not the exporter's default reqwest,
//! so no second TLS stack is linked. Spans carry a route's name, a caller's name, a method,
//! a status, sizes and counts: never a path, a query, a header value or a body (any of
//! which can hold PHI). The spans have their own target, which only the exporter's layer
//! sees: the log lines are the same with export on or off, and with it off the spans are
//! disabled at their call sites (nothing is recorded).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, TracerProvider,
};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::config::OtelConfig;

/// The target of every exported span. The log's layer leaves these spans out.
pub const TARGET: &str = "phigate::otel";

/// The largest collector answer read (an OTLP answer is a few bytes; a partial-success
/// message a few hundred).
const MAX_ANSWER_BYTES: usize = 64 << 10;

/// Why the exporter could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("[otel] endpoint: {0}")]
    Endpoint(String),
    #[error("[otel] ca: {0}")]
    Tls(#[from] crate::tls::TlsError),
    #[error("[otel]: the OTLP exporter could not be built: {0}")]
    Exporter(String),
}

/// What `check-config` checks of `[otel]` beyond the file itself: its CA bundle loads.
pub fn check(cfg: &OtelConfig) -> Result<(), TelemetryError> {
    cfg.traces_url().map_err(TelemetryError::Endpoint)?;
    crate::tls::client_config(cfg.ca.as_deref())?;
    Ok(())
}

/// The exporter's tracer provider: a batch of spans is posted from the SDK's own thread
/// through `runtime` (the gateway's). Shut it down after serving, to send the last batch.
pub fn provider(
    cfg: &OtelConfig,
    runtime: tokio::runtime::Handle,
) -> Result<SdkTracerProvider, TelemetryError> {
    let url = cfg.traces_url().map_err(TelemetryError::Endpoint)?;
    let timeout = Duration::from_millis(cfg.timeout_ms);
    let client = OtlpClient::new(cfg, runtime, timeout)?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url.to_string())
        .with_timeout(timeout)
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let resource = opentelemetry_sdk::Resource::builder_empty()
        .with_service_name(cfg.service_name.clone())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// The layer that turns the gateway's spans (and only them) into exported ones.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::Layer;
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("phigate"))
        // Source locations, thread names and targets say nothing an operator needs.
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_filter(tracing_subscriber::filter::filter_fn(|m| {
            m.is_span() && m.target() == TARGET
        }))
}

/// Whether a span or event is one of the exported spans (the log's layer leaves them out).
pub fn is_exported_span(meta: &tracing::Metadata<'_>) -> bool {
    meta.is_span() && meta.target() == TARGET
}

/// A request's method as logs and traces may show it: a standard method by name, any
/// other as `OTHER`. The method is the caller's own token and may hold anything, PHI
/// included (`SSN-078-05-1120`); the request is refused, but its line is still logged.
pub fn loggable_method(method: &hyper::Method) -> &'static str {
    use hyper::Method as M;
    const STANDARD: [(M, &str); 9] = [
        (M::GET, "GET"),
        (M::POST, "POST"),
        (M::PUT, "PUT"),
        (M::PATCH, "PATCH"),
        (M::DELETE, "DELETE"),
        (M::HEAD, "HEAD"),
        (M::OPTIONS, "OPTIONS"),
        (M::CONNECT, "CONNECT"),
        (M::TRACE, "TRACE"),
    ];
    STANDARD
        .iter()
        .find(|(m, _)| m == method)
        .map_or("OTHER", |(_, name)| name)
}

/// The span of one request, continuing the caller's trace when it sent a well-formed
/// `traceparent`. Its status, caller and sizes are recorded when known.
pub fn request_span(
    headers: &hyper::HeaderMap,
    route: &str,
    method: &hyper::Method,
    request_id: &str,
) -> Span {
    let method = loggable_method(method);
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        otel.kind = "server",
        otel.name = %format_args!("{method} {route}"),
        phigate.route = route,
        phigate.request_id = request_id,
        http.request.method = %method,
        phigate.caller = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        http.request.body.size = tracing::field::Empty,
        http.response.body.size = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
    );
    if !span.is_disabled() {
        if let Some(caller) = super::trace::caller_trace(headers) {
            let parent = remote_context(&caller);
            // A parent that cannot be set leaves a fresh trace, as without a traceparent.
            let _ = span.set_parent(parent);
        }
    }
    span
}

/// Records a finished request's outcome on its span.
pub fn record_answer(
    span: &Span,
    caller: Option<&str>,
    status: u16,
    bytes_in: Option<usize>,
    bytes_out: Option<u64>,
) {
    if span.is_disabled() {
        return;
    }
    if let Some(c) = caller {
        span.record("phigate.caller", c);
    }
    span.record("http.response.status_code", status);
    if let Some(n) = bytes_in {
        span.record("http.request.body.size", n);
    }
    if let Some(n) = bytes_out {
        span.record("http.response.body.size", n);
    }
    if status >= 500 {
        span.record("otel.status_code", "ERROR");
    }
}

/// Detection over a body (with the vault look-ups it makes for the tokens it issues).
pub fn detect_span(direction: &'static str, bytes: usize) -> Span {
    tracing::info_span!(target: TARGET, "detect", phigate.direction = direction, phigate.bytes = bytes)
}

/// The vault work on the path, query and headers (tokens issued or revealed inline).
pub fn vault_span() -> Span {
    tracing::info_span!(target: TARGET, "vault", phigate.channels = "path, query, headers")
}

/// A durable write of a request's audit events.
pub fn audit_span(events: usize) -> Span {
    tracing::info_span!(target: TARGET, "audit write", phigate.events = events)
}

/// The call to a route's upstream; its status and answer size are recorded on it.
pub fn upstream_span(route: &str, bytes_out: usize) -> Span {
    tracing::info_span!(
        target: TARGET,
        "upstream",
        otel.kind = "client",
        phigate.route = route,
        http.request.body.size = bytes_out,
        http.response.status_code = tracing::field::Empty,
        http.response.body.size = tracing::field::Empty,
    )
}

/// This hop's ids for the upstream's `traceparent`: the exported span's trace and span
/// ids, so the upstream's spans join the same trace; `None` when nothing is exported.
pub fn hop(span: &Span) -> Option<super::trace::Hop> {
    if span.is_disabled() {
        return None;
    }
    let cx = span.context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| super::trace::Hop {
        trace: sc.trace_id().to_string(),
        parent: sc.span_id().to_string(),
        flags: format!("{:02x}", sc.trace_flags().to_u8()),
    })
}

/// The caller's trace as a remote parent.
fn remote_context(caller: &super::trace::Hop) -> opentelemetry::Context {
    let flags = u8::from_str_radix(&caller.flags, 16).unwrap_or(0);
    let sc = SpanContext::new(
        TraceId::from_hex(&caller.trace).unwrap_or(TraceId::INVALID),
        SpanId::from_hex(&caller.parent).unwrap_or(SpanId::INVALID),
        TraceFlags::new(flags),
        true,
        TraceState::default(),
    );
    opentelemetry::Context::new().with_remote_span_context(sc)
}

/// Posts OTLP batches with the gateway's hyper client (rustls on ring): plain http or
/// https, the system roots or `[otel] ca`. The SDK exports from its own thread, outside the
/// runtime, so each post is spawned on the gateway's runtime and awaited from there.
#[derive(Clone)]
struct OtlpClient {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    runtime: tokio::runtime::Handle,
    timeout: Duration,
}

impl std::fmt::Debug for OtlpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpClient").finish_non_exhaustive()
    }
}

impl OtlpClient {
    fn new(
        cfg: &OtelConfig,
        runtime: tokio::runtime::Handle,
        timeout: Duration,
    ) -> Result<OtlpClient, TelemetryError> {
        let tls = crate::tls::client_config(cfg.ca.as_deref())?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(connector);
        Ok(OtlpClient {
            client,
            runtime,
            timeout,
        })
    }

    async fn post(
        self,
        request: hyper::Request<Bytes>,
    ) -> Result<hyper::Response<Bytes>, opentelemetry_http::HttpError> {
        let (parts, body) = request.into_parts();
        let request = hyper::Request::from_parts(parts, Full::new(body));
        let answer = tokio::time::timeout(self.timeout, async {
            let resp = self.client.request(request).await?;
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await?
                .to_bytes();
            Ok::<_, opentelemetry_http::HttpError>(hyper::Response::from_parts(parts, body))
        })
        .await;
        answer.map_err(|_| "the collector did not answer in time")?
    }
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for OtlpClient {
    async fn send_bytes(
        &self,
        request: hyper::Request<Bytes>,
    ) -> Result<hyper::Response<Bytes>, opentelemetry_http::HttpError> {
        let this = self.clone();
        self.runtime
            .spawn(this.post(request))
            .await
            .map_err(|_| "the span export task failed")?
    }
}
