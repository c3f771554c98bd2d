//! The quota folder against a hostile host: links planted in place of the folder or of a
//! quota file, a lock held by another process, a slot dated in the future. Each check still
//! reads its instance, and nothing outside the folder is written.

use std::os::unix::fs::{symlink, DirBuilderExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use wa_unified::{Monitor, MonitorOptions, Provider, Quota};

use crate::errors::healthy;
use crate::harness::{options, Harness};

/// A provider with a documented quota, so that its checks take slots in the folder.
fn quota_bound() -> Provider {
    Provider::ALL
        .iter()
        .copied()
        .find(|p| Quota::documented(*p).is_some())
        .expect("a provider documents a quota")
}

/// A new folder of this user's, readable by it only.
fn private_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wa-quota-folder-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .recursive(true)
        .create(&dir)
        .unwrap();
    dir
}

fn monitor_sharing(folder: &Path) -> Monitor {
    Monitor::new(MonitorOptions {
        shared_quotas: Some(folder.to_owned()),
        ..options()
    })
    .unwrap()
}

fn names_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Checks one new instance of the quota-bound provider with `monitor`, and gives the
/// state it read.
async fn check_one(harness: &Harness, monitor: &Monitor) -> String {
    let provider = quota_bound();
    let made = harness.make(provider, healthy(provider));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    match monitor
        .instance(made.config)
        .unwrap()
        .check_by(deadline)
        .await
    {
        Ok(status) => status.state.name().to_owned(),
        Err(error) => format!("error: {error}"),
    }
}

/// D1: a link planted where the folder should be (another user squatting its name in the
/// temporary folder) is not followed: the folder it points to stays empty, and the check
/// keeps its quota in its own process.
#[tokio::test]
async fn a_folder_that_is_a_symbolic_link_is_never_followed() {
    let harness = Harness::start().await;
    let root = private_dir("link");
    let victim = root.join("victim");
    std::fs::create_dir(&victim).unwrap();
    let link = root.join("quotas");
    symlink(&victim, &link).unwrap();
    let state = check_one(&harness, &monitor_sharing(&link)).await;
    assert_eq!(state, "connected");
    assert_eq!(names_in(&victim), Vec::<String>::new());
    std::fs::remove_dir_all(&root).unwrap();
}

/// D1: a quota file replaced by a link to another file is not followed, and the file it
/// points to keeps its content.
#[tokio::test]
async fn a_quota_file_that_is_a_symbolic_link_is_never_followed() {
    let harness = Harness::start().await;
    let folder = private_dir("file-link");
    let provider = quota_bound();
    let made = harness.make(provider, healthy(provider));
    let instance = monitor_sharing(&folder)
        .instance(made.config.clone())
        .unwrap();
    assert_eq!(instance.check().await.unwrap().state.name(), "connected");
    let names = names_in(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
    let victim = std::env::temp_dir().join(format!("wa-quota-victim-{}", std::process::id()));
    std::fs::write(&victim, "precious").unwrap();
    let quota_file = folder.join(&names[0]);
    std::fs::remove_file(&quota_file).unwrap();
    symlink(&victim, &quota_file).unwrap();
    // Another process, on the same credential.
    let instance = monitor_sharing(&folder).instance(made.config).unwrap();
    assert_eq!(instance.check().await.unwrap().state.name(), "connected");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    std::fs::remove_file(&victim).unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
}

/// D2: a quota file whose lock another process holds delays a check by a quarter of a
/// second at most (the limiter then keeps the quota itself); before, the check waited in a
/// blocking call for as long as the lock was held, past its deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_elsewhere_does_not_hold_up_a_check() {
    let harness = Harness::start().await;
    let folder = private_dir("locked");
    let provider = quota_bound();
    let made = harness.make(provider, healthy(provider));
    let instance = monitor_sharing(&folder)
        .instance(made.config.clone())
        .unwrap();
    assert_eq!(instance.check().await.unwrap().state.name(), "connected");
    let names = names_in(&folder);
    let held = std::fs::File::options()
        .read(true)
        .write(true)
        .open(folder.join(&names[0]))
        .unwrap();
    held.lock().unwrap();
    // The lock is given up after 4 s, so that a check that waits for it still ends.
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(4));
        drop(held);
    });
    let started = std::time::Instant::now();
    let instance = monitor_sharing(&folder).instance(made.config).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    assert_eq!(
        instance.check_by(deadline).await.unwrap().state.name(),
        "connected"
    );
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(2), "waited {waited:?}");
    holder.join().unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
}

