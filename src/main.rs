//! `keyhaven`: see `keyhaven --help`. Setup lives in `server::cli`, so this stays short.

/// mimalloc instead of glibc's allocator: a page render allocates many small strings on several
/// threads, and glibc's arenas spent a quarter of the time of a page in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    keyhaven::server::cli::run().await
}
