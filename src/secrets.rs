//! Secrets: receipts, reviewer passwords and session tokens. Each is stored
//! only as an argon2id hash (OWASP parameters: 19 MiB, t = 2, p = 1, the
//! argon2 crate's defaults). Hashing is slow on purpose, so it runs on the
//! blocking pool behind a semaphore: no burst of logins can occupy every
//! core or exhaust memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use tokio::sync::Semaphore;

/// A secret of `bytes` random bytes, URL-safe base64.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn hash(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail on a bounded input")
        .to_string()
}

/// Verify in constant time (argon2's comparison of the derived hashes).
pub fn verify(secret: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a value nobody knows. Unknown reviewers and unknown receipts
/// are verified against it, so the time an answer takes does not reveal
/// whether the name or report exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(&random_secret(32)))
}

/// Every argon2 slot is taken and the queue in front of them is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// Runs argon2 work off the async executor (on the blocking pool), at most
/// `permits` at a time. Verifications, which anyone can ask for by sending
/// a guess, wait in a queue of at most `queue`; past that they are refused
/// at once with [`Busy`] instead of piling up, so a flood of logins gets
/// quick refusals and everything else keeps its share of the cores. Hashing
/// a new secret (a receipt for an accepted submission, a session after a
/// good login) always waits for its turn: it follows work already admitted
/// and rate limited, and refusing it would throw that work away.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// A place among the admitted; given back on drop.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hasher {
    pub fn new(permits: usize, queue: usize) -> Hasher {
        let permits = permits.max(1);
        Hasher {
            permits: Arc::new(Semaphore::new(permits)),
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: permits + queue,
        }
    }

    fn admit(&self) -> Result<Admission, Busy> {
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .map(|_| Admission(self.admitted.clone()))
            .map_err(|_| Busy)
    }

    /// Runs `work` on the blocking pool once a slot is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _permit = self.permits.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
    }

    /// Like `run`, refused with [`Busy`] when the queue is full.
    async fn run_admitted<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _admission = self.admit()?;
        self.run(work).await
    }

    pub async fn hash(&self, secret: String) -> Result<String, Busy> {
        self.run(move || hash(&secret)).await
    }

    /// `stored` of `None` verifies against the dummy hash and fails.
    pub async fn verify(&self, secret: String, stored: Option<String>) -> Result<bool, Busy> {
        self.run_admitted(move || match stored {
            Some(h) => verify(&secret, &h),
            None => {
                let _ = verify(&secret, dummy_hash());
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let s = random_secret(16);
        assert_eq!(URL_SAFE_NO_PAD.decode(&s).unwrap().len(), 16);
        let h = hash(&s);
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&s, &h));
        assert!(!verify("wrong", &h));
        assert!(!verify(&s, "not a hash"));
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn work_past_the_queue_is_refused_at_once() {
        let hasher = Hasher::new(1, 1);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let blocked = {
            let h = hasher.clone();
            let rx = rx.clone();
            tokio::spawn(async move {
                h.run_admitted(move || rx.lock().unwrap().recv().is_ok())
                    .await
            })
        };
        let waiting = {
            let h = hasher.clone();
            let rx = rx.clone();
            tokio::spawn(async move {
                h.run_admitted(move || rx.lock().unwrap().recv().is_ok())
                    .await
            })
        };
        // Both places taken: one running, one waiting.
        while hasher.admitted.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(hasher.verify("x".into(), None).await, Err(Busy));
        tx.send(()).unwrap();
        tx.send(()).unwrap();
        assert_eq!(blocked.await.unwrap(), Ok(true));
        assert_eq!(waiting.await.unwrap(), Ok(true));
        assert_eq!(hasher.admitted.load(Ordering::Acquire), 0);
        assert_eq!(hasher.verify("x".into(), None).await, Ok(false));
    }
}
