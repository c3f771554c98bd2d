//! `cargo xtask`: the project's task runner.

use std::process::ExitCode;

use xtask::files::{codegen, Mode};
use xtask::providers::{workspace_root, Provider, PROVIDERS};

const USAGE: &str = "usage: cargo xtask codegen [--check] [PROVIDER...]

  codegen            regenerate every provider's client and normalized document
  codegen --check    write nothing; fail with a diff when a generated file is stale
  PROVIDER           megaapi, vzaps, hypersender or green-api (default: all)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((task, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    match task.as_str() {
        "codegen" => {}
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return Ok(());
        }
        other => return Err(format!("unknown task `{other}`\n\n{USAGE}")),
    }
    let mut mode = Mode::Write;
    let mut providers = Vec::new();
    for arg in rest {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            name => providers.push(Provider::named(name).ok_or_else(|| {
                format!(
                    "unknown provider `{name}`: expected megaapi, vzaps, hypersender or green-api"
                )
            })?),
        }
    }
    if providers.is_empty() {
        providers = PROVIDERS.to_vec();
    }
    let changed = codegen(&workspace_root(), &providers, mode)?;
    match mode {
        Mode::Check => println!(
            "generated code is up to date ({} providers)",
            providers.len()
        ),
        Mode::Write if changed.is_empty() => println!("generated code was already up to date"),
        Mode::Write => {
            for path in changed {
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(())
}