/// D4: slots dated far in the future (a corrupted file, or a clock stepped back) are free:
/// the next check is read at once, not held until that date.
#[tokio::test]
async fn slots_dated_in_the_future_are_free() {
    let harness = Harness::start().await;
    let folder = private_dir("future");
    let provider = quota_bound();
    let made = harness.make(provider, healthy(provider));
    let instance = monitor_sharing(&folder)
        .instance(made.config.clone())
        .unwrap();
    assert_eq!(instance.check().await.unwrap().state.name(), "connected");
    let names = names_in(&folder);
    let quota = Quota::documented(provider).unwrap();
    // Every slot taken until the year 2286, written as the quota files of earlier versions
    // held them (a Unix time in milliseconds per line): read as they are now (8 bytes a
    // slot), the same bytes are slots even further ahead. Either way a slot no live
    // process could have written.
    let future = "9999999999999\n".repeat(quota.requests);
    std::fs::write(folder.join(&names[0]), future).unwrap();
    // The simulator's own window for the first request passes; only the file's dates
    // could hold the second one now.
    tokio::time::sleep(quota.per + Duration::from_millis(100)).await;
    let before = harness.sim.total_counters().requests;
    let instance = monitor_sharing(&folder).instance(made.config).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    assert_eq!(
        instance.check_by(deadline).await.unwrap().state.name(),
        "connected"
    );
    assert_eq!(harness.sim.total_counters().requests, before + 1);
    std::fs::remove_dir_all(&folder).unwrap();
}

/// Two monitors on one folder share a quota: with every slot taken by the first, the
/// second waits for the first's slots to end.
#[tokio::test(start_paused = false)]
async fn two_monitors_on_one_folder_share_each_quota() {
    let harness = Harness::start().await;
    let folder = private_dir("shared");
    let provider = quota_bound();
    let quota = Quota::documented(provider).unwrap();
    let made = harness.make(provider, healthy(provider));
    let first = monitor_sharing(&folder)
        .instance(made.config.clone())
        .unwrap();
    for _ in 0..quota.requests {
        assert_eq!(first.check().await.unwrap().state.name(), "connected");
    }
    // The second process finds every slot of the quota taken for one window.
    let second = monitor_sharing(&folder).instance(made.config).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    let error = second.check_by(deadline).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{provider}: unavailable: no answer within the run's deadline")
    );
    assert_eq!(harness.sim.total_counters().requests, quota.requests as u64);
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A folder shared on purpose with a group (group-writable, the process's group, set-group-ID
/// so that its files keep the group) is used, and its files are made for the group too; a
/// folder anyone can write to is never used.
#[tokio::test]
async fn a_group_folder_is_shared_and_a_world_writable_one_refused() {
    use std::os::unix::fs::PermissionsExt;
    let harness = Harness::start().await;
    let folder = private_dir("group");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let state = check_one(&harness, &monitor_sharing(&folder)).await;
    assert_eq!(state, "connected");
    let names = names_in(&folder);
    assert_eq!(names.len(), 1, "{names:?}");
    let mode = std::fs::metadata(folder.join(&names[0]))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660);
    let open = private_dir("open");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let state = check_one(&harness, &monitor_sharing(&open)).await;
    assert_eq!(state, "connected");
    assert_eq!(names_in(&open), Vec::<String>::new());
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::remove_dir_all(&open).unwrap();
}
