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
    /// Prefixes each route is also served under (see [`GuardedRoutes::also_under`]).
    mirrors: Vec<&'static str>,
    /// Path prefixes whose unrouted requests this family answers (see [`GuardedRoutes::owns`]).
    owned: Vec<(&'static str, Deny)>,
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
            mirrors: Vec::new(),
            owned: Vec::new(),
        }
    }

    /// Serves every route registered after this also under `prefix`, under the same rule (and
    /// listed in the table): GitHub Enterprise clients put `/api/v3` before every path.
    pub fn also_under(mut self, prefix: &'static str) -> Self {
        self.mirrors.push(prefix);
        self
    }

    /// Requests under `prefix` that no route matches are answered in this family's error shape
    /// (404, or 405 for a known path with another method), never with the web app's HTML page:
    /// clients of this family parse every answer as JSON.
    pub fn owns(mut self, prefix: &'static str) -> Self {
        self.owned.push((prefix, self.deny));
        self
    }

    /// The prefixes the families own and their routes, for the one layer that answers unrouted
    /// requests.
    pub fn unrouted(&self) -> Unrouted {
        Unrouted::new(self.owned.clone(), &self.entries)
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
        paths.extend(self.mirrors.iter().map(|prefix| format!("{prefix}{path}")));
        if self.trailing_slash {
            let slashed: Vec<String> = paths.iter().filter(|p| !p.ends_with('/')).map(|p| format!("{p}/")).collect();
            paths.extend(slashed);
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

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, access: Access, handler: H) -> Self {
        self.route(Method::PATCH, path, access, handler)
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
        self.owned.extend(other.owned);
        self
    }

    /// The axum router and the rules it was built with.
    pub fn finish(self) -> (Router<AppState>, Vec<Entry>) {
        (self.router, self.entries)
    }
}

/// The routes of the families that own path prefixes (see [`GuardedRoutes::owns`]), to answer a
/// request under such a prefix that no route takes before it reaches the web app's pages.
#[derive(Clone)]
pub struct Unrouted(std::sync::Arc<UnroutedInner>);

struct UnroutedInner {
    owned: Vec<(&'static str, Deny)>,
    /// The methods registered on each path pattern, in axum's (and matchit's) syntax.
    routes: matchit::Router<Vec<String>>,
}

impl Unrouted {
    fn new(owned: Vec<(&'static str, Deny)>, entries: &[Entry]) -> Unrouted {
        let mut methods: std::collections::BTreeMap<&str, Vec<String>> = std::collections::BTreeMap::new();
        // A catch-all route is itself an answer for unrouted paths (Borg UI's JSON 404 under
        // `/api`): under an owned prefix the owner answers instead.
        for entry in entries.iter().filter(|e| !e.path.contains("{*")) {
            methods.entry(entry.path.as_str()).or_default().push(entry.method.clone());
        }
        let mut routes = matchit::Router::new();
        for (path, methods) in methods {
            if let Err(err) = routes.insert(path, methods) {
                tracing::error!(path, error = %err, "a route could not be listed for unrouted answers");
            }
        }
        Unrouted(std::sync::Arc::new(UnroutedInner { owned, routes }))
    }

    /// How to refuse `method path`, when a family owns the path and none of its routes takes it.
    fn refusal(&self, method: &Method, path: &str) -> Option<(Deny, AppError)> {
        let under =
            |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        // The longest prefix wins, so a family can own a path inside another's.
        let (_, deny) =
            self.0.owned.iter().filter(|(prefix, _)| under(prefix)).max_by_key(|(prefix, _)| prefix.len())?;
        let Ok(found) = self.0.routes.at(path) else {
            return Some((*deny, AppError::NotFound("Not Found".into())));
        };
        let takes = |m: &String| m == "ANY" || m == method.as_str() || (method == Method::HEAD && m == "GET");
        if found.value.iter().any(takes) {
            None
        } else {
            Some((*deny, AppError::MethodNotAllowed(found.value.join(", "))))
        }
    }
}

/// Answers a request under an owned prefix that no route takes: 404, or 405 with `Allow` when the
/// path exists with other methods, in the owning family's shape. Everything else passes.
pub async fn answer_unrouted(State(unrouted): State<Unrouted>, request: Request, next: Next) -> Response {
    match unrouted.refusal(request.method(), request.uri().path()) {
        None => next.run(request).await,
        Some((deny, err @ AppError::MethodNotAllowed(_))) => {
            let allow = err.to_string();
            let mut answer = deny(err);
            if let Ok(value) = axum::http::HeaderValue::from_str(&allow) {
                answer.headers_mut().insert(axum::http::header::ALLOW, value);
            }
            answer
        }
        Some((deny, err)) => deny(err),
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
