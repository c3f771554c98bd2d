//! `wa-status watch`: check the fleet, each instance on its own schedule, and print a JSON
//! line for each confirmed change.

use std::collections::HashMap;
use std::io::Write;
use std::time::SystemTime;

use futures_util::StreamExt;
use serde_json::json;

use crate::args::WatchArgs;
use crate::check::{instances, monitor, write_error};
use crate::output::Stdout;
use crate::report::error_json;
use crate::shutdown;
use crate::targets::{Gathered, Target};
use crate::CliError;

/// Debounce for one instance: a reading becomes the reported state after `confirm`
/// consecutive identical readings.
#[derive(Debug, Default)]
pub struct Debounce {
    reported: Option<String>,
    candidate: Option<String>,
    streak: u32,
}

impl Debounce {
    /// Feeds one reading; returns `(previous, new)` when a change is confirmed.
    pub fn observe(&mut self, reading: &str, confirm: u32) -> Option<(Option<String>, String)> {
        if self.candidate.as_deref() == Some(reading) {
            self.streak += 1;
        } else {
            self.candidate = Some(reading.to_owned());
            self.streak = 1;
        }
        if self.streak >= confirm && self.reported.as_deref() != Some(reading) {
            let previous = self.reported.replace(reading.to_owned());
            return Some((previous, reading.to_owned()));
        }
        None
    }
}

/// Why a watch of one fleet ended.
enum Ending {
    /// Interrupted, out of time, or no one left to read.
    Stop,
    /// SIGHUP, with the fleet read again.
    Reload(Gathered),
}

/// Watches the fleet until interrupted (SIGINT, SIGTERM), until `--duration` has passed,
/// or until the reader of standard output has gone; each instance is checked on its own
/// schedule. SIGHUP reads the fleet again with `gather`: an instance whose name stays keeps
/// its reported state, and a fleet that cannot be read leaves the watch as it was.
pub async fn run(
    args: &WatchArgs,
    gather: &dyn Fn() -> Result<Gathered, CliError>,
) -> Result<(), CliError> {
    let mut gathered = gather()?;
    let mut stdout = Stdout::new();
    let stop = shutdown::requested();
    tokio::pin!(stop);
    let end = async {
        match args.duration {
            Some(duration) => tokio::time::sleep(duration).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(end);
    let gone = crate::output::reader_gone();
    tokio::pin!(gone);
    let mut reloads = shutdown::Reloads::new();
    let mut debounces: HashMap<String, Debounce> = HashMap::new();
    loop {
        let monitor = monitor(&args.targets, gathered.store.as_deref(), None)?;
        let handles = instances(&monitor, &gathered.targets)?;
        let targets = &gathered.targets;
        let mut states: Vec<Debounce> = targets
            .iter()
            .map(|t| debounces.remove(&t.name).unwrap_or_default())
            .collect();
        let mut results = monitor.watch(
            handles,
            usize::from(args.targets.concurrency),
            args.interval,
        );
        let ending = loop {
            let checked = tokio::select! {
                checked = results.next() => match checked {
                    Some(checked) => checked,
                    None => break Ending::Stop,
                },
                _ = &mut stop => break Ending::Stop,
                _ = &mut end => break Ending::Stop,
                _ = &mut gone => break Ending::Stop,
                _ = reloads.next() => match gather() {
                    Ok(fleet) => break Ending::Reload(fleet),
                    Err(CliError(error)) => {
                        crate::output::warn(&format!(
                            "wa-status: SIGHUP: the fleet stays as it was: {}",
                            crate::output::one_line(&error, crate::output::MAX_LINE)
                        ));
                        continue;
                    }
                },
            };
            report(
                &checked,
                &targets[checked.index],
                &mut states[checked.index],
                args,
                &mut stdout,
            )?;
            if stdout.closed() {
                break Ending::Stop;
            }
        };
        match ending {
            Ending::Stop => break,
            Ending::Reload(fleet) => {
                drop(results);
                tracing::info!(
                    instances = fleet.targets.len(),
                    "fleet read again on SIGHUP"
                );
                debounces = targets.iter().map(|t| t.name.clone()).zip(states).collect();
                gathered = fleet;
            }
        }
    }
    stdout.flush().map_err(write_error)?;
    Ok(())
}

/// Logs one check, and prints a line when it confirms a change.
fn report(
    checked: &wa_unified::Checked,
    target: &Target,
    debounce: &mut Debounce,
    args: &WatchArgs,
    stdout: &mut Stdout,
) -> Result<(), CliError> {
    let reading = match &checked.result {
        Ok(status) => status.state.name(),
        Err(_) => "error",
    };
    tracing::info!(
        name = %target.name,
        target = %target.config,
        elapsed_ms = checked.elapsed.as_millis() as u64,
        reading,
        "checked"
    );
    let Some((previous, state)) = debounce.observe(reading, args.confirm) else {
        return Ok(());
    };
    let mut line = json!({
        "name": target.name,
        "provider": target.config.provider().name(),
        "instance": target.config.instance(),
        "previous": previous,
        "state": state,
        "at": humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
    });
    match &checked.result {
        Ok(status) => {
            line["raw_state"] = json!(status.raw_state);
            line["required_action"] = json!(status.required_action.map(|a| a.name()));
        }
        Err(error) => line["error"] = error_json(error),
    }
    writeln!(stdout, "{line}").map_err(write_error)?;
    stdout.flush().map_err(write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_reported_after_confirm_identical_readings() {
        let mut debounce = Debounce::default();
        let readings = [
            "starting",
            "starting",
            "connected",
            "starting",
            "connected",
            "connected",
            "connected",
        ];
        let reports: Vec<_> = readings.iter().map(|r| debounce.observe(r, 2)).collect();
        assert_eq!(
            reports,
            vec![
                None,
                Some((None, "starting".to_owned())),
                None,
                None, // a one-reading flap back to starting is never reported
                None,
                Some((Some("starting".to_owned()), "connected".to_owned())),
                None,
            ]
        );
    }

    #[test]
    fn confirm_one_reports_every_change() {
        let mut debounce = Debounce::default();
        assert_eq!(debounce.observe("a", 1), Some((None, "a".to_owned())));
        assert_eq!(
            debounce.observe("b", 1),
            Some((Some("a".to_owned()), "b".to_owned()))
        );
        assert_eq!(debounce.observe("b", 1), None);
    }
}
