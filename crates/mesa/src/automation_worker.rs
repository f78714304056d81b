//! Runs the automation pass inside `mesa serve`. Several processes may share
//! one database: a lease picks one runner per period, and the pass itself
//! is safe to overlap (see `mesa_app::Desk::run_automation`).

use std::time::Duration;

use chrono::Utc;
use mesa_app::Desk;

const LEASE: &str = "automation";

pub fn spawn(desk: Desk, every: Duration) -> tokio::task::JoinHandle<()> {
    let holder = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    );
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let now = Utc::now();
            // The lease outlives a few periods so a slow pass keeps it, and
            // expires so a killed holder is replaced.
            let until = now + chrono::Duration::from_std(every * 3).unwrap_or(chrono::Duration::minutes(3));
            match desk.store().try_lease(LEASE, &holder, until, now).await {
                Ok(true) => {
                    match desk.run_automation(now, false).await {
                        Ok(lines) => {
                            for line in lines {
                                tracing::info!(%line, "automation");
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "automation pass failed"),
                    }
                    // Seed 001: the weekly survey sample (recorded per week, so once).
                    match desk.weekly_survey_sample(now).await {
                        Ok(Some(report)) => {
                            tracing::info!(week = %report.week, sampled = report.lines.len(), "survey sample")
                        }
                        Ok(None) => {}
                        Err(e) => tracing::error!(error = %e, "survey sample failed"),
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "automation lease unavailable"),
            }
        }
    })
}
