//! SQLite's WAL is copied back into the database file by a task of its own,
//! instead of by whichever commit fills 1,000 pages of log: under load that
//! was dozens of checkpoints a second, each writing the same hot pages again
//! and syncing the file while a request waited (the p99 spikes of writes and
//! of the mail ingester in docs/performance.md).
//!
//! Every [`CHECKPOINT_EVERY`] a passive checkpoint runs on a reader's
//! connection, beside the writer. While writes keep coming it can never copy
//! the very last frames, so the log would grow forever; once it passes
//! [`WAL_RESTART_FRAMES`], one checkpoint runs on the writer's connection,
//! between two writes: little is left to copy by then, and the next write
//! starts the log over.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::sqlite::SqlitePool;

pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// 64 MiB of 4 KiB pages.
pub(crate) const WAL_RESTART_FRAMES: i64 = 16_384;

/// Keeps the checkpointer running; it stops once every clone is dropped.
#[derive(Clone)]
pub(crate) struct Checkpointer(#[allow(dead_code)] Arc<()>);

/// Checkpoints the database of `writer` and `reader` until the returned
/// handle's last clone is dropped or the pools close.
pub(crate) fn spawn_checkpointer(writer: SqlitePool, reader: SqlitePool) -> Checkpointer {
    let alive = Arc::new(());
    let watch: Weak<()> = Arc::downgrade(&alive);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if watch.strong_count() == 0 || writer.is_closed() || reader.is_closed() {
                break;
            }
            // (busy, frames in the log, frames copied)
            let passive: Result<(i64, i64, i64), _> =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&reader).await;
            match passive {
                Ok((_, frames, _)) if frames > WAL_RESTART_FRAMES => {
                    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&writer).await {
                        tracing::debug!(error = %e, "WAL checkpoint on the writer skipped");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "WAL checkpoint skipped"),
            }
        }
    });
    Checkpointer(alive)
}
