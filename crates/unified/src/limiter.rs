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
//! credential takes its slots there, under an exclusive file lock. A slot taken is free
//! again one window after the taking, until its answer moves that to one window after the
//! answer: a process that dies holding a slot loses it for one window only.
//!
//! [`MonitorOptions::shared_quotas`]: crate::MonitorOptions::shared_quotas

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::Provider;

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
    /// The file the slots live in, shared with the other processes of the host.
    file: Option<PathBuf>,
    /// Waiters take their turn in order (a tokio semaphore is first in, first out), so
    /// that no instance of a quota-bound fleet waits for more than its round.
    turnstile: tokio::sync::Semaphore,
}

/// A taken slot; dropping it (when the answer has arrived) starts its window.
pub(crate) struct Permit {
    limiter: Arc<SlotLimiter>,
    slot: usize,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(path) = &self.limiter.file {
            let free_at = unix_millis() + millis(self.limiter.per);
            let slot = self.slot;
            // On an I/O error the slot frees itself one window after its taking.
            let _ = with_slots(path, self.limiter.slot_count(), |slots| {
                slots[slot] = free_at;
            });
            return;
        }
        let free_at = Instant::now() + self.limiter.per;
        self.limiter.slots()[self.slot] = Some(free_at);
        self.limiter.released.notify_waiters();
    }
}

impl SlotLimiter {
    /// A limiter of this process only.
    #[cfg(test)]
    pub fn new(quota: Quota) -> Arc<SlotLimiter> {
        SlotLimiter::shared(quota, None)
    }

    /// A limiter whose slots live in `file` when given, else in this process.
    pub fn shared(quota: Quota, file: Option<PathBuf>) -> Arc<SlotLimiter> {
        let start = Instant::now();
        Arc::new(SlotLimiter {
            per: quota.per,
            free_at: Mutex::new(vec![Some(start); quota.requests.max(1)]),
            released: Notify::new(),
            file,
            turnstile: tokio::sync::Semaphore::new(1),
        })
    }

    fn slot_count(&self) -> usize {
        self.slots().len()
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Option<Instant>>> {
        self.free_at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a free slot of the shared file, or says when the first one is free (Unix
    /// milliseconds).
    fn try_take_shared(&self, path: &Path) -> std::io::Result<Result<usize, u64>> {
        let now = unix_millis();
        let lease = now + millis(self.per);
        with_slots(path, self.slot_count(), |slots| {
            let (slot, free_at) = slots
                .iter()
                .copied()
                .enumerate()
                .min_by_key(|(_, at)| *at)
                .unwrap_or((0, 0));
            if free_at <= now {
                slots[slot] = lease;
                Ok(slot)
            } else {
                Err(free_at)
            }
        })
    }

    /// Waits for a free slot, in turn with the other waiters of this process, and takes it.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        // Never closed, so the error case cannot happen; without a turn, still take a slot.
        let _turn = self.turnstile.acquire().await.ok();
        if let Some(path) = &self.file {
            loop {
                match self.try_take_shared(path) {
                    Ok(Ok(slot)) => {
                        return Permit {
                            limiter: Arc::clone(self),
                            slot,
                        }
                    }
                    Ok(Err(free_at)) => {
                        let wait = free_at.saturating_sub(unix_millis()).max(5);
                        tokio::time::sleep(Duration::from_millis(wait)).await;
                    }
                    // The folder cannot be used: this process keeps the quota on its own.
                    Err(_) => break,
                }
            }
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

/// Runs `change` on the slots of a quota file (when each is free again, in Unix
/// milliseconds; 0 is free), under an exclusive lock that other processes wait for.
fn with_slots<T>(
    path: &Path,
    count: usize,
    change: impl FnOnce(&mut Vec<u64>) -> T,
) -> std::io::Result<T> {
    let mut file: File = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    file.lock()?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    let mut slots: Vec<u64> = text
        .split_whitespace()
        .map(|word| word.parse().unwrap_or(0))
        .collect();
    slots.resize(count, 0);
    let result = change(&mut slots);
    let text: Vec<String> = slots.iter().map(u64::to_string).collect();
    file.seek(SeekFrom::Start(0))?;
    file.set_len(0)?;
    file.write_all(text.join("\n").as_bytes())?;
    file.unlock()?;
    Ok(result)
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
    fn two_processes_share_one_quota_file() {
        let path = std::env::temp_dir().join(format!("wa-quota-test-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let quota = Quota {
            requests: 2,
            per: Duration::from_secs(60),
        };
        // Two limiters on one file stand for two processes.
        let first = SlotLimiter::shared(quota, Some(path.clone()));
        let second = SlotLimiter::shared(quota, Some(path.clone()));
        let before = unix_millis();
        assert_eq!(first.try_take_shared(&path).unwrap(), Ok(0));
        assert_eq!(second.try_take_shared(&path).unwrap(), Ok(1));
        // Both slots taken: the next is free one window after the first taking.
        let Err(free_at) = first.try_take_shared(&path).unwrap() else {
            panic!("a third slot was taken");
        };
        assert!(free_at >= before + 60_000 && free_at <= unix_millis() + 60_000);
        // An answer moves its slot's window to start at the answer.
        drop(Permit {
            limiter: Arc::clone(&second),
            slot: 1,
        });
        let text = std::fs::read_to_string(&path).unwrap();
        let slots: Vec<u64> = text.lines().map(|l| l.parse().unwrap()).collect();
        assert_eq!(slots.len(), 2);
        assert!(slots[1] >= slots[0], "{slots:?}");
        std::fs::remove_file(&path).unwrap();
    }

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
