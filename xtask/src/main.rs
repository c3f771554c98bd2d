//! `cargo xtask`: the project's task runner.

use std::process::ExitCode;

use xtask::files::{codegen, Mode};
use xtask::providers::{discover, named, workspace_root};

const USAGE: &str = "usage: cargo xtask codegen [--check] [PROVIDER...]
       cargo xtask new-provider NAME
       cargo xtask remove-provider NAME
       cargo xtask dist [DIR]

  codegen            regenerate every provider's client and normalized document, the
                     provider registry and the docs tables
  codegen --check    write nothing; fail with a diff when a generated file is stale
  PROVIDER           a folder of specs/ (default: all); the registry and docs always
                     cover every provider
  new-provider NAME  write a new provider's folders (specs/NAME/, and its mapping in
                     crates/clients/NAME/src/status.rs) as a skeleton that builds and
                     passes the tests, then run codegen; fill them in from there
  remove-provider NAME  remove a provider's folders and snapshots, then regenerate
                     everything derived from the others (the README's demo block included)
  dist               write the shell completions and the man page of wa-status, from its
                     command-line definitions, into DIR (default: target/dist)";

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
        "dist" => {
            let dir = match rest {
                [] => workspace_root().join("target/dist"),
                [dir] => std::path::PathBuf::from(dir),
                _ => return Err(format!("dist takes one folder\n\n{USAGE}")),
            };
            for path in xtask::dist::write(&dir)? {
                println!("wrote {}", path.display());
            }
            return Ok(());
        }
        "new-provider" => {
            let [name] = rest else {
                return Err(format!("new-provider takes one name\n\n{USAGE}"));
            };
            let root = workspace_root();
            for path in xtask::skeleton::write(&root, name)? {
                println!("wrote {}", path.display());
            }
            let all = discover(&root)?;
            let selected: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
            for path in codegen(&root, &all, &selected, Mode::Write)? {
                println!("wrote {}", path.display());
            }
            xtask::skeleton::derive_by_tests(&root)?;
            println!(
                "\n{name} is a provider: fill in specs/{name}/ and crates/clients/{name}/src/status.rs (specs/README.md, \"Adding a provider\"), then run `cargo xtask codegen` and `cargo test --workspace`"
            );
            return Ok(());
        }
        "remove-provider" => {
            let [name] = rest else {
                return Err(format!("remove-provider takes one name\n\n{USAGE}"));
            };
            let root = workspace_root();
            for path in xtask::skeleton::remove(&root, name)? {
                println!("removed {}", path.display());
            }
            let all = discover(&root)?;
            let selected: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
            for path in codegen(&root, &all, &selected, Mode::Write)? {
                println!("wrote {}", path.display());
            }
            xtask::skeleton::derive_by_tests(&root)?;
            return Ok(());
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return Ok(());
        }
        other => return Err(format!("unknown task `{other}`\n\n{USAGE}")),
    }
    let root = workspace_root();
    let all = discover(&root)?;
    let mut mode = Mode::Write;
    let mut selected = Vec::new();
    for arg in rest {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            name => selected.push(named(&all, name)?.name.clone()),
        }
    }
    if selected.is_empty() {
        selected = all.iter().map(|p| p.name.clone()).collect();
    }
    let changed = codegen(&root, &all, &selected, mode)?;
    match mode {
        Mode::Check => println!(
            "generated code is up to date ({} providers)",
            selected.len()
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
