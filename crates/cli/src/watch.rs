//! `wa-status watch`: check the fleet, each instance on its own schedule, and print a JSON
//! line for each confirmed change.

use std::io::Write;
use std::time::SystemTime;

use futures_util::StreamExt;
use serde_json::json;

use crate::args::WatchArgs;
use crate::check::{instances, monitor, write_error};
use crate::output::Stdout;
use crate::report::error_json;
use crate::shutdown;
use crate::targets::Target;
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

/// Watches the fleet until interrupted (SIGINT, SIGTERM), until `--duration` has passed,
/// or until the reader of standard output has gone; each instance is checked on its own
/// schedule.
pub async fn run(
    args: &WatchArgs,
    targets: &[Target],
    fleet_store: Option<&str>,
) -> Result<(), CliError> {
    let monitor = monitor(&args.targets, fleet_store, None)?;
    let handles = instances(&monitor, targets)?;
    let mut debounces: Vec<Debounce> = targets.iter().map(|_| Debounce::default()).collect();
    let mut stdout = Stdout::new();
    let mut results = monitor.watch(
        handles,
        usize::from(args.targets.concurrency),
        args.interval,
    );
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
    loop {
        let checked = tokio::select! {
            checked = results.next() => match checked {
                Some(checked) => checked,
                None => break,
            },
            _ = &mut stop => break,
            _ = &mut end => break,
            _ = &mut gone => break,
        };
        let target = &targets[checked.index];
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
        let Some((previous, state)) = debounces[checked.index].observe(reading, args.confirm)
        else {
            continue;
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
        stdout.flush().map_err(write_error)?;
        if stdout.closed() {
            break;
        }
    }
    stdout.flush().map_err(write_error)?;
    Ok(())
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
