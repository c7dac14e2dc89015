//! What every request handler shares.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::TokenCache;
use crate::db::{self, Db, OpenError};
use crate::pdq_store::PdqStore;

/// How the server was asked to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Public requests (reports, evidence) one address may make per minute; 0 turns the limit
    /// off (for benchmarks, or behind a proxy that limits).
    pub public_per_minute: u32,
    /// The longest a request's body may take to arrive before it is cut off (408).
    pub body_timeout: std::time::Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            public_per_minute: 60,
            // 64 MiB (the largest evidence file) at about 1 MB/s.
            body_timeout: std::time::Duration::from_secs(60),
        }
    }
}

pub struct State {
    pub db: Db,
    /// Seed of the intake's receipt key (Ed25519).
    pub receipt_seed: [u8; 32],
    /// Key of the evidence tokens (HMAC-SHA256 of the report id).
    pub evidence_key: [u8; 32],
    pub pdq: PdqStore,
    pub tokens: TokenCache,
    pub limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// See [`Options::body_timeout`].
    pub body_timeout: std::time::Duration,
    /// Sign-in attempts per address (10 a minute, whatever the public limit).
    pub sign_in_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Evidence uploads being received at once (each may hold 64 MiB in memory).
    pub reading_slots: tokio::sync::Semaphore,
    /// Evidence files being checked at once (a check inflates the zip's entries).
    pub evidence_slots: tokio::sync::Semaphore,
}

/// Evidence files checked at once; more wait their turn.
pub const EVIDENCE_AT_ONCE: usize = 4;
/// Evidence uploads received at once (16 × 64 MiB = 1 GiB at most).
pub const READING_AT_ONCE: usize = 16;

/// The rate limit's key for an address: an IPv6 address by its /64 (one subscriber's network,
/// where anyone can pick any of 2^64 addresses), an IPv4 address whole.
pub fn limit_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut s = v6.segments();
                s.iter_mut().skip(4).for_each(|seg| *seg = 0);
                IpAddr::V6(std::net::Ipv6Addr::from(s))
            }
        },
    }
}

pub type Shared = Arc<State>;

impl State {
    /// Opens the database, its secrets and the PDQ index.
    pub async fn open(url: &str, options: &Options) -> Result<Shared, OpenError> {
        let db = db::open(url).await?;
        let receipt_seed = db::secret(&db, "receipt_seed").await?;
        let evidence_key = db::secret(&db, "evidence_key").await?;
        let pdq = PdqStore::load(&db).await?;
        let limiter = NonZeroU32::new(options.public_per_minute).map(|n| {
            // A burst of a quarter of the minute's allowance: a person retrying a few times is
            // never refused, a script sending hundreds is.
            let burst = NonZeroU32::new((n.get() / 4).max(1)).unwrap_or(n);
            RateLimiter::keyed(Quota::per_minute(n).allow_burst(burst))
        });
        Ok(Arc::new(State {
            db,
            receipt_seed,
            evidence_key,
            pdq,
            tokens: TokenCache::default(),
            limiter,
            body_timeout: options.body_timeout,
            reading_slots: tokio::sync::Semaphore::new(READING_AT_ONCE),
            evidence_slots: tokio::sync::Semaphore::new(EVIDENCE_AT_ONCE),
            sign_in_limiter: RateLimiter::keyed(
                Quota::per_minute(NonZeroU32::MIN.saturating_add(9))
                    .allow_burst(NonZeroU32::MIN.saturating_add(4)),
            ),
        }))
    }

    /// Whether `address` may make one more public request now.
    pub fn allow(&self, address: IpAddr) -> bool {
        self.limiter
            .as_ref()
            .is_none_or(|l| l.check_key(&limit_key(address)).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::limit_key;
    use std::net::IpAddr;

    #[test]
    fn one_ipv6_network_is_one_sender() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(limit_key(a), limit_key(b));
        assert_ne!(limit_key(a), limit_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(limit_key(mapped), IpAddr::from([192, 0, 2, 7]));
    }
}
