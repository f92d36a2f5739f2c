//! The browser's assets under `/pkg`: a file's precompressed twin (`file.gz`, made at build time
//! by `scripts/precompress.sh`) is sent as it is to a browser that accepts gzip; a file without a
//! twin is compressed as it is sent; a client that does not accept gzip gets the file itself.

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use keyhaven::server::router::build_router;
use keyhaven::server::state::AppState;
use tower::ServiceExt;

async fn fetch(router: &axum::Router, path: &str, gzip: bool) -> (Option<String>, Option<String>, Vec<u8>) {
    let mut request = Request::builder().uri(path).header(header::HOST, "127.0.0.1:3000");
    if gzip {
        request = request.header(header::ACCEPT_ENCODING, "gzip, deflate, br");
    }
    let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let text = |name| response.headers().get(name).map(|v: &header::HeaderValue| v.to_str().unwrap().to_string());
    let (encoding, content_type) = (text(header::CONTENT_ENCODING), text(header::CONTENT_TYPE));
    (encoding, content_type, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn precompressed_twins_are_sent_as_they_are() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0".iter().copied().cycle().take(4096).collect();
    std::fs::write(pkg.join("keyhaven.wasm"), &wasm).unwrap();
    // The server does not look inside a twin; these bytes prove the twin is what was sent.
    std::fs::write(pkg.join("keyhaven.wasm.gz"), b"the zopfli twin").unwrap();
    let css = "body { color: black; }\n".repeat(200);
    std::fs::write(pkg.join("keyhaven.css"), &css).unwrap();

    let db = crate::common::sqlite().await;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("keyhaven")
        .site_root(site.path().to_string_lossy().to_string())
        .build();
    let (master_key, _) = keyhaven::server::secrets::MasterKey::generate().unwrap();
    let router = build_router(AppState::new(options, db.conn.clone(), crate::common::test_settings(), master_key));

    let (encoding, content_type, body) = fetch(&router, "/pkg/keyhaven.wasm", true).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(content_type.as_deref(), Some("application/wasm"));
    assert_eq!(body, b"the zopfli twin");

    let (encoding, _, body) = fetch(&router, "/pkg/keyhaven.wasm", false).await;
    assert_eq!(encoding, None);
    assert_eq!(body, wasm);

    let (encoding, content_type, body) = fetch(&router, "/pkg/keyhaven.css", true).await;
    assert_eq!(encoding.as_deref(), Some("gzip"), "compressed as it is sent");
    assert!(content_type.is_some_and(|t| t.starts_with("text/css")));
    assert!(!body.is_empty() && body.len() < css.len() / 4, "{} bytes", body.len());
}
