//! A store shared by every process on every host: Redis (or Valkey), through the maintained
//! `redis` crate. It keeps three things, each under a key made of a configurable prefix and
//! a hash (never a credential):
//!
//! - **quotas**: a quota's slots, taken and freed by scripts that run on the server, by the
//!   server's clock, so that every process on every host keeps each quota together;
//! - **readings**: each instance's last status, with the time it was read, so that a check
//!   that accepts a reading of some age (`check --max-age`) costs the vendor nothing;
//! - **leases**: who reads an instance this interval, so that two exporters (or more) read
//!   each instance once per interval between them.
//!
//! Every call has a short timeout. A store that is down, slow or answers nonsense is never
//! waited for past it: the monitor then keeps its quotas in the process (or its quota
//! folder), says so once in the log, and counts it ([`Store::fallbacks`]).

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::model::InstanceStatus;

/// How long one call to the store may take.
const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// How long a failed connection is left alone before it is tried again.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);
/// How long a reading is kept.
const READING_TTL: Duration = Duration::from_secs(3600);

/// Takes a free slot of a quota by the server's clock: ARGV is the window and the slot
/// count (both whole milliseconds or slots). A slot is free when it ended, or when it ends
/// more than a window from now (a slot no live process wrote: a clock stepped back). The
/// answer is `{1, slot}` or `{0, milliseconds until the first slot is free}`.
const TAKE_SLOT: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local per = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local lease = now + per
local first = nil
for slot = 0, count - 1 do
  local ends = tonumber(redis.call('HGET', KEYS[1], slot) or '0') or 0
  if ends <= now or ends > lease then
    redis.call('HSET', KEYS[1], slot, lease)
    redis.call('PEXPIRE', KEYS[1], per * 2)
    return {1, slot}
  end
  if first == nil or ends < first then first = ends end
end
return {0, first - now}
";

/// Moves a taken slot's end to one window after now (the answer came), never earlier.
const RELEASE_SLOT: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local ends = now + tonumber(ARGV[2])
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') or 0
if ends > current then
  redis.call('HSET', KEYS[1], ARGV[1], ends)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
end
return 1
";

/// Takes a lease for ARGV[2] milliseconds if it is free or already this owner's (ARGV[1]):
/// 1 when the owner holds it now, 0 when another does.
const TAKE_LEASE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// The shared store. Cloning is cheap; clones share the connection.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    /// The URL with its password masked, for messages.
    shown: String,
    prefix: String,
    /// This process, in leases.
    owner: String,
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    last_attempt: Mutex<Option<Instant>>,
    up: AtomicBool,
    said: AtomicBool,
    fallbacks: AtomicU64,
    take: Script,
    release: Script,
    lease: Script,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("url", &self.inner.shown)
            .field("prefix", &self.inner.prefix)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.shown)
    }
}

