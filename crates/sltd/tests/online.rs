//! The online connector against a real HTTPS server on the loopback address: a TEST-ONLY
//! CA and server certificate made here, rustls on the server side, and the answers a real
//! service can give (hit, no hit, slow, refused, garbage, HTTP error, wrong certificate).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tdverify_sltd::{DocumentKey, HttpSltd, OnlineAnswer, OnlineError, OnlineSltd, Status};

/// A TEST-ONLY certificate authority and a server certificate for 127.0.0.1 it signed.
struct TestPki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn test_pki() -> TestPki {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "TEST-ONLY SLTD CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA cert");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let mut server_params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).expect("server params");
    server_params.distinguished_name.push(rcgen::DnType::CommonName, "TEST-ONLY SLTD service");
    let server_cert = server_params.signed_by(&server_key, &issuer).expect("server cert");
    #[allow(deprecated)] // ring's provider: the one the client uses too (no aws-lc build).
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone(), ca.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .expect("server config");
    TestPki { ca_pem: ca.pem(), server: Arc::new(config) }
}

/// How the test server behaves.
#[derive(Clone)]
enum Behaviour {
    /// 200 with this body.
    Answer(&'static str),
    /// Waits this long before answering.
    Slow(Duration),
    /// This HTTP status.
    Status(u16),
}

/// What the server saw of the last request.
#[derive(Default, Clone)]
struct Seen {
    head: String,
    body: String,
}

/// Serves one request per connection on 127.0.0.1 until the test ends.
fn serve(pki: &TestPki, behaviour: Behaviour) -> (String, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (config, seen_by_server) = (Arc::clone(&pki.server), Arc::clone(&seen));
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (config, behaviour, seen) = (Arc::clone(&config), behaviour.clone(), Arc::clone(&seen_by_server));
            thread::spawn(move || {
                let _ = answer_one(stream, config, &behaviour, &seen);
            });
        }
    });
    (format!("https://127.0.0.1:{port}/v1/sltd"), seen)
}

fn answer_one(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    behaviour: &Behaviour,
    seen: &Mutex<Seen>,
) -> std::io::Result<()> {
    let connection = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = BufReader::new(rustls::StreamOwned::new(connection, stream));
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if tls.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0u8; length.min(1 << 16)];
    tls.read_exact(&mut body)?;
    *seen.lock().expect("lock") = Seen { head, body: String::from_utf8_lossy(&body).into_owned() };
    let (code, text) = match behaviour {
        Behaviour::Answer(text) => (200, *text),
        Behaviour::Slow(delay) => {
            thread::sleep(*delay);
            (200, r#"{"format":"tdverify-sltd-answer/1","hit":false}"#)
        }
        Behaviour::Status(code) => (*code, "busy"),
    };
    let stream = tls.get_mut();
    write!(stream, "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}", text.len())?;
    stream.flush()?;
    stream.conn.send_close_notify();
    stream.flush()
}

fn document() -> DocumentKey {
    DocumentKey::new("P<", "UTO", "L898902C3")
}

#[test]
fn a_hit_is_read_and_the_request_carries_the_documented_fields() {
    let pki = test_pki();
    let (endpoint, seen) = serve(
        &pki,
        Behaviour::Answer(
            r#"{"format":"tdverify-sltd-answer/1","hit":true,"status":"stolen","reported":"2026-09-30","reference":"TEST-ONLY-NCB-17","as_of":"2026-12-07T08:00:00Z"}"#,
        ),
    );
    let service = HttpSltd::new(&endpoint, &pki.ca_pem, Some("TEST-ONLY-token")).expect("connector");
    let answer = service.query(&document()).expect("an answer");
    assert_eq!(
        answer,
        OnlineAnswer::PossibleHit {
            status: Status::Stolen,
            reported: Some("2026-09-30".into()),
            reference: Some("TEST-ONLY-NCB-17".into()),
            as_of: Some("2026-12-07T08:00:00Z".into()),
        }
    );
    let seen = seen.lock().expect("lock").clone();
    assert!(seen.head.starts_with("POST /v1/sltd "), "{}", seen.head);
    assert!(seen.head.contains("authorization: Bearer TEST-ONLY-token") || seen.head.contains("Authorization: Bearer TEST-ONLY-token"));
    let body: serde_json::Value = serde_json::from_str(&seen.body).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!({"format": "tdverify-sltd-query/1", "document_number": "L898902C3", "issuing_state": "UTO", "document_type": "P"})
    );
}

#[test]
fn no_hit() {
    let pki = test_pki();
    let (endpoint, _) = serve(&pki, Behaviour::Answer(r#"{"format":"tdverify-sltd-answer/1","hit":false}"#));
    let service = HttpSltd::new(&endpoint, &pki.ca_pem, None).expect("connector");
    assert_eq!(service.query(&document()), Ok(OnlineAnswer::NoHit { as_of: None }));
}

#[test]
fn a_slow_service_times_out_within_the_limit() {
    let pki = test_pki();
    let (endpoint, _) = serve(&pki, Behaviour::Slow(Duration::from_secs(6)));
    let service = HttpSltd::new(&endpoint, &pki.ca_pem, None).expect("connector");
    let started = Instant::now();
    assert_eq!(service.query(&document()), Err(OnlineError::Timeout));
    assert!(started.elapsed() < Duration::from_secs(5), "gave up after {:?}", started.elapsed());
}

#[test]
fn a_refused_connection_is_unreachable() {
    let pki = test_pki();
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let service = HttpSltd::new(&format!("https://127.0.0.1:{port}/"), &pki.ca_pem, None).expect("connector");
    let answer = service.query(&document());
    assert!(matches!(answer, Err(OnlineError::Unreachable(_))), "{answer:?}");
}

#[test]
fn garbage_and_http_errors_are_no_answer() {
    let pki = test_pki();
    for text in ["<html>maintenance</html>", r#"{"format":"tdverify-sltd-answer/1","hit":true,"status":"seized"}"#] {
        let (endpoint, _) = serve(&pki, Behaviour::Answer(text));
        let service = HttpSltd::new(&endpoint, &pki.ca_pem, None).expect("connector");
        let answer = service.query(&document());
        assert!(matches!(answer, Err(OnlineError::Garbage(_))), "{text}: {answer:?}");
    }
    let (endpoint, _) = serve(&pki, Behaviour::Status(503));
    let service = HttpSltd::new(&endpoint, &pki.ca_pem, None).expect("connector");
    assert_eq!(service.query(&document()), Err(OnlineError::Http(503)));
}

#[test]
fn a_certificate_from_another_ca_is_refused_before_anything_is_sent() {
    let pki = test_pki();
    let impostor = test_pki();
    let (endpoint, seen) = serve(&impostor, Behaviour::Answer(r#"{"format":"tdverify-sltd-answer/1","hit":false}"#));
    let service = HttpSltd::new(&endpoint, &pki.ca_pem, None).expect("connector");
    let answer = service.query(&document());
    assert!(matches!(answer, Err(OnlineError::Tls(_))), "{answer:?}");
    assert!(seen.lock().expect("lock").body.is_empty(), "the document number reached an unverified server");
}
