//! The client-side rate limiter: it keeps a fleet check inside each provider's documented
//! quota, so that checking never causes a 429 by itself.
//!
//! A quota of N requests per window is N slots. A request takes a free slot; when its
//! answer has arrived, the slot becomes free again one window later. Counting from the
//! answer, not from the sending, is what makes it safe against a server that counts
//! arrivals in a sliding window: the next request in a slot can only arrive after the
//! server's window for the previous one has passed, whatever the network did in between.
//!
//! Shared across processes: with a quota folder ([`MonitorOptions::shared_quotas`]), a
//! quota's slots live in a file of that folder, named by a hash of the provider, the
//! normalized origin and the credential, and every process of the host that uses the same
//! credential takes its slots there (see [`crate::quota_folder`] for how the folder is kept
//! safe). A slot taken is free again one window after the taking, until its answer moves
//! that to one window after the answer: a process that dies holding a slot loses it for one
//! window only. A slot that ends more than a window from now was never written by a live
//! process (a corrupted file, or a clock stepped back), and is free.
//!
//! When the folder cannot be used (it is not safe, not writable, or its lock is held for
//! longer than [`LOCK_PATIENCE`]), the quota is kept in this process, and the monitor says
//! so once, as a warning in the log.
//!
//! [`MonitorOptions::shared_quotas`]: crate::MonitorOptions::shared_quotas

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::time::Instant;

#[cfg(unix)]
use crate::quota_folder::{QuotaFolder, Refused, TakenSlot};
use crate::Provider;

/// How long a quota file's lock may stay held by another process before this one keeps
/// the quota on its own: a lock is held for microseconds, so a longer hold is a process
/// stopped while holding it, or one that means harm.
pub(crate) const LOCK_PATIENCE: Duration = Duration::from_millis(250);

/// How often a held lock is tried again.
const LOCK_RETRY: Duration = Duration::from_millis(2);

/// A quota: at most `requests` per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// How many requests fit in the window.
    pub requests: usize,
    /// The window.
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
    /// Where the slots live, shared with the other processes of the host, until the first
    /// failure to use it.
    shared: Option<SharedSlots>,
    /// The quota's key in the store shared by every host, before the folder.
    store: Option<(crate::Store, String)>,
    /// Whether the last slot was taken in the store or the folder. When they fail, what
    /// was sent through them is unknown here, so the next one waits one window.
    used_shared: AtomicBool,
    quiet_until: Mutex<Option<Instant>>,
    /// Waiters take their turn in order (a tokio semaphore is first in, first out), so
    /// that no instance of a quota-bound fleet waits for more than its round.
    turnstile: tokio::sync::Semaphore,
}

/// A quota file of the quota folder, for one quota.
pub(crate) struct SharedSlots {
    #[cfg(unix)]
    pub folder: Arc<QuotaFolder>,
    pub name: String,
    /// Set once the file could not be used: this limiter then keeps its quota in this
    /// process.
    failed: AtomicBool,
    /// Set once any quota of the monitor fell back, so that it is said once.
    pub said: Arc<AtomicBool>,
}

impl SharedSlots {
    #[cfg(unix)]
    pub(crate) fn new(
        folder: Arc<QuotaFolder>,
        name: String,
        said: Arc<AtomicBool>,
    ) -> SharedSlots {
        SharedSlots {
            folder,
            name,
            failed: AtomicBool::new(false),
            said,
        }
    }

    /// Stops sharing this quota, and says so if no quota of the monitor has yet.
    fn fall_back(&self, reason: &str) {
        self.failed.store(true, Ordering::Relaxed);
        if !self.said.swap(true, Ordering::Relaxed) {
            #[cfg(unix)]
            let folder = self.folder.path().display().to_string();
            #[cfg(not(unix))]
            let folder = String::new();
            tracing::warn!(
                folder,
                "quotas are kept in this process only, not shared with the host's other processes: the quota folder {folder}: {reason}"
            );
        }
    }
}

/// A taken slot; dropping it (when the answer has arrived) starts its window.
pub(crate) struct Permit {
    limiter: Arc<SlotLimiter>,
    slot: usize,
    /// The slot's place in the quota file, when it was taken there.
    #[cfg(unix)]
    taken: Option<TakenSlot>,
    /// Whether the slot was taken in the store.
    in_store: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.in_store {
            // Released by `Permit::release`; dropped otherwise (a check cancelled at its
            // deadline), its slot ends one window after its taking.
            return;
        }
        #[cfg(unix)]
        if let Some(taken) = &self.taken {
            taken.release(unix_millis() + millis(self.limiter.per));
            return;
        }
        let free_at = Instant::now() + self.limiter.per;
        self.limiter.slots()[self.slot] = Some(free_at);
        self.limiter.released.notify_waiters();
    }
}

impl Permit {
    /// Frees the slot: its window starts now. Prefer it to dropping the permit, which
    /// cannot wait for the store.
    pub(crate) async fn release(self) {
        if self.in_store {
            if let Some((store, key)) = &self.limiter.store {
                store.release_slot(key, self.slot, self.limiter.per).await;
            }
        }
    }
}

