//! Sign-in attempts, limited per address: after 10 failures in 15 minutes,
//! that address must wait (per process; enough to stop password guessing).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    fn key(email: &str) -> String {
        email.trim().to_lowercase()
    }

    pub fn allow(&self, email: &str) -> bool {
        let mut map = self.failures.lock().expect("limiter");
        map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        map.get(&Self::key(email)).is_none_or(|(n, _)| *n < MAX_FAILURES)
    }

    pub fn failed(&self, email: &str) {
        let mut map = self.failures.lock().expect("limiter");
        let entry = map.entry(Self::key(email)).or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    pub fn succeeded(&self, email: &str) {
        self.failures.lock().expect("limiter").remove(&Self::key(email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_the_address_and_a_success_clears_it() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_FAILURES {
            assert!(l.allow("Ana@x.co"));
            l.failed("ana@x.co");
        }
        assert!(!l.allow("ANA@x.co"));
        assert!(l.allow("beto@x.co"), "other addresses are not affected");
        l.succeeded("ana@x.co");
        assert!(l.allow("ana@x.co"));
    }
}
