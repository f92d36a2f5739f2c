//! Driving the real router in process, as a browser (session cookie) or an API client (bearer).

use super::TestDb;
use super::test_state_with;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use keyhaven::server::router::{SESSION_COOKIE, build_router};
use keyhaven::server::state::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub db: TestDb,
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    Bearer(String),
    /// A browser session cookie value; requests also carry same-origin fetch metadata.
    Session(String),
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The session cookie this response set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_string())
        })
    }
}

impl TestApp {
    pub fn new(db: TestDb) -> Self {
        Self::with_settings(db, super::test_settings())
    }

    pub fn with_settings(db: TestDb, settings: keyhaven::server::config::Settings) -> Self {
        let state = test_state_with(db.conn.clone(), settings);
        TestApp { router: build_router(state.clone()), state, db }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        TestResponse { status, headers, body }
    }

    fn builder(method: Method, path: &str, auth: &Auth) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path).header(header::HOST, "127.0.0.1:3000");
        match auth {
            Auth::Anonymous => {}
            Auth::Bearer(token) => builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}")),
            Auth::Session(cookie) => {
                builder = builder
                    .header(header::COOKIE, format!("{SESSION_COOKIE}={cookie}"))
                    .header("sec-fetch-site", "same-origin")
            }
        }
        builder
    }

    /// A JSON request (`body` None sends no body).
    pub async fn json(&self, method: Method, path: &str, auth: &Auth, body: Option<Value>) -> TestResponse {
        let builder = Self::builder(method, path, auth);
        let request = match body {
            Some(v) => builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    /// A raw body with a content type, e.g. malformed JSON or a form.
    pub async fn raw(&self, method: Method, path: &str, auth: &Auth, content_type: &str, body: &str) -> TestResponse {
        let request = Self::builder(method, path, auth)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_string()))
            .expect("request");
        self.send(request).await
    }

    /// A server function called as the hydrated page calls it (fetch, JSON answer).
    pub async fn server_fn(&self, name: &str, auth: &Auth, form: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(form).expect("form");
        let request = Self::builder(Method::POST, &format!("/rpc/{name}"), auth)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .expect("request");
        self.send(request).await
    }

    pub async fn get_page(&self, path: &str, auth: &Auth) -> TestResponse {
        self.send(Self::builder(Method::GET, path, auth).body(Body::empty()).expect("request")).await
    }

    /// Creates the first admin over the API.
    pub async fn setup_admin(&self, username: &str, password: &str) {
        let body = serde_json::json!({ "username": username, "password": password });
        let res = self.json(Method::POST, "/api/setup", &Auth::Anonymous, Some(body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }

    /// Signs in through the login server function and returns the session cookie.
    pub async fn browser_login(&self, username: &str, password: &str) -> String {
        let res = self.server_fn("login", &Auth::Anonymous, &[("username", username), ("password", password)]).await;
        assert!(res.status.is_success() || res.status.is_redirection(), "login failed: {} {}", res.status, res.text());
        res.session_cookie().expect("login sets a session cookie")
    }

    /// Gets a bearer token from `POST /api/auth/login`.
    pub async fn api_login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({ "username": username, "password": password });
        let res = self.json(Method::POST, "/api/auth/login", &Auth::Anonymous, Some(body)).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()["access_token"].as_str().expect("access_token").to_string()
    }

    /// Creates a user as `admin` and returns its id.
    pub async fn create_user(&self, admin: &Auth, username: &str, password: &str, role: &str) -> i64 {
        let body = serde_json::json!({ "username": username, "password": password, "role": role });
        let res = self.json(Method::POST, "/api/users", admin, Some(body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["user"]["id"].as_i64().expect("id")
    }
}