impl SlotLimiter {
    /// A limiter of this process only.
    #[cfg(test)]
    pub fn new(quota: Quota) -> Arc<SlotLimiter> {
        SlotLimiter::shared(quota, None, None)
    }

    /// A limiter whose slots live in a quota file when given, else in this process.
    pub(crate) fn shared(
        quota: Quota,
        shared: Option<SharedSlots>,
        store: Option<(crate::Store, String)>,
    ) -> Arc<SlotLimiter> {
        let start = Instant::now();
        Arc::new(SlotLimiter {
            per: quota.per,
            free_at: Mutex::new(vec![Some(start); quota.requests.max(1)]),
            released: Notify::new(),
            shared,
            store,
            used_shared: AtomicBool::new(false),
            quiet_until: Mutex::new(None),
            turnstile: tokio::sync::Semaphore::new(1),
        })
    }

    fn slot_count(&self) -> usize {
        self.slots().len()
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Option<Instant>>> {
        self.free_at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a free slot of the quota file if it can: `Ok(Ok(permit))`, or when the
    /// first slot is free (Unix milliseconds), or `Ok(Err(None))` when another process
    /// holds the file's lock.
    #[cfg(unix)]
    fn try_take_shared(
        self: &Arc<Self>,
        shared: &SharedSlots,
    ) -> Result<Result<Permit, Option<u64>>, Refused> {
        let Some(file) = shared.folder.lock(&shared.name)? else {
            return Ok(Err(None));
        };
        let now = unix_millis();
        let lease = now + millis(self.per);
        let slots = file.read(self.slot_count())?;
        // A slot that ends after `lease` was never written by a live process: it is free.
        let free = |at: u64| at <= now || at > lease;
        match slots.iter().position(|at| free(*at)) {
            Some(slot) => {
                file.write(slot, lease)?;
                Ok(Ok(Permit {
                    limiter: Arc::clone(self),
                    slot,
                    taken: Some(file.into_slot(slot)),
                    in_store: false,
                }))
            }
            None => Ok(Err(slots.iter().copied().min())),
        }
    }

    /// Takes a slot of the quota file, waiting for one as long as it takes; `None` once
    /// the file cannot be used (said once), and the quota is kept in this process.
    #[cfg(unix)]
    async fn acquire_shared(self: &Arc<Self>, shared: &SharedSlots) -> Option<Permit> {
        let mut locked_out = Duration::ZERO;
        while !shared.failed.load(Ordering::Relaxed) {
            match self.try_take_shared(shared) {
                Ok(Ok(permit)) => return Some(permit),
                Ok(Err(Some(free_at))) => {
                    locked_out = Duration::ZERO;
                    let wait = free_at.saturating_sub(unix_millis()).max(5);
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                Ok(Err(None)) if locked_out >= LOCK_PATIENCE => shared.fall_back(&format!(
                    "the lock of `{}` was held by another process for more than {} ms",
                    shared.name,
                    LOCK_PATIENCE.as_millis()
                )),
                Ok(Err(None)) => {
                    locked_out += LOCK_RETRY;
                    tokio::time::sleep(LOCK_RETRY).await;
                }
                Err(refused) => shared.fall_back(&refused.0),
            }
        }
        None
    }

    /// Called when the store or the folder could not give a slot: if the last slot came
    /// from them, the requests they let go are unknown to this process, so it waits one
    /// window before its first slot of its own.
    fn quiet_after_shared(&self) {
        if self.used_shared.swap(false, Ordering::Relaxed) {
            *self
                .quiet_until
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + self.per);
        }
    }

    /// After a fall from the store or the folder, their last window passes first.
    async fn wait_quiet(&self) {
        let quiet = self
            .quiet_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(until) = quiet {
            tokio::time::sleep_until(until).await;
        }
    }

    /// Waits for a free slot, in turn with the other waiters of this process, and takes it.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        // Never closed, so the error case cannot happen; without a turn, still take a slot.
        let _turn = self.turnstile.acquire().await.ok();
        // The store first: it holds the quota for every host.
        if let Some((store, key)) = &self.store {
            loop {
                match store.take_slot(key, self.slot_count(), self.per).await {
                    Some(Ok(slot)) => {
                        self.used_shared.store(true, Ordering::Relaxed);
                        return Permit {
                            limiter: Arc::clone(self),
                            slot,
                            #[cfg(unix)]
                            taken: None,
                            in_store: true,
                        };
                    }
                    Some(Err(wait)) => tokio::time::sleep(wait).await,
                    // Said by the store; the folder, or this process, keeps the quota.
                    None => {
                        self.quiet_after_shared();
                        break;
                    }
                }
            }
        }
        self.wait_quiet().await;
        #[cfg(unix)]
        if let Some(shared) = &self.shared {
            if let Some(permit) = self.acquire_shared(shared).await {
                self.used_shared.store(true, Ordering::Relaxed);
                return permit;
            }
            self.quiet_after_shared();
            self.wait_quiet().await;
        }
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
                            #[cfg(unix)]
                            taken: None,
                            in_store: false,
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

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, millis)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
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
