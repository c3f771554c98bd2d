//! The `wa-status` command-line tool. Its commands, reports and exporter live in the
//! package's library (`src/lib.rs`), which `cargo xtask dist` also reads for the shell
//! completions and the man page. It is not a library API: programs use `wa-unified`.

#![doc(hidden)]

pub mod args;
pub mod assets;
mod check;
#[cfg(feature = "demo")]
mod demo;
mod exporter;
mod http;
mod logging;
mod metrics;
mod output;
mod process_metrics;
mod report;
mod shutdown;
mod targets;
mod threshold;
mod watch;
mod web_config;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use check::Report;

/// A failure of the tool itself (bad input, an unwritable output): one line, exit 3.
#[derive(Debug)]
pub struct CliError(pub String);

/// The exit status of bad input and of an unknown fleet state.
const EXIT_UNKNOWN: u8 = 3;

/// Runs the command line: parses the arguments, runs the command, and gives its exit status.
pub fn main() -> ExitCode {
    // Bad input in plugin mode still gets its one line on standard output.
    let plugin_mode = std::env::args_os().any(|a| a == "--plugin-output");
    let mut stdout = output::Stdout::new();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let text = error.render().to_string();
            let shown: Vec<String> = text
                .lines()
                .map(|line| output::one_line(line, output::MAX_LINE))
                .collect();
            if plugin_mode && error.use_stderr() {
                let first = shown.first().map(String::as_str).unwrap_or_default();
                let _ = write!(
                    stdout,
                    "{}",
                    report::plugin_error(first.trim_start_matches("error: "))
                );
            }
            let shown = shown.join("\n");
            match error.use_stderr() {
                true => output::warn(&shown),
                false => {
                    let _ = writeln!(stdout, "{shown}");
                }
            }
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EXIT_UNKNOWN),
            };
        }
    };
    logging::init(cli.command.verbose());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            output::warn(&format!(
                "wa-status: error: cannot start the async runtime: {e}"
            ));
            return ExitCode::from(EXIT_UNKNOWN);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(CliError(message)) => {
            let message = output::one_line(&message, output::MAX_LINE);
            if plugin_mode {
                let _ = write!(stdout, "{}", report::plugin_error(&message));
            }
            output::warn(&format!("wa-status: error: {message}"));
            ExitCode::from(EXIT_UNKNOWN)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    let lookup = |name: &str| std::env::var(name).ok();
    match cli.command {
        Command::Check(args) => {
            let patience = args.deadline.min(targets::FLEET_FILE_PATIENCE);
            let gathered = targets::gather(&args.targets, &lookup, patience)?;
            let monitor = check::monitor(&args.targets, gathered.store.as_deref(), args.max_age)?;
            if args.max_age.is_some() && monitor.store().is_none() {
                return Err(CliError(
                    "--max-age answers from readings in a shared store: give --store, WA_STATUS_STORE or the fleet file's `store`".to_owned(),
                ));
            }
            let targets = gathered.targets;
            let report = Report {
                format: args.format,
                plugin_output: args.plugin_output,
                every_instance: args.targets.verbose,
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
            let gather = || targets::gather(&args.targets, &lookup, targets::FLEET_FILE_PATIENCE);
            watch::run(&args, &gather).await?;
            Ok(0)
        }
        Command::Completions(args) => {
            assets::completions(args.shell, &mut output::Stdout::new())
                .map_err(check::write_error)?;
            Ok(0)
        }
        Command::Man => {
            assets::man(&mut output::Stdout::new()).map_err(check::write_error)?;
            Ok(0)
        }
        Command::Exporter(args) => {
            let gather = || targets::gather(&args.targets, &lookup, targets::FLEET_FILE_PATIENCE);
            exporter::run(&args, &gather).await?;
            Ok(0)
        }
        #[cfg(feature = "demo")]
        Command::Demo(args) => {
            demo::run(&args).await?;
            Ok(0)
        }
    }
}
