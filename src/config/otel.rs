//! `[otel]`: exporting trace spans to an OpenTelemetry collector over OTLP/HTTP (protobuf).
//! Off unless the section is present; the exporter itself is `gateway::telemetry`.
//!
//! Owns the section's shape and its checks: the endpoint is an http or https URL with a
//! host, without credentials or a query; a bare `scheme://host:port` gets OTLP's traces
//! path (`/v1/traces`), as `OTEL_EXPORTER_OTLP_ENDPOINT` does.

use std::path::PathBuf;

use serde::Deserialize;

use super::Problems;

/// Where and how spans are exported.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OtelConfig {
    /// The collector's OTLP/HTTP traces URL, e.g. `http://127.0.0.1:4318/v1/traces`.
    pub endpoint: String,
    /// The `service.name` resource attribute.
    #[serde(default = "default_service_name")]
    pub service_name: String,
    /// CA bundle (PEM) for an https collector; the system roots without it.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// How long one export may take before it is dropped (spans are never retried).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_service_name() -> String {
    "phigate".to_string()
}

fn default_timeout_ms() -> u64 {
    5_000
}

impl OtelConfig {
    /// The URL spans are posted to.
    pub fn traces_url(&self) -> Result<hyper::Uri, String> {
        let url = self.endpoint.trim();
        let uri: hyper::Uri = url.parse().map_err(|_| format!("`{url}` is not a URL"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(format!("`{url}` must be http:// or https://"));
        }
        let Some(authority) = uri.authority() else {
            return Err(format!("`{url}` has no host"));
        };
        // A password in the URL would be shown wherever the setting is.
        if authority.as_str().contains('@') {
            return Err("credentials in the URL are refused".into());
        }
        if uri.query().is_some() {
            return Err(format!("`{url}` must not carry a query"));
        }
        if matches!(uri.path(), "" | "/") {
            let base = url.trim_end_matches('/');
            return format!("{base}/v1/traces")
                .parse()
                .map_err(|_| format!("`{url}` is not a URL"));
        }
        Ok(uri)
    }
}

/// Notes every problem of the section.
pub(super) fn check(c: &OtelConfig, problems: &mut Problems) {
    if let Err(e) = c.traces_url() {
        problems.at("otel.endpoint", e);
    }
    if c.service_name.trim().is_empty() {
        problems.at("otel.service_name", "must not be empty");
    }
    if c.timeout_ms == 0 {
        problems.at("otel.timeout_ms", "must be at least 1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn otel(endpoint: &str) -> OtelConfig {
        OtelConfig {
            endpoint: endpoint.into(),
            service_name: default_service_name(),
            ca: None,
            timeout_ms: default_timeout_ms(),
        }
    }

    #[test]
    fn a_bare_collector_address_gets_the_traces_path() {
        let url = otel("http://127.0.0.1:4318").traces_url().expect("url");
        assert_eq!(url.to_string(), "http://127.0.0.1:4318/v1/traces");
        let url = otel("https://otel.example:4318/custom/traces")
            .traces_url()
            .expect("url");
        assert_eq!(url.path(), "/custom/traces");
    }

    #[test]
    fn unusable_endpoints_are_named() {
        for bad in [
            "127.0.0.1:4318",
            "ftp://collector/v1/traces",
            "http://user:pw@collector:4318/v1/traces",
            "http://collector:4318/v1/traces?x=1",
            "not a url",
        ] {
            let mut p = Problems::default();
            check(&otel(bad), &mut p);
            assert_eq!(p.0.len(), 1, "{bad}");
            assert_eq!(p.0[0].key, "otel.endpoint", "{bad}");
            assert!(!p.0[0].message.contains("pw"), "{:?}", p.0[0].message);
        }
    }
}
