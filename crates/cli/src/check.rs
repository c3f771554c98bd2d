//! `wa-status check`: every target once, reported as a table, JSON or JSON lines.

use std::io::{IsTerminal, Write};

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wa_unified::{ClientOptions, Instance, Monitor, MonitorOptions};

use crate::args::{Format, TargetArgs};
use crate::report::{self, Outcome, Severity, Thresholds};
use crate::targets::Target;
use crate::CliError;

/// A fleet larger than this gets a progress bar (when standard error is a terminal).
const PROGRESS_THRESHOLD: usize = 20;

/// The monitor for a command's target options.
pub fn monitor(args: &TargetArgs) -> Result<Monitor, CliError> {
    monitor_with_timeout(args.timeout)
}

/// A monitor with the default quotas and retries and this request timeout.
pub fn monitor_with_timeout(timeout: std::time::Duration) -> Result<Monitor, CliError> {
    Monitor::new(MonitorOptions {
        client: ClientOptions::default().with_timeout(timeout),
        ..MonitorOptions::default()
    })
    .map_err(|e| CliError(e.to_string()))
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
    pub verbose: bool,
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
    let mut stdout = std::io::stdout().lock();
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
        if report.verbose {
            verbose_line(target, &outcome);
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
        let text = report::plugin_output(&outcomes, report.thresholds);
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
            eprintln!("{}", report::summary(&outcomes));
        }
        Format::Jsonl => eprintln!("{}", report::summary(&outcomes)),
    }
    Ok(severity)
}

fn verbose_line(target: &Target, outcome: &Outcome) {
    let result = match &outcome.result {
        Ok(status) => format!("{} (raw {:?})", status.state, status.raw_state),
        Err(error) => format!("error: {error}"),
    };
    eprintln!(
        "wa-status: {} [{}] {} ms: {result}",
        outcome.name,
        target.config,
        outcome.elapsed.as_millis()
    );
}

pub fn write_error(error: std::io::Error) -> CliError {
    CliError(format!("cannot write to standard output: {error}"))
}
