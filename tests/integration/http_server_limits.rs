//! The HTTP server's own limits, over real TCP: slow or silent clients cannot hold it, bodies too
//! large are refused before a handler reads them, a panicking handler answers 500.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use axum::Router;
use axum::http::Method;
use keyhaven::server::http_server::{Limits, serve};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves `app` on a free loopback port with `limits`; the server stops when the sender drops.
async fn start(app: Router, limits: Limits) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, app, limits, async move {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// Sends a plain GET of /healthz and reads the answer's first line (or "" when the server closed).
async fn get_health(stream: &mut TcpStream) -> String {
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 512];
    let n = stream.read(&mut buf).await.unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_header_deadline() {
    let app = TestApp::new(sqlite().await);
    let limits = Limits { header_read: Duration::from_millis(400), ..Limits::default() };
    let (addr, _stop) = start(app.router.clone(), limits).await;
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(3), silent.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "closed, not held open: {read:?}");
    // A header trickled one byte at a time is cut off the same way.
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    let started = std::time::Instant::now();
    for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: " {
        if slow.write_all(&[*byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let read = tokio::time::timeout(Duration::from_secs(3), slow.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(_)) | Ok(Err(_))), "{read:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = TestApp::new(sqlite().await);
    let limits = Limits { header_read: Duration::from_secs(30), max_connections: 2, ..Limits::default() };
    let (addr, _stop) = start(app.router.clone(), limits).await;
    let mut first = TcpStream::connect(&addr).await.unwrap();
    assert_eq!(get_health(&mut first).await, "HTTP/1.1 200 OK");
    let mut second = TcpStream::connect(&addr).await.unwrap();
    assert_eq!(get_health(&mut second).await, "HTTP/1.1 200 OK");
    let mut third = TcpStream::connect(&addr).await.unwrap();
    let waiting = tokio::time::timeout(Duration::from_millis(500), get_health(&mut third)).await;
    assert!(waiting.is_err(), "a third connection is not served while two are open");
    drop(first);
    let served = tokio::time::timeout(Duration::from_secs(3), async {
        let mut buf = vec![0u8; 512];
        let n = third.read(&mut buf).await.unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string()
    })
    .await;
    assert_eq!(served.as_deref(), Ok("HTTP/1.1 200 OK"), "served once a slot is free");
}

#[tokio::test]
async fn bodies_too_large_are_refused_with_413() {
    let app = TestApp::new(sqlite().await);
    app.setup_admin("alice", "long enough password").await;
    let token = Auth::Bearer(app.api_login("alice", "long enough password").await);
    let huge = format!("{{\"known_hosts\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let res = app.raw(Method::POST, "/api/known-hosts/import", &token, "application/json", &huge).await;
    assert_eq!(res.status, 413);
    let Auth::Session(cookie) = Auth::Session(app.browser_login("alice", "long enough password").await) else {
        unreachable!()
    };
    let file = "x".repeat(100 * 1024);
    let body = format!(
        "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbig\r\n--b\r\nContent-Disposition: form-data; \
         name=\"key_file\"; filename=\"id\"\r\n\r\n{file}\r\n--b--\r\n"
    );
    // As a browser posts a form: with its length, which is refused before the body is read.
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/settings/ssh-keys/upload")
        .header("host", "127.0.0.1:3000")
        .header("cookie", format!("keyhaven_session={cookie}"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "multipart/form-data; boundary=b")
        .header("content-length", body.len())
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = app.send(request).await;
    assert_eq!(res.status, 413, "a key file upload is never 100 KiB");
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_server_goes_on() {
    async fn broken() -> &'static str {
        panic!("a bug")
    }
    let router = Router::new()
        .route("/broken", axum::routing::get(broken))
        .route("/fine", axum::routing::get(|| async { "fine" }))
        .layer(keyhaven::server::router::catch_panics());
    let (addr, _stop) = start(router, Limits::default()).await;
    for (path, expected) in [("/broken", "HTTP/1.1 500 Internal Server Error"), ("/fine", "HTTP/1.1 200 OK")] {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 512];
        let n = stream.read(&mut buf).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&buf[..n]).lines().next(), Some(expected));
    }
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_given_up_after_30_seconds() {
    let app = TestApp::new(sqlite().await);
    let (addr, _stop) = start(app.router.clone(), Limits::default()).await;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let started = std::time::Instant::now();
    stream
        .write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user")
        .await
        .unwrap();
    let mut buf = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(40), stream.read(&mut buf)).await.expect("an answer").unwrap_or(0);
    let status = String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or("").to_string();
    assert!(status.starts_with("HTTP/1.1 4"), "{status:?}");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(29) && waited < Duration::from_secs(36), "{waited:?}");
}
