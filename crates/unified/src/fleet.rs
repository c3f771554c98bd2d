//! How a fleet is split and scheduled: a queue per provider, so that a provider that hangs
//! holds only its own slots, and, for [`Monitor::watch`], a timetable per provider that
//! keeps only a due time per waiting instance.
//!
//! [`Monitor::watch`]: crate::Monitor::watch

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc::Sender;
use tokio::time::Instant;

use crate::monitor::{Checked, Instance};
use crate::Provider;

/// The fleet's instances (with their positions in it), a queue per provider. Within a
/// queue, the instances of each quota take turns: the first of every quota, then the second
/// of every quota, and so on; instances under no quota keep their order, after them.
pub(crate) fn queues_per_provider(instances: Vec<Instance>) -> Vec<Vec<(usize, Instance)>> {
    let mut providers: Vec<Provider> = Vec::new();
    // Per provider, its quotas' queues in order of first appearance.
    let mut queues: Vec<Vec<Vec<(usize, Instance)>>> = Vec::new();
    let mut quota_positions: HashMap<(Provider, usize), usize> = HashMap::new();
    for (index, instance) in instances.into_iter().enumerate() {
        let provider = instance.provider();
        let p = match providers.iter().position(|known| *known == provider) {
            Some(p) => p,
            None => {
                providers.push(provider);
                queues.push(Vec::new());
                providers.len() - 1
            }
        };
        // A limiter's address names its quota; all unlimited instances share one queue.
        let quota = instance.limiter().map_or(0, |l| Arc::as_ptr(l) as usize);
        let next = queues[p].len();
        let q = *quota_positions.entry((provider, quota)).or_insert(next);
        if q == queues[p].len() {
            queues[p].push(Vec::new());
        }
        queues[p][q].push((index, instance));
    }
    queues.into_iter().map(interleave).collect()
}

/// The queues' members taken in turn, one of each queue at a time.
fn interleave(queues: Vec<Vec<(usize, Instance)>>) -> Vec<(usize, Instance)> {
    if queues.len() == 1 {
        return queues.into_iter().flatten().collect();
    }
    let total = queues.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    let mut iterators: Vec<_> = queues.into_iter().map(Vec::into_iter).collect();
    while out.len() < total {
        for members in &mut iterators {
            out.extend(members.next());
        }
    }
    out
}

/// When and how a watched fleet is checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Schedule {
    /// When watching began: every instance's moment in the interval counts from it.
    pub start: Instant,
    pub interval: Duration,
    /// How long one watched check may take after its quota let it go.
    pub budget: Duration,
    /// Checks at a time, for one provider.
    pub concurrency: usize,
}

impl Schedule {
    /// The first due time at least three quarters of an interval after `started`, at the
    /// instance's `phase` of the interval. The quarter of slack keeps an instance whose
    /// check started a little late on its moment instead of skipping an interval.
    pub(crate) fn next_due(&self, started: Instant, phase: Duration) -> Instant {
        let interval = self.interval.max(Duration::from_millis(1));
        let earliest = started + interval.mul_f64(0.75);
        let first = self.start + phase;
        if earliest <= first {
            return first;
        }
        let intervals = (earliest - first).as_nanos().div_ceil(interval.as_nanos());
        let intervals = u32::try_from(intervals).unwrap_or(u32::MAX);
        first + interval.saturating_mul(intervals)
    }
}

/// An instance's moment within the interval, from a stable hash of its provider, base URL
/// and name (never its credentials): the same in every run and every process.
pub(crate) fn phase(instance: &Instance, interval: Duration) -> Duration {
    let config = instance.config();
    let mut hasher = Sha256::new();
    hasher.update(config.provider().name());
    hasher.update([0]);
    hasher.update(config.base_url());
    hasher.update([0]);
    hasher.update(config.instance());
    let digest = hasher.finalize();
    let mut word = [0; 8];
    word.copy_from_slice(&digest[..8]);
    let fraction = u64::from_le_bytes(word) as f64 / (u64::MAX as f64 + 1.0);
    interval.mul_f64(fraction)
}

/// Watches one provider's instances until `sender` is closed: at most `concurrency` checks
/// alive, each instance otherwise only a due time in a heap.
pub(crate) async fn watch_provider(
    queue: Vec<(usize, Instance)>,
    schedule: Schedule,
    sender: Sender<Checked>,
) {
    if queue.is_empty() {
        return;
    }
    let phases: Vec<Duration> = queue
        .iter()
        .map(|(_, instance)| phase(instance, schedule.interval))
        .collect();
    // Every instance is due at once for its first check, in the queue's order.
    let mut due: BinaryHeap<Reverse<(Instant, usize)>> = (0..queue.len())
        .map(|member| Reverse((schedule.start, member)))
        .collect();
    let mut running = FuturesUnordered::new();
    loop {
        let now = Instant::now();
        while running.len() < schedule.concurrency {
            match due.peek() {
                Some(Reverse((at, _))) if *at <= now => {}
                _ => break,
            }
            let Some(Reverse((at, member))) = due.pop() else {
                break;
            };
            let (index, instance) = &queue[member];
            let (index, instance) = (*index, instance.clone());
            running.push(async move {
                let started = Instant::now();
                let result = instance
                    .watched_check(schedule.budget, schedule.interval)
                    .await;
                // Nothing to report when another process read it and has not yet published
                // its reading.
                let checked = result.map(|result| Checked {
                    index,
                    result,
                    elapsed: started.elapsed(),
                    queued: started.saturating_duration_since(at),
                });
                (member, started, checked)
            });
        }
        // Sleep until the next instance is due, unless the slots are full anyway.
        let next_due = match due.peek() {
            Some(Reverse((at, _))) if running.len() < schedule.concurrency => Some(*at),
            _ => None,
        };
        tokio::select! {
            Some((member, started, checked)) = running.next(), if !running.is_empty() => {
                due.push(Reverse((schedule.next_due(started, phases[member]), member)));
                if let Some(checked) = checked {
                    if sender.send(checked).await.is_err() {
                        return;
                    }
                }
            }
            _ = sleep_until(next_due) => {}
        }
    }
}

/// Sleeps until `at`, or forever without one.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_check_falls_on_the_instance_moment_of_the_interval() {
        let start = Instant::now();
        let schedule = Schedule {
            start,
            interval: Duration::from_secs(60),
            budget: Duration::from_secs(60),
            concurrency: 1,
        };
        let phase = Duration::from_secs(10);
        // A first check at the start: its moment, 10 s in, is too soon; the next one is.
        assert_eq!(
            schedule.next_due(start, phase),
            start + Duration::from_secs(70)
        );
        // A moment late in the interval comes in the first interval.
        assert_eq!(
            schedule.next_due(start, Duration::from_secs(50)),
            start + Duration::from_secs(50)
        );
        // A check that started 2 s late keeps its moment.
        assert_eq!(
            schedule.next_due(start + Duration::from_secs(72), phase),
            start + Duration::from_secs(130)
        );
        // A check that started half an interval late waits for the following moment.
        assert_eq!(
            schedule.next_due(start + Duration::from_secs(100), phase),
            start + Duration::from_secs(190)
        );
    }
}
