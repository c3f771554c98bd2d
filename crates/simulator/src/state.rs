//! The simulator's shared state: the instances, their counters, the rate limiters and the
//! request log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use wa_providers::Provider;

use crate::fleet::{Fleet, Instance};
use crate::log::RequestLog;

/// How many requests an instance received, and how many of them got a 429.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Requests the instance received.
    pub requests: u64,
    /// Of those, the ones answered with the rate-limit recording.
    pub rate_limited: u64,
}

/// An instance as served: its description, when its timeline started, and its counters.
pub(crate) struct Served {
    pub instance: Instance,
    pub timeline_start: Instant,
    pub counters: Counters,
}

impl Served {
    fn new(instance: Instance) -> Served {
        Served {
            instance,
            timeline_start: Instant::now(),
            counters: Counters::default(),
        }
    }

    /// The recorded response served now: the last timeline step reached, or the base one.
    pub fn current_response(&self) -> &str {
        let elapsed = self.timeline_start.elapsed();
        self.instance
            .timeline
            .iter()
            .filter(|step| Duration::from_millis(step.after_ms) <= elapsed)
            .max_by_key(|step| step.after_ms)
            .map_or(self.instance.response.as_str(), |step| {
                step.response.as_str()
            })
    }
}

/// A provider's documented rate limit: at most `requests` in any window of `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests fit in the window.
    pub requests: usize,
    /// The window.
    pub per: Duration,
}

impl RateLimit {
    /// The quota `provider` documents for its status call, from the provider catalog.
    pub fn of(provider: Provider) -> Option<RateLimit> {
        provider.info().quota.map(|quota| RateLimit {
            requests: quota.requests as usize,
            per: Duration::from_secs(quota.per_seconds),
        })
    }
}

pub(crate) struct Inner {
    pub instances: HashMap<(Provider, String), Served>,
    /// The id of every instance whose vendor knows it by a credential, by provider and that
    /// credential (see [`Instance::naming_credential`]).
    pub named: HashMap<(Provider, String), String>,
    pub rate_limits_enabled: bool,
    /// Times of the recent requests, per rate-limit key, for a sliding window.
    windows: HashMap<String, VecDeque<Instant>>,
}

/// Shared by every connection and the control API.
#[derive(Clone)]
pub(crate) struct SharedState {
    inner: Arc<Mutex<Inner>>,
    pub log: RequestLog,
    /// Requests being answered, per provider, and the most there were at once.
    pub in_flight: Arc<InFlight>,
}

/// Requests being answered at once, per provider (in the order of `Provider::ALL`).
#[derive(Default)]
pub(crate) struct InFlight {
    now: [AtomicUsize; Provider::ALL.len()],
    peak: [AtomicUsize; Provider::ALL.len()],
}

impl InFlight {
    /// Counts a request of `provider` until the guard is dropped.
    pub fn enter(self: &Arc<Self>, provider: Provider) -> InFlightGuard {
        let slot = Provider::ALL
            .iter()
            .position(|p| *p == provider)
            .unwrap_or_default();
        let now = self.now[slot].fetch_add(1, Ordering::SeqCst) + 1;
        self.peak[slot].fetch_max(now, Ordering::SeqCst);
        InFlightGuard {
            counts: Arc::clone(self),
            slot,
        }
    }

    /// The most requests of each provider answered at once, since the start or the last
    /// [`InFlight::reset_peaks`].
    pub fn peaks(&self) -> Vec<(Provider, usize)> {
        Provider::ALL
            .iter()
            .zip(&self.peak)
            .map(|(provider, peak)| (*provider, peak.load(Ordering::SeqCst)))
            .filter(|(_, peak)| *peak > 0)
            .collect()
    }

    pub fn reset_peaks(&self) {
        for peak in &self.peak {
            peak.store(0, Ordering::SeqCst);
        }
    }
}

/// One request being answered.
pub(crate) struct InFlightGuard {
    counts: Arc<InFlight>,
    slot: usize,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.counts.now[self.slot].fetch_sub(1, Ordering::SeqCst);
    }
}

