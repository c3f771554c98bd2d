//! What an operator installs beside the binary, generated from the command-line
//! definitions: shell completions and the man page.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;

/// The command-line definitions, as clap builds them.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut command = command();
    clap_complete::generate(shell, &mut command, "wa-status", out);
    Ok(())
}

/// Writes the man page `wa-status(1)`: the tool, then each command as a section.
pub fn man(out: &mut dyn Write) -> std::io::Result<()> {
    let command = command();
    let page = clap_mangen::Man::new(command.clone());
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("wa-status {}", sub.get_name());
        let sub = sub.clone().bin_name(name);
        let page = clap_mangen::Man::new(sub);
        page.render_synopsis_section(out)?;
        page.render_description_section(out)?;
        page.render_options_section(out)?;
    }
    page.render_extra_section(out)?;
    page.render_version_section(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_and_the_man_page_name_every_command() {
        let mut bash = Vec::new();
        completions(Shell::Bash, &mut bash).unwrap();
        let bash = String::from_utf8(bash).unwrap();
        for shell in [Shell::Zsh, Shell::Fish, Shell::Elvish, Shell::PowerShell] {
            let mut text = Vec::new();
            completions(shell, &mut text).unwrap();
            assert!(
                String::from_utf8(text).unwrap().contains("wa-status"),
                "{shell}"
            );
        }
        let mut page = Vec::new();
        man(&mut page).unwrap();
        let man = String::from_utf8(page).unwrap();
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
    }
}
