//! `wa-status check`: every target once, reported as a table, JSON or JSON lines.

use std::io::{IsTerminal, Write};

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wa_unified::{ClientOptions, Instance, Monitor, MonitorOptions};

use crate::args::{Format, TargetArgs};
use crate::output::{self, Stdout};
use crate::report::{self, Outcome, Severity, Thresholds};
use crate::targets::Target;
use crate::CliError;

/// A fleet larger than this gets a progress bar (when standard error is a terminal).
const PROGRESS_THRESHOLD: usize = 20;

/// The monitor for a command's target options, with the store they name (or the fleet
/// file's), and `max_age` for `check`.
pub fn monitor(
    args: &TargetArgs,
    fleet_store: Option<&str>,
    max_age: Option<std::time::Duration>,
) -> Result<Monitor, CliError> {
    let store = match args.store.as_deref().or(fleet_store) {
        Some(url) => Some(
            wa_unified::Store::new(url, &args.store_prefix).map_err(|e| CliError(e.to_string()))?,
        ),
        None => None,
    };
    // The library creates and checks the folder, and says so once if it cannot be used.
    let shared_quotas = match &args.quota_dir {
        Some(dir) => Some(dir.clone()),
        None => default_quota_dir(),
    };
    Monitor::new(MonitorOptions {
        client: ClientOptions::default().with_timeout(args.timeout),
        shared_quotas,
        store,
        max_age,
        ..MonitorOptions::default()
    })
    .map_err(|e| CliError(e.to_string()))
}

/// A monitor with the default quotas and retries and this request timeout, keeping its
/// quotas to itself (the demo's simulator is its own).
#[cfg(feature = "demo")]
pub fn monitor_with_timeout(timeout: std::time::Duration) -> Result<Monitor, CliError> {
    Monitor::new(MonitorOptions {
        client: ClientOptions::default().with_timeout(timeout),
        ..MonitorOptions::default()
    })
    .map_err(|e| CliError(e.to_string()))
}

/// Where every `wa-status` of this user keeps its quotas, so that a `check` run by cron
/// and an exporter on the same token stay within its quota together:
/// `$XDG_RUNTIME_DIR/wa-status`, else `wa-status-<uid>` in the temporary folder.
fn default_quota_dir() -> Option<std::path::PathBuf> {
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return Some(std::path::PathBuf::from(runtime).join("wa-status"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok()?;
        Some(std::env::temp_dir().join(format!("wa-status-{uid}")))
    }
    #[cfg(not(unix))]
    None
}

/// A handle per target.
pub fn instances(monitor: &Monitor, targets: &[Target]) -> Result<Vec<Instance>, CliError> {
    targets
        .iter()
        .map(|t| {
            monitor
                .instance(t.config.clone())
                .map_err(|e| CliError(e.to_string()))
        })
        .collect()
}

/// How to run and report a check.
pub struct Report {
    pub format: Format,
    pub plugin_output: bool,
    /// In the plugin's long output, every instance rather than those not connected (`-v`).
    pub every_instance: bool,
    pub concurrency: usize,
    /// The whole run's budget.
    pub deadline: std::time::Duration,
    pub thresholds: Thresholds,
}

/// Checks every target and writes the report; returns the fleet's worst severity.
pub async fn run(
    monitor: &Monitor,
    targets: &[Target],
    report: &Report,
) -> Result<Severity, CliError> {
    let instances = instances(monitor, targets)?;
    let progress =
        (std::io::stderr().is_terminal() && targets.len() > PROGRESS_THRESHOLD).then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(targets.len() as u64),
                ProgressDrawTarget::stderr(),
            );
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} checked ({elapsed})")
            {
                bar.set_style(style);
            }
            bar
        });
    let mut stdout = Stdout::new();
    let mut slots: Vec<Option<Outcome>> = targets.iter().map(|_| None).collect();
    let deadline = tokio::time::Instant::now() + report.deadline;
    let mut results = monitor.check_all_by(instances, report.concurrency, Some(deadline));
    while let Some(checked) = results.next().await {
        let target = &targets[checked.index];
        let outcome = Outcome {
            name: target.name.clone(),
            provider: target.config.provider(),
            instance: target.config.instance().to_owned(),
            result: checked.result,
            elapsed: checked.elapsed,
        };
        match &outcome.result {
            Ok(status) => tracing::info!(
                name = %target.name,
                target = %target.config,
                elapsed_ms = outcome.elapsed.as_millis() as u64,
                state = status.state.name(),
                raw_state = %output::one_line(&status.raw_state, output::MAX_TEXT),
                "checked"
            ),
            Err(error) => tracing::info!(
                name = %target.name,
                target = %target.config,
                elapsed_ms = outcome.elapsed.as_millis() as u64,
                error = %error,
                "check failed"
            ),
        }
        if report.format == Format::Jsonl && !report.plugin_output {
            writeln!(stdout, "{}", outcome.to_json()).map_err(write_error)?;
            stdout.flush().map_err(write_error)?;
        }
        if let Some(bar) = &progress {
            bar.inc(1);
        }
        slots[checked.index] = Some(outcome);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let outcomes: Vec<Outcome> = slots.into_iter().flatten().collect();
    let severity = report::fleet_severity(&outcomes, report.thresholds);
    if report.plugin_output {
        let mut text = report::plugin_output(&outcomes, report.thresholds, report.every_instance);
        // Long output: what an operator needs to know when the shared store did not help.
        if let Some(store) = monitor.store().filter(|store| !store.is_up()) {
            text.push_str(&format!(
                "store {store}: unavailable ({} failed calls); quotas kept by this check alone\n",
                store.fallbacks()
            ));
        }
        write!(stdout, "{text}").map_err(write_error)?;
        return Ok(severity);
    }
    match report.format {
        Format::Table => {
            write!(stdout, "{}", report::table(&outcomes)).map_err(write_error)?;
            writeln!(stdout, "\n{}", report::summary(&outcomes)).map_err(write_error)?;
        }
        Format::Json => {
            let array: Vec<_> = outcomes.iter().map(Outcome::to_json).collect();
            let text = serde_json::to_string_pretty(&array).map_err(|e| CliError(e.to_string()))?;
            writeln!(stdout, "{text}").map_err(write_error)?;
            output::warn(&report::summary(&outcomes));
        }
        Format::Jsonl => output::warn(&report::summary(&outcomes)),
    }
    Ok(severity)
}

pub fn write_error(error: std::io::Error) -> CliError {
    CliError(format!("cannot write to standard output: {error}"))
}
