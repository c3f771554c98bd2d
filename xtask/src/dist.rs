//! `cargo xtask dist`: what a package of `wa-status` installs beside the binary, printed by
//! the binary itself (`wa-status completions SHELL` and `wa-status man`, from its
//! command-line definitions). The xtask runs it rather than linking it, so that it never
//! depends on the provider clients: a provider being added cannot stop `cargo xtask` from
//! building.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where each shell looks for a completion script, by the file names its packages use.
const COMPLETIONS: [(&str, &str); 5] = [
    ("bash", "wa-status.bash"),
    ("zsh", "_wa-status"),
    ("fish", "wa-status.fish"),
    ("elvish", "wa-status.elv"),
    ("powershell", "_wa-status.ps1"),
];

/// Writes `dir/completions/*` and `dir/man/man1/wa-status.1` (a `MANPATH` folder);
/// returns the paths written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (shell, name) in COMPLETIONS {
        let text = wa_status(&["completions", shell])?;
        written.push(save(&dir.join("completions").join(name), &text)?);
    }
    let page = wa_status(&["man"])?;
    written.push(save(&dir.join("man/man1/wa-status.1"), &page)?);
    Ok(written)
}

/// What `wa-status ARGS` prints, built without the simulator as a package builds it.
fn wa_status(args: &[&str]) -> Result<Vec<u8>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--package",
            "wa-status",
            "--no-default-features",
            "--",
        ])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`wa-status {}` failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(output.stdout)
}

fn save(path: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}
