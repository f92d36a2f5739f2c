//! Answers kept ready between changes. A list that clients poll (Borg UI's frontend reloads the
//! whole connection list) costs milliseconds of querying and serialising per request at a thousand
//! rows; between two changes every answer is the same bytes. Each answer is stored with the
//! revision of [`Changes`] it was built at and rebuilt on the first request after any change.
//!
//! Correct because every write a list shows is followed by a publish or a touch (after its commit):
//! the revision is read before building, so a change that lands during the build leaves an answer
//! tagged with the older revision, which the next request replaces.

use crate::server::services::changes::Changes;
use bytes::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Default)]
struct Entry {
    built: Mutex<Option<(u64, Bytes)>>,
    /// One build at a time: thirty-two clients arriving after a change wait for one build instead
    /// of running thirty-two.
    building: tokio::sync::Mutex<()>,
}

impl Entry {
    fn current(&self, revision: u64) -> Option<Bytes> {
        let built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        built.as_ref().filter(|(at, _)| *at == revision).map(|(_, bytes)| bytes.clone())
    }
}

/// Ready answers by name; one per application state (tests run several side by side).
#[derive(Default)]
pub struct ReadyAnswers {
    entries: Mutex<HashMap<&'static str, Arc<Entry>>>,
}

impl std::fmt::Debug for ReadyAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadyAnswers").finish_non_exhaustive()
    }
}

impl ReadyAnswers {
    fn entry(&self, name: &'static str) -> Arc<Entry> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.entry(name).or_default().clone()
    }

    /// The answer called `name` as of now: the kept bytes if nothing changed since they were
    /// built, otherwise what `build` makes (kept for the next request). A failed build keeps
    /// nothing.
    pub async fn get_or_build<F, Fut, E>(&self, name: &'static str, changes: &Changes, build: F) -> Result<Bytes, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        let entry = self.entry(name);
        if let Some(bytes) = entry.current(changes.revision()) {
            return Ok(bytes);
        }
        let _building = entry.building.lock().await;
        let revision = changes.revision();
        if let Some(bytes) = entry.current(revision) {
            return Ok(bytes);
        }
        let bytes = build().await?;
        *entry.built.lock().unwrap_or_else(PoisonError::into_inner) = Some((revision, bytes.clone()));
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn answer(ready: &ReadyAnswers, changes: &Changes, builds: &AtomicUsize) -> Bytes {
        ready
            .get_or_build("list", changes, || async {
                let n = builds.fetch_add(1, Ordering::SeqCst) + 1;
                Ok::<_, ()>(Bytes::from(format!("build {n}")))
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_same_bytes_until_a_change_then_one_rebuild_for_many_readers() {
        let (ready, changes, builds) = (ReadyAnswers::default(), Changes::new(), AtomicUsize::new(0));
        assert_eq!(answer(&ready, &changes, &builds).await, "build 1");
        assert_eq!(answer(&ready, &changes, &builds).await, "build 1", "nothing changed: kept");
        changes.touched();
        let many = futures::future::join_all((0..32).map(|_| answer(&ready, &changes, &builds))).await;
        assert!(many.iter().all(|b| b == "build 2"), "{many:?}");
        assert_eq!(builds.load(Ordering::SeqCst), 2, "32 readers after a change cost one build");
    }

    #[tokio::test]
    async fn a_failed_build_is_not_kept() {
        let (ready, changes) = (ReadyAnswers::default(), Changes::new());
        let failed = ready.get_or_build("list", &changes, || async { Err::<Bytes, _>("db down") }).await;
        assert_eq!(failed, Err("db down"));
        let builds = AtomicUsize::new(0);
        assert_eq!(answer(&ready, &changes, &builds).await, "build 1");
    }
}
