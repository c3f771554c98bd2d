//! `wa-status`: check, watch and export the connection state of WhatsApp instances.

mod args;
mod check;
mod demo;
mod exporter;
mod metrics;
mod report;
mod targets;
mod watch;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use check::Report;

/// A failure of the tool itself (bad input, an unwritable output): one line, exit 3.
#[derive(Debug)]
pub struct CliError(pub String);

/// The exit status of bad input and of an unknown fleet state.
const EXIT_UNKNOWN: u8 = 3;

fn main() -> ExitCode {
    // Bad input in plugin mode still gets its one line on standard output.
    let plugin_mode = std::env::args_os().any(|a| a == "--plugin-output");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            if plugin_mode && error.use_stderr() {
                let text = error.render().to_string();
                let first = text.lines().next().unwrap_or_default();
                print!(
                    "{}",
                    report::plugin_error(first.trim_start_matches("error: "))
                );
            }
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EXIT_UNKNOWN),
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("wa-status: error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_UNKNOWN);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(CliError(message)) => {
            if plugin_mode {
                print!("{}", report::plugin_error(&message));
            }
            eprintln!("wa-status: error: {message}");
            ExitCode::from(EXIT_UNKNOWN)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    let lookup = |name: &str| std::env::var(name).ok();
    match cli.command {
        Command::Check(args) => {
            let targets = targets::gather(&args.targets, &lookup)?;
            let monitor = check::monitor(&args.targets)?;
            let report = Report {
                format: args.format,
                plugin_output: args.plugin_output,
                verbose: args.targets.verbose,
                concurrency: usize::from(args.targets.concurrency),
                deadline: args.deadline,
                thresholds: report::Thresholds {
                    warning: args.warning,
                    critical: args.critical,
                },
            };
            let severity = check::run(&monitor, &targets, &report).await?;
            Ok(severity.exit_code())
        }
        Command::Watch(args) => {
            let targets = targets::gather(&args.targets, &lookup)?;
            watch::run(&args, &targets).await?;
            Ok(0)
        }
        Command::Exporter(args) => {
            let targets = targets::gather(&args.targets, &lookup)?;
            exporter::run(&args, targets).await?;
            Ok(0)
        }
        Command::Demo(args) => {
            demo::run(&args).await?;
            Ok(0)
        }
    }
}
