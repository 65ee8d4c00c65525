//! The online SLTD connector: asks a national service about one document, when an
//! administrator configured one and the officer asks. The offline hotlist stays the
//! answer of every inspection; this is a second opinion that may come late or not at all,
//! so callers run it off the inspection's thread and show "no answer" on any error.
//!
//! Wire format (docs/SLTD.md): `POST <endpoint>` over HTTPS whose certificate must chain
//! to the one pinned CA (the system's roots are not consulted), with
//! `Content-Type: application/json`, `Authorization: Bearer <token>` when a token is set,
//! and the body `{"format":"tdverify-sltd-query/1","document_number","issuing_state",
//! "document_type"}` (normalised as in the MRZ). A `200` answer is
//! `{"format":"tdverify-sltd-answer/1","hit":bool,"status"?,"reported"?,"reference"?,"as_of"?}`.
//! The whole exchange is bounded by [`ONLINE_TIMEOUT`].

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bundle::{Status, days_from_iso};
use crate::normalize::DocumentKey;

/// How long a query may take, connection and answer together.
pub const ONLINE_TIMEOUT: Duration = Duration::from_secs(3);

/// Largest answer read (a real answer is a few hundred bytes).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// The request's `format`.
pub const QUERY_FORMAT: &str = "tdverify-sltd-query/1";
/// The answer's `format`.
pub const ANSWER_FORMAT: &str = "tdverify-sltd-answer/1";

/// What the online service said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum OnlineAnswer {
    /// The service reports the document: a possible hit, to confirm with the NCB.
    PossibleHit {
        /// Status reported.
        status: Status,
        /// When it was reported, `YYYY-MM-DD`, if the service says.
        reported: Option<String>,
        /// The service's reference for the record, for the call to the NCB.
        reference: Option<String>,
        /// The time the service's data is from, as it says.
        as_of: Option<String>,
    },
    /// The service does not know the document.
    NoHit {
        /// The time the service's data is from, as it says.
        as_of: Option<String>,
    },
}

/// Why there is no answer. Every variant is worded for the officer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnlineError {
    /// The administrator's settings cannot be used.
    #[error("the online SLTD service is not set up correctly: {0}")]
    Config(String),
    /// No answer within the time limit.
    #[error("no answer within {} s", ONLINE_TIMEOUT.as_secs())]
    Timeout,
    /// The service could not be reached.
    #[error("the service cannot be reached ({0})")]
    Unreachable(String),
    /// The service's certificate is not the pinned CA's, or TLS failed.
    #[error("the service's identity could not be verified ({0}); nothing was sent")]
    Tls(String),
    /// The service answered with an HTTP error.
    #[error("the service answered HTTP {0}")]
    Http(u16),
    /// The answer is not in the documented format.
    #[error("the service's answer cannot be read ({0})")]
    Garbage(String),
    /// The document's number, state or type is unknown.
    #[error("the document's number, issuing state or type is missing")]
    Incomplete,
}

/// An online SLTD service. A trait so that screens and tests can use a stand-in.
pub trait OnlineSltd: Send + Sync {
    /// Asks about one document. Blocks up to [`ONLINE_TIMEOUT`]: call it off the UI thread.
    fn query(&self, document: &DocumentKey) -> Result<OnlineAnswer, OnlineError>;
}

/// The HTTPS implementation for a configured endpoint.
pub struct HttpSltd {
    endpoint: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for HttpSltd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSltd").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct Query<'a> {
    format: &'a str,
    document_number: &'a str,
    issuing_state: &'a str,
    document_type: &'a str,
}

#[derive(Deserialize)]
struct Answer {
    format: String,
    hit: bool,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    reported: Option<String>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
}

impl HttpSltd {
    /// A connector to `endpoint` (`https://` only) trusting only the CA in `ca_pem`.
    pub fn new(endpoint: &str, ca_pem: &str, token: Option<&str>) -> Result<HttpSltd, OnlineError> {
        HttpSltd::with_timeout(endpoint, ca_pem, token, ONLINE_TIMEOUT)
    }

    /// As [`HttpSltd::new`] with another time limit (tests).
    pub fn with_timeout(
        endpoint: &str,
        ca_pem: &str,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<HttpSltd, OnlineError> {
        if !endpoint.starts_with("https://") {
            return Err(OnlineError::Config(format!("{endpoint:?} is not an https:// address")));
        }
        let mut roots = Vec::new();
        for item in ureq::tls::parse_pem(ca_pem.as_bytes()) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(cert)) => roots.push(cert),
                Ok(_) => {}
                Err(e) => return Err(OnlineError::Config(format!("the pinned CA is not readable PEM: {e}"))),
            }
        }
        if roots.is_empty() {
            return Err(OnlineError::Config("no certificate in the pinned CA".into()));
        }
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::Specific(Arc::new(roots))).build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .https_only(true)
            .http_status_as_error(false)
            .max_redirects(0)
            .tls_config(tls)
            .build();
        Ok(HttpSltd {
            endpoint: endpoint.to_string(),
            token: token.map(str::to_string).filter(|t| !t.is_empty()),
            agent: config.into(),
        })
    }
}

