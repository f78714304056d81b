//! What a ticket's two SLA clocks cost to evaluate, by the ticket's age.
//!
//! Every ticket list computes the clocks of the tickets on its page, and an
//! open ticket's clocks run from its creation, so this is the part of a list's
//! CPU that grows with the age of the queue. Prints one line per age.
//!
//! Run: `cargo bench -p mesa-core --bench clocks` (`MESA_BENCH_CLOCKS=n`
//! evaluations per age, default 20000).

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mesa_core::calendar::BusinessCalendar;
use mesa_core::sla;

fn main() {
    let runs: u32 = std::env::var("MESA_BENCH_CLOCKS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000).max(1);
    let calendar = BusinessCalendar::colombia_default();
    // A Tuesday at 10:00 in Bogotá.
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap();
    let (response, resolution) = (Duration::hours(8), Duration::hours(40));
    // A week on hold, from the day after the ticket was created.
    let hold = |created: DateTime<Utc>| [(created + Duration::days(1), Some((created + Duration::days(8)).min(now)))];
    println!("SLA clocks of one open ticket (both clocks), {runs} evaluations per age");
    for days in [0, 7, 30, 90, 365, 1095] {
        let created = now - Duration::days(days);
        let held = hold(created);
        for (label, pauses) in [("no pause", &[][..]), ("a week on hold", &held[..])] {
            let start = Instant::now();
            for _ in 0..runs {
                for target in [response, resolution] {
                    black_box(sla::clock(&calendar, target, black_box(created), None, pauses, 75, now));
                }
            }
            let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
            println!(
                "  created {days:>4} days ago, {label:>14}: {micros:7.2} µs per ticket, {:5.2} ms per page of 25",
                micros * 25.0 / 1000.0
            );
        }
    }
}
