//! Sign-in attempts, limited per account **and** per client address, in
//! memory of a fixed size (least recently used entries are forgotten).
//!
//! A few failures are free; after them each key must wait before its next
//! try, twice as long after every further failure. Nothing is locked for
//! good: an account waits at most [`ACCOUNT_MAX_DELAY`], so a stranger who
//! types an admin's address wrong on purpose delays them by a minute at
//! most, while still getting only one guess a minute at that account. A
//! client address waits up to [`CLIENT_MAX_DELAY`], which stops one
//! password being sprayed across many accounts; a client that fails on
//! many different accounts is reported once (`security` log target).

use std::collections::HashSet;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Failures forgotten after this long without another.
const WINDOW: Duration = Duration::from_secs(15 * 60);
const ACCOUNT_FREE_FAILURES: u32 = 5;
const CLIENT_FREE_FAILURES: u32 = 20;
pub const ACCOUNT_MAX_DELAY: Duration = Duration::from_secs(60);
pub const CLIENT_MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Distinct accounts failed from one client that count as spraying.
const SPRAY_ACCOUNTS: usize = 10;
/// Entries kept per kind (a few hundred kilobytes at most).
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
struct Strikes {
    failures: u32,
    last: Instant,
    /// For a client: the accounts it failed on (up to `SPRAY_ACCOUNTS`).
    accounts: HashSet<String>,
    reported: bool,
}

impl Strikes {
    fn new(now: Instant) -> Self {
        Strikes { failures: 0, last: now, accounts: HashSet::new(), reported: false }
    }

    /// How long this key must still wait at `now`.
    fn wait(&self, now: Instant, free: u32, max: Duration) -> Duration {
        if self.failures < free || now.duration_since(self.last) >= WINDOW {
            return Duration::ZERO;
        }
        let doublings = (self.failures - free).min(20);
        let delay = Duration::from_secs(1u64 << doublings).min(max);
        delay.saturating_sub(now.duration_since(self.last))
    }
}

/// What a failed attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    Counted,
    /// This client has now failed on many different accounts.
    SprayingDetected,
}

#[derive(Debug)]
pub struct LoginLimiter {
    accounts: Mutex<LruCache<String, Strikes>>,
    clients: Mutex<LruCache<IpAddr, Strikes>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let cap = NonZeroUsize::new(CAPACITY).expect("non-zero capacity");
        Self { accounts: Mutex::new(LruCache::new(cap)), clients: Mutex::new(LruCache::new(cap)) }
    }
}

fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// IPv6 clients are counted by their /64, which one host usually holds whole.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

impl LoginLimiter {
    /// `Ok` when this attempt may be checked now, or how long to wait.
    pub fn check(&self, email: &str, client: Option<IpAddr>) -> Result<(), Duration> {
        self.check_at(email, client, Instant::now())
    }

    fn check_at(&self, email: &str, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let account = self
            .accounts
            .lock()
            .expect("limiter")
            .peek(&account_key(email))
            .map_or(Duration::ZERO, |s| s.wait(now, ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY));
        let client = client
            .and_then(|ip| {
                let clients = self.clients.lock().expect("limiter");
                clients.peek(&client_key(ip)).map(|s| s.wait(now, CLIENT_FREE_FAILURES, CLIENT_MAX_DELAY))
            })
            .unwrap_or(Duration::ZERO);
        let wait = account.max(client);
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    /// Counts a failure; says whether it revealed spraying (already logged).
    pub fn failed(&self, email: &str, client: Option<IpAddr>) -> Failure {
        self.failed_at(email, client, Instant::now())
    }

    fn failed_at(&self, email: &str, client: Option<IpAddr>, now: Instant) -> Failure {
        let key = account_key(email);
        bump(&mut self.accounts.lock().expect("limiter"), key.clone(), now);
        let Some(ip) = client else { return Failure::Counted };
        let mut clients = self.clients.lock().expect("limiter");
        let strikes = bump(&mut clients, client_key(ip), now);
        if strikes.accounts.len() < SPRAY_ACCOUNTS {
            strikes.accounts.insert(key);
        }
        if strikes.accounts.len() >= SPRAY_ACCOUNTS && !strikes.reported {
            strikes.reported = true;
            tracing::warn!(target: "security", client = %ip, failures = strikes.failures,
                "one client failed to sign in to many accounts (password spraying?)");
            return Failure::SprayingDetected;
        }
        Failure::Counted
    }

    /// A right password clears that account's failures (not the client's:
    /// an attacker's own valid account must not reset their count).
    pub fn succeeded(&self, email: &str) {
        self.accounts.lock().expect("limiter").pop(&account_key(email));
    }

    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        (self.accounts.lock().unwrap().len(), self.clients.lock().unwrap().len())
    }
}