impl OnlineSltd for HttpSltd {
    fn query(&self, document: &DocumentKey) -> Result<OnlineAnswer, OnlineError> {
        if !document.is_complete() {
            return Err(OnlineError::Incomplete);
        }
        let body = serde_json::to_vec(&Query {
            format: QUERY_FORMAT,
            document_number: &document.number,
            issuing_state: &document.state,
            document_type: &document.doc_type,
        })
        .map_err(|e| OnlineError::Config(e.to_string()))?;
        let mut request = self.agent.post(&self.endpoint).header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let mut response = request.send(&body[..]).map_err(transport_error)?;
        let code = response.status().as_u16();
        if code != 200 {
            return Err(OnlineError::Http(code));
        }
        let text = response.body_mut().with_config().limit(MAX_ANSWER_BYTES).read_to_string().map_err(transport_error)?;
        parse_answer(&text)
    }
}

/// Maps a transport error to the officer's words.
fn transport_error(error: ureq::Error) -> OnlineError {
    match error {
        ureq::Error::Timeout(_) => OnlineError::Timeout,
        ureq::Error::Io(e) if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => {
            OnlineError::Timeout
        }
        // rustls reports a certificate it refuses as invalid data on the stream.
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => OnlineError::Tls(e.to_string()),
        ureq::Error::Io(e) => OnlineError::Unreachable(e.kind().to_string()),
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => OnlineError::Unreachable(error.to_string()),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
            OnlineError::Tls(error.to_string())
        }
        ureq::Error::BodyExceedsLimit(_) | ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            OnlineError::Garbage(error.to_string())
        }
        other => OnlineError::Unreachable(other.to_string()),
    }
}

/// Reads an answer body; anything outside the documented format is [`OnlineError::Garbage`].
pub fn parse_answer(text: &str) -> Result<OnlineAnswer, OnlineError> {
    let answer: Answer = serde_json::from_str(text).map_err(|e| OnlineError::Garbage(e.to_string()))?;
    if answer.format != ANSWER_FORMAT {
        return Err(OnlineError::Garbage(format!("format {:?}, expected {ANSWER_FORMAT}", answer.format)));
    }
    let clean = |value: Option<String>| value.map(|v| v.chars().filter(|c| !c.is_control()).take(100).collect::<String>());
    let as_of = clean(answer.as_of);
    if !answer.hit {
        return Ok(OnlineAnswer::NoHit { as_of });
    }
    let status = answer
        .status
        .as_deref()
        .and_then(Status::parse)
        .ok_or_else(|| OnlineError::Garbage(format!("a hit with an unknown status {:?}", answer.status)))?;
    let reported = clean(answer.reported);
    if let Some(date) = &reported
        && days_from_iso(date).is_none()
    {
        return Err(OnlineError::Garbage(format!("reported date {date:?} is not YYYY-MM-DD")));
    }
    Ok(OnlineAnswer::PossibleHit { status, reported, reference: clean(answer.reference), as_of })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_the_documented_format_are_read() {
        let hit = parse_answer(
            r#"{"format":"tdverify-sltd-answer/1","hit":true,"status":"stolen","reported":"2026-10-01","reference":"NCB-1"}"#,
        )
        .unwrap();
        assert_eq!(
            hit,
            OnlineAnswer::PossibleHit {
                status: Status::Stolen,
                reported: Some("2026-10-01".into()),
                reference: Some("NCB-1".into()),
                as_of: None
            }
        );
        assert_eq!(
            parse_answer(r#"{"format":"tdverify-sltd-answer/1","hit":false,"as_of":"2026-12-07"}"#).unwrap(),
            OnlineAnswer::NoHit { as_of: Some("2026-12-07".into()) }
        );
    }

    #[test]
    fn anything_else_is_garbage() {
        for text in [
            "",
            "<html>",
            r#"{"hit":true}"#,
            r#"{"format":"other/1","hit":false}"#,
            r#"{"format":"tdverify-sltd-answer/1","hit":true,"status":"confiscated"}"#,
            r#"{"format":"tdverify-sltd-answer/1","hit":true,"status":"lost","reported":"yesterday"}"#,
            r#"{"format":"tdverify-sltd-answer/1","hit":"yes"}"#,
        ] {
            assert!(matches!(parse_answer(text), Err(OnlineError::Garbage(_))), "{text}");
        }
    }

    #[test]
    fn only_https_with_a_ca_is_accepted() {
        assert!(matches!(HttpSltd::new("http://127.0.0.1:1/", "", None), Err(OnlineError::Config(_))));
        assert!(matches!(HttpSltd::new("https://127.0.0.1:1/", "no pem here", None), Err(OnlineError::Config(_))));
    }

    proptest::proptest! {
        #[test]
        fn any_answer_text_is_handled(text in ".{0,300}") {
            let _ = parse_answer(&text);
        }
    }
}