impl SharedState {
    pub fn new(fleet: Fleet, rate_limits_enabled: bool, log: RequestLog) -> SharedState {
        let named = fleet
            .instances
            .iter()
            .filter_map(|instance| {
                let credential = instance.naming_credential()?;
                Some((
                    (instance.provider, credential.to_owned()),
                    instance.id.clone(),
                ))
            })
            .collect();
        let instances = fleet
            .instances
            .into_iter()
            .map(|instance| {
                (
                    (instance.provider, instance.id.clone()),
                    Served::new(instance),
                )
            })
            .collect();
        SharedState {
            inner: Arc::new(Mutex::new(Inner {
                instances,
                named,
                rate_limits_enabled,
                windows: HashMap::new(),
            })),
            log,
            in_flight: Arc::new(InFlight::default()),
        }
    }

    /// The state, even if a thread panicked while holding it: every update leaves it
    /// consistent, so a poisoned lock carries no half-done change.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an instance, or replaces the one with the same provider and id (counters
    /// restart).
    pub fn upsert(&self, instance: Instance) -> Result<(), String> {
        let mut inner = self.lock();
        let named = instance
            .naming_credential()
            .map(|credential| (instance.provider, credential.to_owned()));
        if let Some(other) = named.as_ref().and_then(|key| inner.named.get(key)) {
            if *other != instance.id {
                return Err(instance.name_taken_by(other));
            }
        }
        let key = (instance.provider, instance.id.clone());
        inner.remove(&key);
        if let Some(named) = named {
            inner.named.insert(named, instance.id.clone());
        }
        inner.instances.insert(key, Served::new(instance));
        Ok(())
    }
}

impl Inner {
    /// Removes an instance, and its entry among those named by a credential.
    pub fn remove(&mut self, key: &(Provider, String)) -> Option<Served> {
        let served = self.instances.remove(key)?;
        if let Some(credential) = served.instance.naming_credential() {
            self.named.remove(&(key.0, credential.to_owned()));
        }
        Some(served)
    }

    /// Records a request against a rate-limit key. Returns how long to wait when the
    /// request is over the limit; `None` when it may proceed (or limits are off).
    pub fn over_limit(&mut self, key: String, limit: RateLimit, now: Instant) -> Option<Duration> {
        if !self.rate_limits_enabled {
            return None;
        }
        let window = self.windows.entry(key).or_default();
        while window
            .front()
            .is_some_and(|&t| now.duration_since(t) >= limit.per)
        {
            window.pop_front();
        }
        if window.len() >= limit.requests {
            let oldest = *window.front()?;
            return Some(limit.per.saturating_sub(now.duration_since(oldest)));
        }
        window.push_back(now);
        None
    }

    /// Every instance's counters, keyed `provider/id`.
    pub fn all_counters(&self) -> BTreeMap<String, Counters> {
        self.instances
            .iter()
            .map(|((provider, id), served)| (format!("{provider}/{id}"), served.counters))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sliding_window_admits_up_to_the_limit_and_says_how_long_to_wait() {
        let state = SharedState::new(Fleet::default(), true, RequestLog::off());
        let mut inner = state.lock();
        let start = Instant::now();
        let limit = RateLimit {
            requests: 2,
            per: Duration::from_secs(10),
        };
        assert_eq!(inner.over_limit("k".into(), limit, start), None);
        assert_eq!(
            inner.over_limit("k".into(), limit, start + Duration::from_secs(4)),
            None
        );
        assert_eq!(
            inner.over_limit("k".into(), limit, start + Duration::from_secs(6)),
            Some(Duration::from_secs(4))
        );
        assert_eq!(inner.over_limit("other".into(), limit, start), None);
        assert_eq!(
            inner.over_limit("k".into(), limit, start + Duration::from_secs(10)),
            None
        );
        inner.rate_limits_enabled = false;
        for _ in 0..5 {
            assert_eq!(
                inner.over_limit("k".into(), limit, start + Duration::from_secs(10)),
                None
            );
        }
    }
}
