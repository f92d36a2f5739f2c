//! Server-rendered pages while requests overlap on a multi-threaded runtime: every response is the
//! whole page with its own title and heading, never another request's or half of one.

use crate::common::http::{Auth, TestApp};
use crate::common::sqlite;
use keyhaven::components::layout::NAV as PAGES;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_page_renders_whole_while_requests_overlap() {
    let app = Arc::new(TestApp::new(sqlite().await));
    app.setup_admin("admin", "long enough password").await;
    let token = app.browser_login("admin", "long enough password").await;
    let mut renders = tokio::task::JoinSet::new();
    for round in 0..8 {
        for (i, (path, title)) in PAGES.iter().enumerate() {
            let (app, token) = (app.clone(), token.clone());
            renders.spawn(async move {
                let page = app.get_page(path, &Auth::Session(token)).await;
                (round, i, *path, *title, page.status, page.text())
            });
        }
    }
    let mut rendered = 0;
    while let Some(result) = renders.join_next().await {
        let (round, _, path, title, status, html) = result.expect("render task did not panic");
        assert_eq!(status, 200, "{path} (round {round})");
        assert!(html.contains(&format!("<title>{title} · Keyhaven</title>")), "{path} (round {round}) title: {html}");
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{path} (round {round}) heading");
        assert!(html.contains("</html>"), "{path} (round {round}) is complete");
        rendered += 1;
    }
    assert_eq!(rendered, PAGES.len() * 8);
}

/// Listing the app's routes holds back every resource in the process while it runs
/// (leptos-rs/leptos#4773): a page rendered while another router is built must still finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_finish_while_other_routers_are_built() {
    let app = Arc::new(TestApp::new(sqlite().await));
    app.setup_admin("admin", "long enough password").await;
    let token = app.browser_login("admin", "long enough password").await;
    let state = app.state.clone();
    let builder = std::thread::spawn(move || {
        for _ in 0..40 {
            drop(keyhaven::server::router::build_router(state.clone()));
        }
    });
    let renders = async {
        for _ in 0..5 {
            for (path, title) in PAGES {
                let page = app.get_page(path, &Auth::Session(token.clone())).await;
                assert_eq!(page.status, 200, "{path}");
                assert!(page.text().contains(&format!("<h1>{title}</h1>")), "{path}");
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), renders)
        .await
        .expect("every page finished while routers were being built");
    builder.join().expect("routers built");
}