impl Store {
    /// A store at `url`: `redis://[user:password@]host[:port][/db]`, or `rediss://` for
    /// TLS. Nothing is connected yet: the first call connects. Keys start with `prefix`
    /// and a colon.
    ///
    /// ```
    /// let store = wa_unified::Store::new("redis://:s3cret@127.0.0.1:6379/2", "wa-status").unwrap();
    /// assert_eq!(store.to_string(), "redis://:***@127.0.0.1:6379/2");
    /// assert!(!format!("{store:?}").contains("s3cret"));
    /// assert!(wa_unified::Store::new("http://127.0.0.1", "wa-status").is_err());
    /// ```
    pub fn new(url: &str, prefix: &str) -> Result<Store, Error> {
        let shown = mask_password(url);
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(Error::invalid_config(
                None,
                format!("the store `{shown}` is not a redis:// or rediss:// URL"),
            ));
        }
        let client = redis::Client::open(url).map_err(|e| {
            Error::invalid_config(None, format!("the store `{shown}`: {}", e.category()))
        })?;
        let prefix = prefix.trim_end_matches(':');
        if prefix.is_empty() || prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid_config(
                None,
                "a store's key prefix is a word with no blank",
            ));
        }
        let owner = format!(
            "{}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            rand_word()
        );
        Ok(Store {
            inner: Arc::new(Inner {
                client,
                shown,
                prefix: prefix.to_owned(),
                owner,
                connection: tokio::sync::Mutex::new(None),
                last_attempt: Mutex::new(None),
                up: AtomicBool::new(true),
                said: AtomicBool::new(false),
                fallbacks: AtomicU64::new(0),
                take: Script::new(TAKE_SLOT),
                release: Script::new(RELEASE_SLOT),
                lease: Script::new(TAKE_LEASE),
            }),
        })
    }

    /// Whether the last call to the store worked.
    pub fn is_up(&self) -> bool {
        self.inner.up.load(Ordering::Relaxed)
    }

    /// The prefix of every key.
    pub(crate) fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// How many calls failed (and fell back to what this process knows) so far.
    pub fn fallbacks(&self) -> u64 {
        self.inner.fallbacks.load(Ordering::Relaxed)
    }

    /// The key of `kind` (`q`uota, `r`eading, `l`ease) for the hash of `parts`.
    pub(crate) fn key(&self, kind: &str, parts: &[&[u8]]) -> String {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
            hasher.update([0]);
        }
        let hash: String = hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{}:{kind}:{hash}", self.inner.prefix)
    }

    /// A connection, or `None` while the store cannot be reached (tried again every few
    /// seconds).
    async fn connection(&self) -> Option<ConnectionManager> {
        let mut slot = self.inner.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Some(connection.clone());
        }
        {
            let mut last = self
                .inner
                .last_attempt
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if last.is_some_and(|at| at.elapsed() < RECONNECT_AFTER) {
                return None;
            }
            *last = Some(Instant::now());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1);
        let connecting = ConnectionManager::new_with_config(self.inner.client.clone(), config);
        match tokio::time::timeout(CALL_TIMEOUT * 2, connecting).await {
            Ok(Ok(connection)) => {
                *slot = Some(connection.clone());
                Some(connection)
            }
            Ok(Err(error)) => {
                self.failed(error.category());
                None
            }
            Err(_) => {
                self.failed("no connection within 500 ms");
                None
            }
        }
    }

    /// Runs `call` on a connection within the call timeout; `None` (said once, and
    /// counted) when the store cannot answer.
    async fn call<T, F>(&self, call: impl FnOnce(ConnectionManager) -> F) -> Option<T>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        match tokio::time::timeout(CALL_TIMEOUT, call(connection)).await {
            Ok(Ok(value)) => {
                if !self.inner.up.swap(true, Ordering::Relaxed) {
                    tracing::warn!(store = %self, "the store answers again; quotas are shared again");
                    self.inner.said.store(false, Ordering::Relaxed);
                }
                Some(value)
            }
            Ok(Err(error)) => {
                self.failed(error.category());
                None
            }
            Err(_) => {
                self.failed(&format!("no answer within {} ms", CALL_TIMEOUT.as_millis()));
                None
            }
        }
    }

    fn failed(&self, reason: &str) {
        self.inner.fallbacks.fetch_add(1, Ordering::Relaxed);
        self.inner.up.store(false, Ordering::Relaxed);
        if !self.inner.said.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                store = %self,
                "the store cannot be used ({reason}): quotas are kept by this process, readings are not shared"
            );
        }
    }

    /// Takes a slot of the quota `key` with `count` slots per `per`: `Ok(slot)`, or how
    /// long until one is free; `None` when the store cannot answer.
    pub(crate) async fn take_slot(
        &self,
        key: &str,
        count: usize,
        per: Duration,
    ) -> Option<Result<usize, Duration>> {
        let per_ms = per.as_millis().max(1) as u64;
        let answer: Vec<i64> = self
            .call(|mut connection| async move {
                self.inner
                    .take
                    .key(key)
                    .arg(per_ms)
                    .arg(count.max(1))
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        match answer.as_slice() {
            [1, slot] => Some(Ok(usize::try_from(*slot).unwrap_or_default())),
            [0, wait] => Some(Err(Duration::from_millis(
                (*wait).clamp(1, 3_600_000) as u64
            ))),
            _ => {
                self.failed("an answer of another shape from the quota script");
                None
            }
        }
    }

    /// Ends a taken slot one window after now (an answer has come).
    pub(crate) async fn release_slot(&self, key: &str, slot: usize, per: Duration) {
        let per_ms = per.as_millis().max(1) as u64;
        let release = self.inner.release.clone();
        let _: Option<i64> = self
            .call(|mut connection| async move {
                release
                    .key(key)
                    .arg(slot)
                    .arg(per_ms)
                    .invoke_async(&mut connection)
                    .await
            })
            .await;
    }

    /// The reading of `key`, if there is one.
    pub(crate) async fn reading(&self, key: &str) -> Option<InstanceStatus> {
        let text: Option<String> = self
            .call(|mut connection| async move { connection.get(key).await })
            .await?;
        serde_json::from_str(&text?).ok()
    }

    /// Publishes `status` as the reading of `key`.
    pub(crate) async fn publish(&self, key: &str, status: &InstanceStatus) {
        let Ok(text) = serde_json::to_string(status) else {
            return;
        };
        let ttl = READING_TTL.as_millis() as u64;
        let _: Option<()> = self
            .call(|mut connection| async move { connection.pset_ex(key, text, ttl).await })
            .await;
    }

    /// Takes the lease `key` for `ttl` if nobody else holds it: `Some(true)` when this
    /// process holds it now, `Some(false)` when another does, `None` when the store cannot
    /// answer.
    pub(crate) async fn lease(&self, key: &str, ttl: Duration) -> Option<bool> {
        let owner = self.inner.owner.clone();
        let ttl = ttl.as_millis().max(1) as u64;
        let lease = self.inner.lease.clone();
        let held: i64 = self
            .call(|mut connection| async move {
                lease
                    .key(key)
                    .arg(owner)
                    .arg(ttl)
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        Some(held == 1)
    }
}

/// A URL with its password, if any, replaced by `***`.
fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(a store URL)".to_owned();
    };
    // Everything up to the last `@` is the user part, whatever it holds: a password with an
    // unencoded `/` or `@` is still all hidden. A user name before a `:` is kept; a user
    // part without one may be a password alone, and is hidden whole.
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) if !user.contains('/') => format!("{scheme}://{user}:***@{host}"),
            _ => format!("{scheme}://***@{host}"),
        },
        None => url.to_owned(),
    }
}

