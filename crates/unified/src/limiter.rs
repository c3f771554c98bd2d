//! The client-side rate limiter: it keeps a fleet check inside each provider's documented
//! quota, so that checking never causes a 429 by itself.
//!
//! A quota of N requests per window is N slots. A request takes a free slot; when its
//! answer has arrived, the slot becomes free again one window later. Counting from the
//! answer, not from the sending, is what makes it safe against a server that counts
//! arrivals in a sliding window: the next request in a slot can only arrive after the
//! server's window for the previous one has passed, whatever the network did in between.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::Provider;

/// A quota: at most `requests` per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub requests: usize,
    pub per: Duration,
}

impl Quota {
    /// The quota `provider` documents for its status call, from the provider catalog.
    pub fn documented(provider: Provider) -> Option<Quota> {
        provider.info().quota.map(|quota| Quota {
            requests: quota.requests as usize,
            per: Duration::from_secs(quota.per_seconds),
        })
    }
}

/// The quotas the client follows, per provider. The default is each provider's documented
/// quota (see the crate docs' providers table); a provider may be given another, or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quotas {
    documented: bool,
    overrides: BTreeMap<Provider, Option<Quota>>,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            documented: true,
            overrides: BTreeMap::new(),
        }
    }
}

impl Quotas {
    /// No client-side limits at all (for a simulator with its limits off, say).
    pub fn unlimited() -> Quotas {
        Quotas {
            documented: false,
            overrides: BTreeMap::new(),
        }
    }

    /// The quota followed for `provider`; `None` means no limit.
    pub fn get(&self, provider: Provider) -> Option<Quota> {
        match self.overrides.get(&provider) {
            Some(quota) => *quota,
            None if self.documented => Quota::documented(provider),
            None => None,
        }
    }

    /// Follows `quota` (or no limit) for `provider`.
    pub fn with(mut self, provider: Provider, quota: Option<Quota>) -> Quotas {
        self.overrides.insert(provider, quota);
        self
    }
}

/// The slots of one credential's quota.
pub(crate) struct SlotLimiter {
    per: Duration,
    /// When each slot is free again; `None` while its request is in flight.
    free_at: Mutex<Vec<Option<Instant>>>,
    released: Notify,
}

/// A taken slot; dropping it (when the answer has arrived) starts its window.
pub(crate) struct Permit {
    limiter: Arc<SlotLimiter>,
    slot: usize,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let free_at = Instant::now() + self.limiter.per;
        self.limiter.slots()[self.slot] = Some(free_at);
        self.limiter.released.notify_waiters();
    }
}

impl SlotLimiter {
    pub fn new(quota: Quota) -> Arc<SlotLimiter> {
        let start = Instant::now();
        Arc::new(SlotLimiter {
            per: quota.per,
            free_at: Mutex::new(vec![Some(start); quota.requests.max(1)]),
            released: Notify::new(),
        })
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Option<Instant>>> {
        self.free_at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a free slot and takes it.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            // Registered before looking, so that a release in between is not missed.
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            let earliest = {
                let mut slots = self.slots();
                let now = Instant::now();
                let earliest = slots
                    .iter()
                    .enumerate()
                    .filter_map(|(slot, free_at)| free_at.map(|at| (at, slot)))
                    .min();
                match earliest {
                    Some((at, slot)) if at <= now => {
                        slots[slot] = None;
                        return Permit {
                            limiter: Arc::clone(self),
                            slot,
                        };
                    }
                    other => other.map(|(at, _)| at),
                }
            };
            match earliest {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = &mut released => {}
                    }
                }
                None => released.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_default_to_the_documented_ones_and_can_be_changed() {
        let quotas = Quotas::default();
        for provider in Provider::ALL.iter().copied() {
            assert_eq!(quotas.get(provider), Quota::documented(provider));
            assert_eq!(Quotas::unlimited().get(provider), None);
        }
        let provider = Provider::ALL[0];
        let one = Quota {
            requests: 1,
            per: Duration::from_secs(5),
        };
        assert_eq!(
            quotas.clone().with(provider, Some(one)).get(provider),
            Some(one)
        );
        assert_eq!(quotas.with(provider, None).get(provider), None);
        assert!(Provider::ALL
            .iter()
            .any(|p| Quota::documented(*p).is_some()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_is_free_one_window_after_its_answer() {
        let limiter = SlotLimiter::new(Quota {
            requests: 2,
            per: Duration::from_secs(10),
        });
        let start = Instant::now();
        let first = limiter.acquire().await;
        let second = limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        tokio::time::advance(Duration::from_secs(3)).await;
        drop(first); // answered at t=3: free at t=13
        tokio::time::advance(Duration::from_secs(2)).await;
        drop(second); // answered at t=5: free at t=15
        let third = limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(13));
        let fourth = limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(15));
        drop((third, fourth));
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_wakes_when_an_in_flight_slot_is_released() {
        let limiter = SlotLimiter::new(Quota {
            requests: 1,
            per: Duration::from_secs(1),
        });
        let start = Instant::now();
        let held = limiter.acquire().await;
        let waiter = tokio::spawn({
            let limiter = Arc::clone(&limiter);
            async move {
                let _permit = limiter.acquire().await;
                Instant::now()
            }
        });
        tokio::time::advance(Duration::from_millis(500)).await;
        drop(held);
        let acquired_at = waiter.await.unwrap();
        assert_eq!(acquired_at - start, Duration::from_millis(1500));
    }
}