fn bump<K: std::hash::Hash + Eq>(map: &mut LruCache<K, Strikes>, key: K, now: Instant) -> &mut Strikes {
    let strikes = map.get_or_insert_mut(key, || Strikes::new(now));
    if now.duration_since(strikes.last) >= WINDOW {
        *strikes = Strikes::new(now);
    }
    strikes.failures += 1;
    strikes.last = now;
    strikes
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACKER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9)));
    const OWNER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 4)));

    #[test]
    fn an_account_backs_off_doubling_and_never_waits_more_than_a_minute() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..ACCOUNT_FREE_FAILURES {
            assert_eq!(l.check_at("Ana@x.co", ATTACKER, t0), Ok(()), "free failure {i}");
            l.failed_at("ana@x.co", ATTACKER, t0);
        }
        assert_eq!(l.check_at("ANA@x.co", OWNER, t0), Err(Duration::from_secs(1)));
        assert_eq!(l.check_at("ana@x.co", OWNER, t0 + Duration::from_secs(1)), Ok(()));
        l.failed_at("ana@x.co", ATTACKER, t0);
        assert_eq!(l.check_at("ana@x.co", OWNER, t0), Err(Duration::from_secs(2)));
        for _ in 0..30 {
            l.failed_at("ana@x.co", ATTACKER, t0);
        }
        assert_eq!(l.check_at("ana@x.co", OWNER, t0), Err(ACCOUNT_MAX_DELAY), "capped, not locked");
        assert_eq!(l.check_at("ana@x.co", OWNER, t0 + ACCOUNT_MAX_DELAY), Ok(()));
        assert_eq!(l.check_at("beto@x.co", OWNER, t0), Ok(()), "other accounts are not affected");
    }

    #[test]
    fn a_success_clears_the_account_but_not_the_client() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..CLIENT_FREE_FAILURES + 3 {
            l.failed_at(&format!("u{}@x.co", i % 3), ATTACKER, t0);
        }
        l.succeeded("u0@x.co");
        l.succeeded("attacker@x.co");
        assert!(l.check_at("u0@x.co", ATTACKER, t0).is_err(), "the client still waits");
        assert_eq!(l.check_at("u0@x.co", OWNER, t0), Ok(()), "the account is free from elsewhere");
    }

    #[test]
    fn one_password_sprayed_across_many_accounts_is_slowed_and_reported_once() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        let mut reports = 0;
        let mut refused = 0;
        for i in 0..100 {
            let email = format!("persona{i}@x.co");
            if l.check_at(&email, ATTACKER, t0).is_err() {
                refused += 1;
                continue;
            }
            if l.failed_at(&email, ATTACKER, t0) == Failure::SprayingDetected {
                reports += 1;
            }
        }
        assert_eq!(refused, 100 - CLIENT_FREE_FAILURES as usize, "each account is new, the client is not");
        assert_eq!(reports, 1);
        assert_eq!(l.check_at("nueva@x.co", OWNER, t0), Ok(()), "other clients are not affected");
    }

    #[test]
    fn failures_are_forgotten_after_the_window() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_FREE_FAILURES + 5 {
            l.failed_at("ana@x.co", ATTACKER, t0);
        }
        assert!(l.check_at("ana@x.co", OWNER, t0).is_err());
        let later = t0 + WINDOW;
        assert_eq!(l.check_at("ana@x.co", ATTACKER, later), Ok(()));
        l.failed_at("ana@x.co", ATTACKER, later);
        assert_eq!(l.check_at("ana@x.co", ATTACKER, later), Ok(()), "the count started again");
    }

    #[test]
    fn memory_stays_bounded_however_many_addresses_are_tried() {
        let l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..(CAPACITY as u32 + 5_000) {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            l.failed_at(&format!("u{i}@x.co"), Some(ip), t0);
        }
        assert_eq!(l.len(), (CAPACITY, CAPACITY));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
