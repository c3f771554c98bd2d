//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::threshold::Threshold;

/// The exit status of each command: the `--help` text and the man page's EXIT STATUS.
pub const EXIT_STATUS: &str =
    "check (the monitoring-plugin convention): 0 every instance connected; \
1 warning (worst: restricted, phone_offline, starting, provisioning, or -w exceeded); 2 critical \
(any awaiting_pairing, disconnected, stopped, failed, banned, or -c exceeded); 3 unknown (worst: \
unknown or a failed check) and bad input. watch, exporter and the others: 0 when done or \
stopped by SIGTERM or SIGINT, 3 on bad input or a failure of the tool itself.";

/// Check, watch and export the connection state of WhatsApp instances at any gateway
/// provider `wa-status` knows (listed at the end of `--help`).
#[derive(Parser, Debug)]
#[command(
    name = "wa-status",
    version,
    after_help = providers_help(),
    after_long_help = format!("Exit status: {EXIT_STATUS}\n\n{}", providers_help())
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check instances once and report their state.
    Check(CheckArgs),
    /// Poll instances and print a JSON line each time a state changes.
    Watch(WatchArgs),
    /// Serve Prometheus metrics from a background poll.
    Exporter(ExporterArgs),
    /// Run `check` against a built-in simulator with a sample fleet: no account needed.
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Print the completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `wa-status man > /usr/local/share/man/man1/wa-status.1`.
    Man,
}

impl Command {
    /// Whether the command logs each check (`--verbose`).
    pub fn verbose(&self) -> bool {
        match self {
            Command::Check(args) => args.targets.verbose,
            Command::Watch(args) => args.targets.verbose,
            Command::Exporter(args) => args.targets.verbose,
            _ => false,
        }
    }
}

/// Which instances, and how to reach them.
#[derive(Args, Debug)]
pub struct TargetArgs {
    /// Connection strings, in the forms listed at the end of `--help`
    /// (see the wa-unified docs for every form). Without targets or --config, the
    /// environment variable WA_STATUS_TARGET is read.
    pub targets: Vec<String>,
    /// A fleet file: TOML, a list of `[[instance]]` tables with name, provider, settings and
    /// credentials (given directly or as `*_env` variable names).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How many requests to send at once to each provider (a provider that hangs holds its
    /// own slots only).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// The timeout of one request, e.g. `10s` or `500ms`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Log each check to standard error (`RUST_LOG` chooses more; no secret is ever logged);
    /// with `check --plugin-output`, list every instance in the long output, not only those
    /// not connected.
    #[arg(long, short)]
    pub verbose: bool,
    /// The folder where quotas are shared with the other `wa-status` processes of this
    /// user (default: `$XDG_RUNTIME_DIR/wa-status`, else `wa-status-<uid>` in the
    /// temporary folder).
    #[arg(long, value_name = "DIR", env = "WA_STATUS_QUOTA_DIR")]
    pub quota_dir: Option<PathBuf>,
    /// A store shared by every process on every host, `redis://[user:password@]HOST[:PORT][/DB]`
    /// or `rediss://` for TLS (Valkey too): quotas kept together, readings published,
    /// and each instance read once per interval between several exporters. Also the fleet
    /// file's `store` or `store_env`. The password is never printed.
    #[arg(
        long,
        value_name = "URL",
        env = "WA_STATUS_STORE",
        hide_env_values = true
    )]
    pub store: Option<String>,
    /// The prefix of every key in the store.
    #[arg(long, value_name = "PREFIX", default_value = "wa-status")]
    pub store_prefix: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line, as each check completes.
    Jsonl,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub targets: TargetArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print what Nagios and Icinga read instead: a first line with the status, the reason
    /// and perfdata, then one line per instance for a fleet.
    #[arg(long)]
    pub plugin_output: bool,
    /// One budget for the whole run (the plugin's timeout), in seconds as Nagios and Icinga
    /// pass it (`-t 30`) or as a duration (`30s`): instances not read by then are reported
    /// as errors that say so. Keep it under the monitoring system's own timeout.
    #[arg(long, short = 't', value_name = "SECONDS", default_value = "50", value_parser = parse_seconds)]
    pub deadline: Duration,
    /// With a store: a reading this recent, made by any process (an exporter, say), answers
    /// for an instance with no request to the vendor, e.g. `2m`.
    #[arg(long, value_name = "AGE", value_parser = parse_duration)]
    pub max_age: Option<Duration>,
    /// Warning when the number of instances not connected is outside this range, in the
    /// Monitoring Plugins syntax: `2` (more than 2), `10%` (more than a tenth of the fleet),
    /// `5:` (fewer than 5), `~:5`, `10:20`, `@0:2` (inside 0 to 2). With -w or -c, the exit
    /// status follows the thresholds instead of the worst state.
    #[arg(long, short = 'w', value_name = "RANGE", value_parser = Threshold::parse)]
    pub warning: Option<Threshold>,
    /// Critical when the number of instances not connected is outside this range (the
    /// syntax of -w).
    #[arg(long, short = 'c', value_name = "RANGE", value_parser = Threshold::parse)]
    pub critical: Option<Threshold>,
}

