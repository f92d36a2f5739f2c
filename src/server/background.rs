//! Background work's place on the CPU. Scheduled checks, alert deliveries and pruning are not
//! waited for by anyone at a screen, so their threads run below the request workers: on a busy
//! machine a page waits for no check. Linux keeps the nice value per thread and a thread starts
//! with the value of the thread that started it, so lowering the thread that starts a worker
//! (the checks' runtime, or SQLite's thread per connection) lowers that worker too. Raising a nice
//! value needs no privilege. Elsewhere background work keeps the default priority.

/// The nice value of background threads: below the request workers (0), above the idle class,
/// so checks still get their share on a machine kept busy by requests (a check starved for 10 s
/// would report a timeout that is not the host's).
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 10;

/// Lowers the calling thread, and every thread it starts from now on, to the background priority.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority takes plain integers and touches no memory of ours; `who = 0` is
        // the calling thread under Linux's per-thread nice values.
        let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICE) };
        if result != 0 {
            tracing::debug!(error = %std::io::Error::last_os_error(), "background work keeps the default priority");
        }
    }
}

/// Runs `work` to its end on a new thread at the background priority (with a runtime of its own
/// for the time it runs) and gives back what it returned; `None` when the thread or its runtime
/// could not start.
pub async fn run_lowered<T, F>(name: &str, work: impl FnOnce() -> F + Send + 'static) -> Option<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T>,
{
    run_on_thread(name, true, work).await
}

/// Runs `work` on a new thread of its own at the caller's priority, with a runtime of its own:
/// for a task that many requests wait for (the files writer), so that it never queues behind
/// them on the request workers, and each of its wake-ups (a query's answer, a notice) reaches a
/// thread that is waiting for nothing else.
pub async fn run_apart<T, F>(name: &str, work: impl FnOnce() -> F + Send + 'static) -> Option<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T>,
{
    run_on_thread(name, false, work).await
}

/// The thread behind `run_lowered` and `run_apart`. The work stops when the caller stops waiting
/// for it (its runtime shut down, its task aborted): a thread left running would keep the work's
/// database pool and files open after everything that used them is gone.
async fn run_on_thread<T, F>(name: &str, lower: bool, work: impl FnOnce() -> F + Send + 'static) -> Option<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = T>,
{
    let (mut done, result) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name(name.to_string()).spawn(move || {
        if lower {
            lower_this_thread();
        }
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => {
                let output = runtime.block_on(async {
                    tokio::select! {
                        output = work() => Some(output),
                        () = done.closed() => None,
                    }
                });
                if let Some(output) = output {
                    let _ = done.send(output);
                }
            }
            Err(err) => tracing::error!(error = %err, "a thread of its own cannot start its runtime"),
        }
    });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "a thread of its own cannot start");
        return None;
    }
    result.await.ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The nice value of the calling thread.
    fn nice_of_this_thread() -> libc::c_int {
        // SAFETY: getpriority takes plain integers; `who = 0` is the calling thread.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[tokio::test]
    async fn work_run_lowered_and_the_threads_it_starts_run_below_the_caller() {
        let caller = nice_of_this_thread();
        let seen = super::run_lowered("lowered-test", || async {
            let own = nice_of_this_thread();
            let started = std::thread::spawn(nice_of_this_thread).join().unwrap_or(-100);
            (own, started)
        })
        .await;
        let expected = (caller + super::BACKGROUND_NICE).min(19);
        assert_eq!(seen, Some((expected, expected)));
        assert_eq!(nice_of_this_thread(), caller, "the caller keeps its priority");
    }

    #[tokio::test]
    async fn work_on_a_thread_of_its_own_stops_when_its_caller_stops_waiting() {
        let (running_tx, running) = tokio::sync::oneshot::channel();
        let stopped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let dropped = stopped.clone();
        struct OnDrop(std::sync::Arc<std::sync::atomic::AtomicBool>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let caller = tokio::spawn(super::run_apart("apart-test", move || async move {
            let _guard = OnDrop(dropped);
            let _ = running_tx.send(nice_of_this_thread());
            std::future::pending::<()>().await;
        }));
        assert_eq!(running.await.ok(), Some(nice_of_this_thread()), "runs at the caller's priority");
        assert!(!stopped.load(std::sync::atomic::Ordering::SeqCst));
        caller.abort();
        for _ in 0..200 {
            if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the work went on after its caller stopped waiting");
    }
}
