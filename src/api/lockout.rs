//! Lockout after repeated failures, per subject: a reviewer name for logins,
//! a report id for receipts. After `max_failures` failed attempts within
//! `window`, the subject is locked for `window` from the last failure:
//! every attempt is refused with 429 and `Retry-After` before any password
//! or receipt is checked, so a right guess during the lockout is refused
//! too. A success resets the count.
//!
//! Attempts in flight count against the limit, so a burst of concurrent
//! guesses cannot get more than `max_failures` checks through before the
//! first failures are recorded.
//!
//! Nothing about the client is kept. Subjects are held as a keyed hash
//! (HMAC-SHA-256 under an in-memory key made at start), so a password typed
//! into the name field is never held in the clear; the table lives in
//! memory only, is bounded, and forgets a subject once its window passes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::error::ApiError;

/// Subjects tracked at once, per kind. Past this, expired entries go first,
/// then the least recently failed.
const MAX_SUBJECTS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Reviewer,
    Receipt,
}

#[derive(Default)]
struct Entry {
    failures: u32,
    in_flight: u32,
    last_failure: Option<Instant>,
}

struct Table {
    entries: HashMap<(Kind, [u8; 16]), Entry>,
}

pub struct Lockouts {
    key: [u8; 32],
    max_failures: u32,
    window: Duration,
    table: Arc<Mutex<Table>>,
}

/// One attempt under way. Call [`Attempt::failed`] or
/// [`Attempt::succeeded`]; dropped without either (the client went away,
/// or something unrelated failed), it only frees its place.
pub struct Attempt {
    table: Arc<Mutex<Table>>,
    subject: (Kind, [u8; 16]),
    done: bool,
}

impl Lockouts {
    pub fn new(max_failures: u32, window: Duration) -> Lockouts {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Lockouts {
            key,
            max_failures: max_failures.max(1),
            window,
            table: Arc::new(Mutex::new(Table {
                entries: HashMap::new(),
            })),
        }
    }

    fn subject(&self, kind: Kind, name: &str) -> (Kind, [u8; 16]) {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(name.as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        (kind, out)
    }

    /// Starts an attempt on `name`, or refuses it while `name` is locked.
    pub fn begin(&self, kind: Kind, name: &str) -> Result<Attempt, ApiError> {
        let subject = self.subject(kind, name);
        let now = Instant::now();
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if !table.entries.contains_key(&subject) && table.entries.len() >= MAX_SUBJECTS {
            self.make_room(&mut table, now);
        }
        let entry = table.entries.entry(subject).or_default();
        if let Some(last) = entry.last_failure {
            if now.duration_since(last) >= self.window {
                entry.failures = 0;
                entry.last_failure = None;
            }
        }
        if entry.failures + entry.in_flight >= self.max_failures {
            let retry = match entry.last_failure {
                Some(last) if entry.failures >= self.max_failures => {
                    self.window
                        .saturating_sub(now.duration_since(last))
                        .as_secs_f64()
                        .ceil() as u64
                }
                // Locked by attempts still being checked: they end soon.
                _ => 1,
            };
            return Err(ApiError::LockedOut(retry.max(1)));
        }
        entry.in_flight += 1;
        Ok(Attempt {
            table: self.table.clone(),
            subject,
            done: false,
        })
    }

    fn make_room(&self, table: &mut Table, now: Instant) {
        table.entries.retain(|_, e| {
            e.in_flight > 0
                || e.last_failure
                    .is_some_and(|last| now.duration_since(last) < self.window)
        });
        if table.entries.len() >= MAX_SUBJECTS {
            let oldest = table
                .entries
                .iter()
                .filter(|(_, e)| e.in_flight == 0)
                .min_by_key(|(_, e)| e.last_failure)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                table.entries.remove(&k);
            }
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.table.lock().unwrap().entries.len()
    }
}

impl Attempt {
    fn finish(&mut self, failed: bool) {
        if self.done {
            return;
        }
        self.done = true;
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let remove = match table.entries.get_mut(&self.subject) {
            Some(entry) => {
                entry.in_flight = entry.in_flight.saturating_sub(1);
                if failed {
                    entry.failures = entry.failures.saturating_add(1);
                    entry.last_failure = Some(Instant::now());
                } else {
                    entry.failures = 0;
                    entry.last_failure = None;
                }
                entry.in_flight == 0 && entry.failures == 0
            }
            None => false,
        };
        if remove {
            table.entries.remove(&self.subject);
        }
    }

    pub fn failed(mut self) {
        self.finish(true);
    }

    pub fn succeeded(mut self) {
        self.finish(false);
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if !self.done {
            // Neither outcome: free the place, keep the count.
            self.done = true;
            let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
            let remove = match table.entries.get_mut(&self.subject) {
                Some(entry) => {
                    entry.in_flight = entry.in_flight.saturating_sub(1);
                    entry.in_flight == 0 && entry.failures == 0
                }
                None => false,
            };
            if remove {
                table.entries.remove(&self.subject);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locked(r: Result<Attempt, ApiError>) -> Option<u64> {
        match r {
            Err(ApiError::LockedOut(s)) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn locks_after_max_failures_and_a_success_resets() {
        let l = Lockouts::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            l.begin(Kind::Reviewer, "alice").unwrap().failed();
        }
        l.begin(Kind::Reviewer, "alice").unwrap().succeeded();
        for _ in 0..3 {
            l.begin(Kind::Reviewer, "alice").unwrap().failed();
        }
        let retry = locked(l.begin(Kind::Reviewer, "alice")).expect("locked");
        assert!((59..=60).contains(&retry), "{retry}");
        // Other subjects and kinds are not affected.
        l.begin(Kind::Reviewer, "bob").unwrap().succeeded();
        l.begin(Kind::Receipt, "alice").unwrap().succeeded();
        assert_eq!(l.tracked(), 1);
    }

    #[test]
    fn attempts_in_flight_count_and_the_lock_ends() {
        let l = Lockouts::new(2, Duration::from_millis(200));
        let a = l.begin(Kind::Receipt, "r").unwrap();
        let b = l.begin(Kind::Receipt, "r").unwrap();
        assert_eq!(locked(l.begin(Kind::Receipt, "r")), Some(1));
        drop(a);
        b.failed();
        l.begin(Kind::Receipt, "r").unwrap().failed();
        assert!(locked(l.begin(Kind::Receipt, "r")).is_some());
        std::thread::sleep(Duration::from_millis(250));
        l.begin(Kind::Receipt, "r").unwrap().succeeded();
        assert_eq!(l.tracked(), 0);
    }

    #[test]
    fn the_table_is_bounded() {
        let l = Lockouts::new(5, Duration::from_secs(60));
        for i in 0..MAX_SUBJECTS + 50 {
            l.begin(Kind::Reviewer, &format!("n{i}")).unwrap().failed();
        }
        assert!(l.tracked() <= MAX_SUBJECTS);
    }
}
