//! Secrets: receipts, reviewer passwords and session tokens. Each is stored
//! only as an argon2id hash (OWASP parameters: 19 MiB, t = 2, p = 1, the
//! argon2 crate's defaults). Hashing is slow on purpose, so it runs on the
//! blocking pool behind a semaphore: no burst of logins can occupy every
//! core or exhaust memory.

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

/// Runs argon2 work off the async executor, at most `permits` at a time.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(permits: usize) -> Hasher {
        Hasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
        }
    }

    pub async fn hash(&self, secret: String) -> String {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore is never closed");
        tokio::task::spawn_blocking(move || hash(&secret))
            .await
            .expect("hashing does not panic")
    }

    /// `stored` of `None` verifies against the dummy hash and fails.
    pub async fn verify(&self, secret: String, stored: Option<String>) -> bool {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore is never closed");
        tokio::task::spawn_blocking(move || match stored {
            Some(h) => verify(&secret, &h),
            None => {
                let _ = verify(&secret, dummy_hash());
                false
            }
        })
        .await
        .unwrap_or(false)
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
