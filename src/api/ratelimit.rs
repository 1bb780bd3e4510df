//! Rate limits that remember nothing about a client beyond a minute or two:
//! the client address is turned into a keyed hash (HMAC-SHA-256 under a key
//! that lives only in memory and rotates every hour), and only that hash is
//! counted. Nothing is written to disk.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::error::ApiError;

const KEY_LIFETIME: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Login,
    Receipt,
    Submission,
}

struct Key {
    secret: [u8; 32],
    born: Instant,
}

pub struct RateLimits {
    key: RwLock<Key>,
    login: DefaultKeyedRateLimiter<[u8; 16]>,
    receipt: DefaultKeyedRateLimiter<[u8; 16]>,
    submission: DefaultKeyedRateLimiter<[u8; 16]>,
}

fn new_key() -> Key {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    Key {
        secret,
        born: Instant::now(),
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    /// Requests per minute per client for each scope.
    pub fn new(login: u32, receipt: u32, submission: u32) -> RateLimits {
        RateLimits {
            key: RwLock::new(new_key()),
            login: RateLimiter::keyed(per_minute(login)),
            receipt: RateLimiter::keyed(per_minute(receipt)),
            submission: RateLimiter::keyed(per_minute(submission)),
        }
    }

    fn client_key(&self, addr: IpAddr) -> [u8; 16] {
        let needs_rotation = self
            .key
            .read()
            .map(|k| k.born.elapsed() > KEY_LIFETIME)
            .unwrap_or(true);
        if needs_rotation {
            if let Ok(mut k) = self.key.write() {
                if k.born.elapsed() > KEY_LIFETIME {
                    *k = new_key();
                    for l in [&self.login, &self.receipt, &self.submission] {
                        l.retain_recent();
                        l.shrink_to_fit();
                    }
                }
            }
        }
        let secret = self.key.read().map(|k| k.secret).unwrap_or([0; 32]);
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret).expect("HMAC takes any key length");
        match addr {
            IpAddr::V4(a) => mac.update(&a.octets()),
            // An IPv6 client controls its low 64 bits; count the /64.
            IpAddr::V6(a) => mac.update(&a.octets()[..8]),
        }
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        out
    }

    pub fn check(&self, scope: Scope, addr: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(addr) = addr else { return Ok(()) };
        let key = self.client_key(addr);
        let limiter = match scope {
            Scope::Login => &self.login,
            Scope::Receipt => &self.receipt,
            Scope::Submission => &self.submission,
        };
        limiter.check_key(&key).map_err(|_| ApiError::RateLimited)
    }
}
