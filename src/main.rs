//! `keyhaven`: see `keyhaven --help`. Setup lives in `server::cli`, so this stays short.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    keyhaven::server::cli::run().await
}
