//! Bounded retries with jittered exponential backoff, for temporary errors only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// When and how long to wait before trying a check again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles for each further retry.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// A 429 whose `Retry-After` asks for more than this is not retried: the error, with
    /// the wait, goes back to the caller.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `attempt + 1` after `error`, or `None` when the check
    /// should not be retried: a permanent error, no retries left, or a server that asked
    /// for a longer wait than `max_retry_after`.
    pub fn delay(&self, attempt: u32, error: &Error) -> Option<Duration> {
        if !error.is_temporary() || attempt >= self.max_retries {
            return None;
        }
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_backoff);
        // "Equal jitter": half fixed, half random, so that a fleet's retries spread out
        // without any of them coming back at once.
        let half = exponential / 2;
        let jittered = half + half.mul_f64(unit_random());
        match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => None,
            Some(asked) => Some(asked.max(jittered)),
            None => Some(jittered),
        }
    }
}

/// A number in [0, 1) from a SplitMix64 sequence seeded by the clock: enough to spread
/// retries, with no need for a cryptographic generator.
fn unit_random() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(seed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, Provider};

    fn unavailable() -> Error {
        Error::new(ErrorKind::Unavailable, Some(Provider::ALL[0]), "x").with_status(503)
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops_after_the_last_retry() {
        let policy = RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(10),
        };
        for _ in 0..100 {
            let first = policy.delay(0, &unavailable()).unwrap();
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let second = policy.delay(1, &unavailable()).unwrap();
            assert!((Duration::from_millis(100)..=Duration::from_millis(200)).contains(&second));
            let capped = policy.delay(2, &unavailable()).unwrap();
            assert!((Duration::from_millis(150)..=Duration::from_millis(300)).contains(&capped));
        }
        assert_eq!(policy.delay(3, &unavailable()), None);
    }

    #[test]
    fn permanent_errors_are_not_retried() {
        let error = Error::new(ErrorKind::Unauthenticated, Some(Provider::ALL[0]), "x");
        assert_eq!(RetryPolicy::default().delay(0, &error), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_limit() {
        let policy = RetryPolicy::default();
        let asked = |secs| {
            Error::new(ErrorKind::RateLimited, Some(Provider::ALL[0]), "x")
                .with_retry_after(Some(Duration::from_secs(secs)))
        };
        assert_eq!(policy.delay(0, &asked(2)), Some(Duration::from_secs(2)));
        assert_eq!(policy.delay(0, &asked(60)), None);
    }

    #[test]
    fn random_numbers_stay_in_the_unit_interval() {
        for _ in 0..1000 {
            let r = unit_random();
            assert!((0.0..1.0).contains(&r), "{r}");
        }
    }
}
