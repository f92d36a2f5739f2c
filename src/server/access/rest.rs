//! REST routes are registered together with their rule: a route without one cannot be written, and
//! every registration is recorded for the authorization table.

use super::rule::{Access, Tokens, Who, authorize};
use super::table::{Entry, EntryKind};
use crate::error::AppError;
use crate::server::auth::{ResolvedCaller, authenticate};
use crate::server::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{MethodFilter, on};

/// How a family of routes answers a refusal (Borg UI's JSON, GitHub's JSON, a form's redirect).
pub type Deny = fn(AppError) -> Response;

/// A router whose every route carries its `Access`, checked before the handler runs.
pub struct GuardedRoutes {
    state: AppState,
    deny: Deny,
    router: Router<AppState>,
    entries: Vec<Entry>,
    kind: EntryKind,
    /// Whether each route is also served with a trailing `/` (see [`GuardedRoutes::with_trailing_slash`]).
    trailing_slash: bool,
}

#[derive(Clone)]
struct Guard {
    state: AppState,
    access: Access,
    deny: Deny,
}

impl GuardedRoutes {
    pub fn new(state: &AppState, deny: Deny) -> Self {
        GuardedRoutes {
            state: state.clone(),
            deny,
            router: Router::new(),
            entries: Vec::new(),
            kind: EntryKind::Rest,
            trailing_slash: false,
        }
    }

    /// Routes that browsers post HTML forms to (listed as forms in the table).
    pub fn forms(state: &AppState, deny: Deny) -> Self {
        GuardedRoutes { kind: EntryKind::Form, ..GuardedRoutes::new(state, deny) }
    }

    /// Serves every route registered after this also with a trailing `/`, under the same rule (and
    /// listed in the table): Borg UI's clients call collections as `/api/ssh-keys/`, which FastAPI
    /// answers, and axum treats as another path.
    pub fn with_trailing_slash(mut self) -> Self {
        self.trailing_slash = true;
        self
    }

    /// Registers `handler` for `method` on `path`, reachable only as `access` allows.
    pub fn route<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let Ok(filter) = MethodFilter::try_from(method.clone()) else {
            tracing::error!(%method, path, "a route with a method axum cannot route was not registered");
            return self;
        };
        let mut paths = vec![path.to_string()];
        if self.trailing_slash && !path.ends_with('/') {
            paths.push(format!("{path}/"));
        }
        for path in paths {
            let guard = Guard { state: self.state.clone(), access, deny: self.deny };
            let method_router = on(filter, handler.clone()).route_layer(from_fn_with_state(guard, guarded));
            self.router = self.router.route(&path, method_router);
            self.entries.push(Entry { kind: self.kind, method: method.to_string(), path, access });
        }
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Self {
        self.route(Method::GET, path, access, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Self {
        self.route(Method::POST, path, access, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Self {
        self.route(Method::PUT, path, access, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Self {
        self.route(Method::DELETE, path, access, handler)
    }

    /// Registers `handler` for every method on `path` (a catch-all answer such as a JSON 404).
    pub fn any<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, access: Access, handler: H) -> Self {
        let guard = Guard { state: self.state.clone(), access, deny: self.deny };
        self.router = self.router.route(path, axum::routing::any(handler).layer(from_fn_with_state(guard, guarded)));
        self.entries.push(Entry { kind: self.kind, method: "ANY".into(), path: path.to_string(), access });
        self
    }

    /// Refuses bodies over `bytes` on this family's routes with 413, before a handler reads them.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.router = self.router.layer(tower_http::limit::RequestBodyLimitLayer::new(bytes));
        self
    }

    /// Adds another family of guarded routes (with its own way of refusing).
    pub fn merge(mut self, other: GuardedRoutes) -> Self {
        self.router = self.router.merge(other.router);
        self.entries.extend(other.entries);
        self
    }

    /// The axum router and the rules it was built with.
    pub fn finish(self) -> (Router<AppState>, Vec<Entry>) {
        (self.router, self.entries)
    }
}

/// Resolves the caller, applies the route's rule and hands the caller on to the handler, which
/// therefore never looks the session or token up again.
async fn guarded(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    if guard.access.who == Who::Anyone && guard.access.tokens == Tokens::NotNeeded {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let caller = match authenticate(&guard.state, &parts).await {
        Ok(caller) => caller,
        Err(err) => return (guard.deny)(err),
    };
    let scopes = caller.as_ref().and_then(|c| c.token()).map(|grant| ScopeHeaders::of(&grant.scopes, guard.access));
    if let Err(err) = authorize(guard.access, caller.as_ref()) {
        return ScopeHeaders::add(scopes, (guard.deny)(err));
    }
    if let (true, Some(caller)) = (guard.access.ssh, caller.as_ref())
        && let Err(err) = guard.state.ssh.admit(caller.user.id)
    {
        return ScopeHeaders::add(scopes, (guard.deny)(err.into()));
    }
    if let Some(caller) = caller {
        parts.extensions.insert(ResolvedCaller(caller));
    }
    ScopeHeaders::add(scopes, next.run(Request::from_parts(parts, body)).await)
}

/// GitHub's headers on every answer to a token: `X-OAuth-Scopes` (what it holds) and
/// `X-Accepted-OAuth-Scopes` (what the route asks for; empty when any token will do). `gh` reads
/// them to explain a refusal.
struct ScopeHeaders {
    held: String,
    accepted: String,
}

impl ScopeHeaders {
    fn of(held: &[crate::model::Scope], access: Access) -> ScopeHeaders {
        let held = held.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let accepted = match access.tokens {
            Tokens::Scope(scope) => scope.as_str().to_string(),
            Tokens::AnyScope | Tokens::NotNeeded | Tokens::Refused => String::new(),
        };
        ScopeHeaders { held, accepted }
    }

    fn add(headers: Option<ScopeHeaders>, mut response: Response) -> Response {
        let Some(ScopeHeaders { held, accepted }) = headers else { return response };
        let map = response.headers_mut();
        for (name, value) in [("x-oauth-scopes", held), ("x-accepted-oauth-scopes", accepted)] {
            if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
                map.entry(name).or_insert(value);
            }
        }
        response
    }
}