#[derive(Args, Debug)]
pub struct WatchArgs {
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Time between two checks of an instance, each on its own schedule (quotas are kept
    /// whatever it is), e.g. `60s`.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Report a change after this many consecutive identical readings, so that brief
    /// flaps are not reported.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..))]
    pub confirm: u32,
    /// Stop after this long (default: run until interrupted).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
}

#[derive(Args, Debug)]
pub struct ExporterArgs {
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Where to serve the metrics, `/-/healthy`, `/-/ready` and a landing page (`--listen`
    /// works too). Anyone who can reach it can read the fleet's names and states.
    #[arg(
        long = "web.listen-address",
        visible_alias = "listen",
        value_name = "ADDRESS",
        default_value = "127.0.0.1:9898"
    )]
    pub listen: SocketAddr,
    /// The path of the metrics.
    #[arg(
        long = "web.telemetry-path",
        value_name = "PATH",
        default_value = "/metrics",
        value_parser = parse_path
    )]
    pub telemetry_path: String,
    /// The most HTTP connections open at once; past it, the oldest connection that has not
    /// yet sent a request is closed (each has 10 s to send its headers).
    #[arg(
        long = "web.max-connections",
        value_name = "N",
        default_value_t = 256,
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    pub max_connections: u16,
    /// TLS and basic authentication, in the exporter-toolkit's YAML (`tls_server_config`,
    /// `basic_auth_users` with bcrypt hashes), as the other exporters take it.
    #[arg(long = "web.config.file", value_name = "FILE")]
    pub web_config: Option<PathBuf>,
    /// Time between two checks of an instance, each on its own schedule; a scrape never
    /// calls a provider.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub interval: Duration,
}

/// The shell of `completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(feature = "demo")]
#[derive(Args, Debug)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The providers of this build and their connection-string forms, from the catalog.
fn providers_help() -> String {
    let mut text = String::from(
        "Examples:\n  \
         wa-status demo                                   # the sample fleet on a built-in simulator\n  \
         wa-status check CONNECTION_STRING...             # forms below\n  \
         wa-status check --config fleet.toml --format json\n  \
         wa-status check --plugin-output -w 1 -c 20% --config fleet.toml   # Nagios, Icinga\n  \
         wa-status exporter --config fleet.toml                           # Prometheus, 127.0.0.1:9898\n  \
         wa-status completions bash > /etc/bash_completion.d/wa-status\n\n",
    );
    text.push_str(
        "Connection strings, per provider (https; `+http` after the scheme for plain HTTP; credentials percent-encoded):\n",
    );
    for provider in wa_unified::Provider::ALL {
        for form in provider.info().connection_strings {
            text.push_str(&format!("  {}\n", form.text));
        }
    }
    text
}

/// The longest duration any option takes: a year.
const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// A duration such as `10s` or `500ms`, from 1 ms to a year: zero would make every check
/// fail or spin, and an absurd one would overflow a deadline.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let shown = crate::output::one_line(text, 40);
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("`{shown}` is not a duration such as 10s or 500ms: {e}"))?;
    within_bounds(&shown, duration)
}

fn within_bounds(shown: &str, duration: Duration) -> Result<Duration, String> {
    if duration < Duration::from_millis(1) {
        return Err(format!("`{shown}` is too short: at least 1ms"));
    }
    if duration > LONGEST {
        return Err(format!("`{shown}` is too long: at most a year"));
    }
    Ok(duration)
}

/// An absolute URL path such as `/metrics`, of the characters a URL takes as they are
/// (letters, digits, `-._~/`), so that it is matched and linked as written; not `/` (the
/// landing page) nor one of the health paths.
fn parse_path(text: &str) -> Result<String, String> {
    let shown = crate::output::one_line(text, 40);
    let reserved = ["/", "/-/healthy", "/-/ready", "/healthz"];
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._~/".contains(c);
    if !text.starts_with('/') || !text.chars().all(plain) {
        return Err(format!(
            "`{shown}` is not a path such as /metrics (letters, digits and -._~/ only)"
        ));
    }
    if reserved.contains(&text) {
        return Err(format!(
            "`{shown}` is taken by the landing page or a health check"
        ));
    }
    Ok(text.to_owned())
}

/// Seconds as a plain number (`30`), the plugin convention for `-t`, or a duration (`30s`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<u64>() {
        Ok(seconds) => within_bounds(
            &crate::output::one_line(text, 40),
            Duration::from_secs(seconds),
        ),
        Err(_) => parse_duration(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_telemetry_path_is_plain_and_free() {
        assert_eq!(
            parse_path("/probe/metrics"),
            Ok("/probe/metrics".to_owned())
        );
        let plain = "is not a path such as /metrics (letters, digits and -._~/ only)";
        for bad in ["metrics", "/a b", "/<x>", "/m?x=1", "/ä"] {
            assert_eq!(parse_path(bad), Err(format!("`{bad}` {plain}")));
        }
        assert_eq!(
            parse_path("/-/ready"),
            Err("`/-/ready` is taken by the landing page or a health check".to_owned())
        );
    }

    #[test]
    fn the_deadline_takes_plain_seconds_as_nagios_passes_them() {
        assert_eq!(parse_seconds("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_seconds("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(
            parse_seconds("0"),
            Err("`0` is too short: at least 1ms".into())
        );
        assert_eq!(
            parse_seconds("99999999999"),
            Err("`99999999999` is too long: at most a year".into())
        );
    }

    #[test]
    fn durations_are_checked_when_parsed() {
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(
            parse_duration("0s"),
            Err("`0s` is too short: at least 1ms".into())
        );
        assert_eq!(
            parse_duration("400years"),
            Err("`400years` is too long: at most a year".into())
        );
        assert!(parse_duration("soon").is_err());
    }
}
