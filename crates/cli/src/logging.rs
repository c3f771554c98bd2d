//! Logs: structured events through `tracing`, written to standard error. `RUST_LOG` chooses
//! what is logged (for example `RUST_LOG=wa_unified=debug`); without it, warnings only, or
//! each check's outcome with `--verbose`. No event carries a credential: instances appear
//! by name, connection strings with their credentials masked, errors as their masked
//! messages.

use tracing_subscriber::EnvFilter;

/// Starts logging. A closed standard error loses the logs, nothing more.
pub fn init(verbose: bool) {
    let default = if verbose {
        "warn,wa_status=info,wa_unified=info"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        // Its own complaint about a failed write would go to the same closed stderr, with
        // `eprintln!`, which panics.
        .log_internal_errors(false)
        .try_init();
}
