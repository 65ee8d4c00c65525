//! Logging: a daily-rotated file in `<data dir>/logs/` (the last 14 kept) plus
//! warnings on standard error. Logs never hold personal data: log events name
//! cases by id and documents by issuer and type, never by holder.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// How many daily log files are kept.
pub const KEPT_LOG_FILES: usize = 14;

/// Keeps the background log writer alive; logs are flushed when it is dropped.
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// Starts logging. A data directory that cannot be written still gives
/// standard-error logging (and a warning), never a failure to start.
pub fn init(data_dir: &Path, verbose: bool) -> LogGuard {
    let filter = || EnvFilter::try_from_env("TDVERIFY_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr_level = if verbose { "debug" } else { "warn" };
    let logs = data_dir.join("logs");
    let appender = std::fs::create_dir_all(&logs).map_err(|e| e.to_string()).and_then(|()| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("tdverify")
            .filename_suffix("log")
            .max_log_files(KEPT_LOG_FILES)
            .build(&logs)
            .map_err(|e| e.to_string())
    });
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false).with_filter(filter());
            let _ = tracing_subscriber::registry().with(file).with(stderr_layer().with_filter(EnvFilter::new(stderr_level))).try_init();
            LogGuard { _file: Some(guard) }
        }
        Err(error) => {
            let _ = tracing_subscriber::registry().with(stderr_layer().with_filter(EnvFilter::new(stderr_level))).try_init();
            tracing::warn!("cannot write logs to {}: {error}; logging to standard error only", logs.display());
            LogGuard { _file: None }
        }
    }
}

use tracing_subscriber::Layer;

fn stderr_layer<S>() -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false)
}
