//! Live progress of running SSH operations, so the page can show a test's or a deploy's stages
//! while they happen (a silent host takes the whole connect timeout; the operator should see that
//! TCP worked and the handshake is what hangs). Operations publish here through `Stages`; pages
//! and API clients poll it. Finished entries are kept a few minutes for a late poll, then dropped.

use crate::model::{ProgressView, StageView};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a finished operation's stages stay readable.
const KEEP_FINISHED: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
pub struct ProgressBoard {
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug)]
struct Entry {
    stages: Vec<StageView>,
    running: bool,
    updated: Instant,
}

/// The board key of operations on one connection (test, deploy, storage).
pub fn connection_key(id: i32) -> String {
    format!("connection:{id}")
}

impl ProgressBoard {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An operation under `key` starts: earlier stages under that key are forgotten.
    pub fn start(&self, key: &str) {
        let mut entries = self.lock();
        entries.retain(|_, e| e.running || e.updated.elapsed() < KEEP_FINISHED);
        entries.insert(key.to_string(), Entry { stages: Vec::new(), running: true, updated: Instant::now() });
    }

    /// A stage of the operation under `key` finished.
    pub fn push(&self, key: &str, stage: &StageView) {
        if let Some(entry) = self.lock().get_mut(key) {
            entry.stages.push(stage.clone());
            entry.updated = Instant::now();
        }
    }

    /// The operation under `key` is over (whatever its outcome).
    pub fn finish(&self, key: &str) {
        if let Some(entry) = self.lock().get_mut(key) {
            entry.running = false;
            entry.updated = Instant::now();
        }
    }

    /// What the operation under `key` has done so far; nothing ran recently → not running, no stages.
    pub fn get(&self, key: &str) -> ProgressView {
        match self.lock().get(key) {
            Some(entry) if entry.running || entry.updated.elapsed() < KEEP_FINISHED => {
                ProgressView { running: entry.running, stages: entry.stages.clone() }
            }
            _ => ProgressView::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(name: &str) -> StageView {
        StageView { name: name.into(), status: "ok".into(), message: String::new(), millis: 1 }
    }

    #[test]
    fn stages_show_while_running_and_a_new_run_starts_empty() {
        let board = ProgressBoard::default();
        assert_eq!(board.get("connection:1"), ProgressView::default());
        board.start("connection:1");
        board.push("connection:1", &stage("tcp"));
        let live = board.get("connection:1");
        assert!(live.running);
        assert_eq!(live.stages, vec![stage("tcp")]);
        board.finish("connection:1");
        assert!(!board.get("connection:1").running);
        assert_eq!(board.get("connection:1").stages.len(), 1);
        board.start("connection:1");
        assert!(board.get("connection:1").stages.is_empty());
        assert_eq!(board.get("connection:2"), ProgressView::default());
    }

    #[test]
    fn a_stage_for_an_operation_never_started_is_ignored() {
        let board = ProgressBoard::default();
        board.push("connection:9", &stage("tcp"));
        assert_eq!(board.get("connection:9"), ProgressView::default());
    }
}
