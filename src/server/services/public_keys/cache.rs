//! Recently read key lists, per owner. Provisioning tools poll `/{user}.keys` and `/user/keys`
//! constantly, and reading a hundred rows through the database driver costs far more than
//! answering; so each owner's list is kept for a few seconds and dropped whenever this process
//! changes it. The database stays the source of truth: another Keyhaven process on the same
//! database sees a change within `TTL`.

use super::owner::KeyOwner;
use crate::server::entities::public_key;
use crate::server::error::ServiceError;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(5);
/// Beyond this many owners the cache starts over, so its memory stays bounded.
const MAX_OWNERS: usize = 50_000;

type KeyList = Arc<Vec<public_key::Model>>;

#[derive(Debug, Default)]
pub struct KeyListCache {
    entries: Mutex<HashMap<KeyOwner, (Instant, KeyList)>>,
    /// Bumped by every invalidation, so a list read before a change is never stored after it.
    generation: AtomicU64,
}

impl KeyListCache {
    /// The owner's keys, oldest first, from the cache or from `load`.
    pub async fn get_or_load<F, Fut>(&self, owner: KeyOwner, load: F) -> Result<KeyList, ServiceError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<public_key::Model>, ServiceError>>,
    {
        if let Some(list) = self.fresh(owner) {
            return Ok(list);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let list = Arc::new(load().await?);
        if let Ok(mut entries) = self.entries.lock()
            && self.generation.load(Ordering::Acquire) == generation
        {
            if entries.len() >= MAX_OWNERS {
                entries.clear();
            }
            entries.insert(owner, (Instant::now(), list.clone()));
        }
        Ok(list)
    }

    fn fresh(&self, owner: KeyOwner) -> Option<KeyList> {
        let entries = self.entries.lock().ok()?;
        entries.get(&owner).filter(|(at, _)| at.elapsed() < TTL).map(|(_, list)| list.clone())
    }

    /// Forgets an owner's list; called after every change to it.
    pub fn invalidate(&self, owner: KeyOwner) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&owner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: i32) -> public_key::Model {
        public_key::Model {
            id,
            user_id: Some(1),
            repository_id: None,
            title: String::new(),
            key_type: "ssh-ed25519".into(),
            bits: 256,
            key: String::new(),
            comment: String::new(),
            fingerprint: format!("SHA256:{id}"),
            read_only: false,
            created_at: chrono::Utc::now(),
        }
    }

    #[tokio::test]
    async fn a_list_is_reused_until_invalidated() {
        let cache = KeyListCache::default();
        let owner = KeyOwner::User(1);
        let first = cache.get_or_load(owner, || async { Ok(vec![key(1)]) }).await.unwrap();
        let cached = cache.get_or_load(owner, || async { Ok(vec![key(1), key(2)]) }).await.unwrap();
        assert_eq!(cached, first, "the second read is served from the cache");
        cache.invalidate(owner);
        let reloaded = cache.get_or_load(owner, || async { Ok(vec![key(1), key(2)]) }).await.unwrap();
        assert_eq!(reloaded.len(), 2);
    }

    #[tokio::test]
    async fn a_list_read_before_a_change_is_not_kept_after_it() {
        let cache = KeyListCache::default();
        let owner = KeyOwner::User(1);
        let stale = cache
            .get_or_load(owner, || async {
                cache.invalidate(owner); // a write lands while the old list is being read
                Ok(vec![key(1)])
            })
            .await
            .unwrap();
        assert_eq!(stale.len(), 1);
        let next = cache.get_or_load(owner, || async { Ok(vec![key(1), key(2)]) }).await.unwrap();
        assert_eq!(next.len(), 2, "the stale list was not stored");
    }
}
