//! `wa-simulator`: serves the providers' status APIs on loopback (or wherever told).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wa_simulator::{
    status_request_at, Fleet, Instance, Provider, RequestLog, Simulator, SimulatorOptions,
};

/// A WhatsApp gateway provider simulator: every provider's status API on one HTTP server,
/// serving their recorded responses, with a control API under /_control.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A fleet file (TOML, a list of `[[instance]]` tables); without it, a sample fleet.
    #[arg(long)]
    fleet: Option<PathBuf>,
    /// Serve without the providers' rate limits.
    #[arg(long)]
    no_rate_limits: bool,
    /// Do not log requests to standard error.
    #[arg(long)]
    quiet: bool,
    /// Also write a `wa-status` fleet file for the instances served here (their
    /// credentials included; a new file readable by you only), e.g.
    /// `wa-status check --config FILE`.
    #[arg(long, value_name = "FILE")]
    write_fleet: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (fleet, sample) = match &args.fleet {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Fleet::from_toml(&text))
        {
            Ok(fleet) => (fleet, false),
            Err(message) => {
                eprintln!("error: {}: {message}", path.display());
                return ExitCode::from(2);
            }
        },
        None => (Fleet::sample(), true),
    };
    let options = SimulatorOptions {
        listen: args.listen,
        rate_limits: !args.no_rate_limits,
        log: if args.quiet {
            RequestLog::off()
        } else {
            RequestLog::stderr()
        },
    };
    let simulator = match Simulator::start_with(fleet.clone(), options).await {
        Ok(simulator) => simulator,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &args.write_fleet {
        if let Err(e) = write_fleet(&simulator, &fleet, path) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    print_banner(&simulator, &fleet, sample, !args.no_rate_limits);
    if let Some(path) = &args.write_fleet {
        println!();
        println!(
            "fleet file: {} (wa-status check --config {0})",
            path.display()
        );
    }
    match tokio::signal::ctrl_c().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot wait for Ctrl-C: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_banner(simulator: &Simulator, fleet: &Fleet, sample: bool, rate_limits: bool) {
    println!("wa-simulator listening on http://{}", simulator.addr());
    println!("base URLs:");
    for provider in Provider::ALL.iter().copied() {
        println!("  {:<12} {}", provider.name(), simulator.base_url(provider));
    }
    println!("  {:<12} {}", "control", simulator.control_url());
    println!(
        "rate limits: {}",
        if rate_limits {
            "on (--no-rate-limits to turn off)"
        } else {
            "off"
        }
    );
    println!();
    if sample {
        // The sample fleet's credentials are demo values, printed so that it is ready to use.
        println!("sample fleet (demo credentials; give --fleet FILE for your own):");
        for instance in &fleet.instances {
            println!(
                "  {:<12} {:<38} {}",
                instance.provider.name(),
                instance.id,
                instance.response
            );
            println!(
                "    wa-status check '{}'",
                simulator.connection_string(instance)
            );
            println!("    {}", curl_command(simulator, instance));
        }
    } else {
        println!(
            "fleet ({} instances; credentials not shown):",
            fleet.instances.len()
        );
        for instance in &fleet.instances {
            println!(
                "  {:<12} {:<38} {}",
                instance.provider.name(),
                instance.id,
                instance.response
            );
        }
    }
}

/// Writes [`Simulator::fleet_file`] to `path`, a new file: one that exists is not
/// overwritten. On Unix it is made readable by its owner only, since it holds the
/// instances' credentials.
fn write_fleet(
    simulator: &Simulator,
    fleet: &Fleet,
    path: &std::path::Path,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)?
        .write_all(simulator.fleet_file(fleet).as_bytes())
}

/// A ready-to-paste `curl` for one sample instance.
fn curl_command(simulator: &Simulator, instance: &Instance) -> String {
    let (url, headers) = status_request_at(&simulator.addr().to_string(), instance);
    let mut command = String::from("curl");
    for (name, value) in headers {
        command.push_str(&format!(" -H '{name}: {value}'"));
    }
    format!("{command} {url}")
}