/// A few random characters, so that two processes that start in the same nanosecond with
/// the same id (two containers) do not share a lease owner.
fn rand_word() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(
            mask_password("redis://user:pw@host:6379/1"),
            "redis://user:***@host:6379/1"
        );
        assert_eq!(mask_password("rediss://:pw@host"), "rediss://:***@host");
        assert_eq!(mask_password("redis://host:6379"), "redis://host:6379");
        // Unencoded, a `/` or `@` in the password ends neither the mask nor the secret.
        assert_eq!(
            mask_password("redis://:pa/ss@host:6379/0"),
            "redis://:***@host:6379/0"
        );
        assert_eq!(
            mask_password("redis://u:p@ss@host/0"),
            "redis://u:***@host/0"
        );
        assert_eq!(mask_password("redis://tok/en@host"), "redis://***@host");
        let error = Store::new("redis://:pw@", "p").map(|_| ()).unwrap_err();
        assert!(!error.to_string().contains("pw"), "{error}");
    }

    #[test]
    fn keys_are_prefixed_hashes() {
        let store = Store::new("redis://127.0.0.1:1", "team:").unwrap();
        let key = store.key("q", &[b"a-provider", b"secret-token"]);
        assert!(key.starts_with("team:q:"), "{key}");
        assert_eq!(key.len(), "team:q:".len() + 32);
        assert!(!key.contains("secret"));
    }
}
