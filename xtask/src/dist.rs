//! `cargo xtask dist`: what a package of `wa-status` installs beside the binary, generated
//! from its command-line definitions (the same text `wa-status completions` and
//! `wa-status man` print).

use std::fs;
use std::path::{Path, PathBuf};

use clap_complete::Shell;

/// Where each shell looks for a completion script, by the file names its packages use.
const COMPLETIONS: [(Shell, &str); 5] = [
    (Shell::Bash, "wa-status.bash"),
    (Shell::Zsh, "_wa-status"),
    (Shell::Fish, "wa-status.fish"),
    (Shell::Elvish, "wa-status.elv"),
    (Shell::PowerShell, "_wa-status.ps1"),
];

/// Writes `dir/completions/*` and `dir/man/man1/wa-status.1` (a `MANPATH` folder);
/// returns the paths written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (shell, name) in COMPLETIONS {
        let mut text = Vec::new();
        wa_status::assets::completions(shell, &mut text).map_err(|e| e.to_string())?;
        written.push(save(&dir.join("completions").join(name), &text)?);
    }
    let mut page = Vec::new();
    wa_status::assets::man(&mut page).map_err(|e| e.to_string())?;
    written.push(save(&dir.join("man/man1/wa-status.1"), &page)?);
    Ok(written)
}

fn save(path: &Path, bytes: &[u8]) -> Result<PathBuf, String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_and_the_man_page_are_written_and_name_every_command() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        let written = write(&dir).unwrap();
        assert_eq!(written.len(), COMPLETIONS.len() + 1);
        let bash = fs::read_to_string(dir.join("completions/wa-status.bash")).unwrap();
        let man = fs::read_to_string(dir.join("man/man1/wa-status.1")).unwrap();
        for command in ["check", "watch", "exporter", "completions", "man"] {
            assert!(
                bash.contains(command),
                "{command} not in the bash completions"
            );
            assert!(
                man.contains(&format!("wa\\-status {command}")),
                "{command} not in the man page"
            );
        }
        assert!(
            man.starts_with(".ie") && man.contains(".TH wa-status 1"),
            "{}",
            &man[..200]
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
