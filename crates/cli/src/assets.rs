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

/// The name the shells complete.
const BIN: &str = "wa-status";

/// Writes the completion script for `shell`. The script is made in memory first: clap_complete
/// panics when its writer fails, and a closed pipe or a full disk is an error to report.
pub fn completions(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut command = command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, BIN, &mut script);
    if shell == Shell::Bash {
        script = bash_with_subcommands(&script).into_bytes();
    }
    out.write_all(&script)?;
    out.flush()
}

/// clap_complete's bash script for a hyphenated name dispatches on one spelling of the
/// subcommand's function (`wa__status__subcmd__check`) and defines it under another
/// (`wa__subcmd__status__subcmd__check`), so that nothing past the subcommand completes
/// (clap-rs/clap#6421). The definitions are renamed to the spelling dispatched on.
fn bash_with_subcommands(script: &[u8]) -> String {
    let script = String::from_utf8_lossy(script);
    let dispatched = BIN.replace('-', "__");
    let defined = BIN.replace('-', "__subcmd__");
    script.replace(&defined, &dispatched)
}

/// What the environment changes, for the man page's ENVIRONMENT section: the variables the
/// options read, then these.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "WA_STATUS_TARGET",
        "A connection string, read when no target and no --config is given.",
    ),
    (
        "XDG_RUNTIME_DIR",
        "Where the quota folder is by default ($XDG_RUNTIME_DIR/wa-status); without it, wa-status-<uid> in the temporary folder.",
    ),
    (
        "RUST_LOG",
        "What is logged to standard error, e.g. wa_unified=debug (no secret is ever logged).",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY",
        "The proxy for requests to providers (http:// or https://), and the hosts reached without it: * for all, names with their subdomains, IP addresses, CIDR ranges. A variable that is not a proxy URL stops the run.",
    ),
    (
        "Fleet file *_env keys",
        "A fleet file names the variables that hold credentials (token_env = \"NAME\"); they are read at start.",
    ),
];

/// Writes the man page `wa-status(1)`: NAME, SYNOPSIS of every command, DESCRIPTION,
/// COMMANDS with each command's options, EXIT STATUS, ENVIRONMENT, EXAMPLES and VERSION,
/// each once.
pub fn man(out: &mut dyn Write) -> std::io::Result<()> {
    use clap_mangen::roff::{bold, roman, Roff};
    // The long help's exit status has its own section here.
    let command = command().after_long_help(None::<&str>);
    let commands: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|sub| sub.clone().bin_name(format!("{BIN} {}", sub.get_name())))
        .collect();
    let page = clap_mangen::Man::new(command.clone());
    let mut text = Vec::new();
    page.render_title(&mut text)?;
    page.render_name_section(&mut text)?;
    page.render_synopsis_section(&mut text)?;
    for sub in &commands {
        // One line per command.
        text.extend(b".br\n");
        text.extend(body(|w| {
            clap_mangen::Man::new(sub.clone()).render_synopsis_section(w)
        })?);
    }
    page.render_description_section(&mut text)?;
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    roff.to_writer(&mut text)?;
    for sub in &commands {
        let man = clap_mangen::Man::new(sub.clone());
        let mut roff = Roff::new();
        roff.control("SS", [sub.get_bin_name().unwrap_or_default()]);
        roff.to_writer(&mut text)?;
        text.extend(body(|w| man.render_description_section(w))?);
        text.extend(body(|w| man.render_options_section(w))?);
    }
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(crate::args::EXIT_STATUS)]);
    roff.control("SH", ["ENVIRONMENT"]);
    let from_options = command
        .get_subcommands()
        .flat_map(|sub| sub.get_arguments())
        .filter_map(|arg| {
            let name = arg.get_env()?.to_str()?.to_owned();
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            Some((
                name,
                format!("As --{}: {help}", arg.get_long().unwrap_or_default()),
            ))
        });
    let mut seen = std::collections::BTreeSet::new();
    let fixed = ENVIRONMENT
        .iter()
        .map(|(n, h)| ((*n).to_owned(), (*h).to_owned()));
    for (name, help) in from_options.chain(fixed) {
        if seen.insert(name.clone()) {
            roff.control("TP", []);
            roff.text([bold(name)]);
            roff.text([roman(help)]);
        }
    }
    roff.control("SH", ["EXAMPLES"]);
    roff.to_writer(&mut text)?;
    // Aligned comments and one form per line: kept as written.
    text.extend(b".nf\n");
    text.extend(body(|w| page.render_extra_section(w))?);
    text.extend(b".fi\n");
    page.render_version_section(&mut text)?;
    out.write_all(&text)?;
    out.flush()
}

/// A section rendered by clap_mangen without its `.SH` heading, to nest it under another.
fn body(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<Vec<u8>> {
    let mut rendered = Vec::new();
    render(&mut rendered)?;
    let text = String::from_utf8_lossy(&rendered);
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(".SH ")).collect();
    Ok(format!("{}\n", kept.join("\n")).into_bytes())
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
        // Each section once, in the order of man-pages(7), and each command in its own
        // subsection.
        let sections: Vec<&str> = man.lines().filter(|l| l.starts_with(".SH ")).collect();
        assert_eq!(
            sections,
            [
                ".SH NAME",
                ".SH SYNOPSIS",
                ".SH DESCRIPTION",
                ".SH COMMANDS",
                ".SH \"EXIT STATUS\"",
                ".SH ENVIRONMENT",
                ".SH EXAMPLES",
                ".SH VERSION"
            ]
        );
        let subsections: Vec<&str> = man.lines().filter(|l| l.starts_with(".SS ")).collect();
        let mut expected = vec![
            ".SS \"wa-status check\"",
            ".SS \"wa-status watch\"",
            ".SS \"wa-status exporter\"",
        ];
        if cfg!(feature = "demo") {
            expected.push(".SS \"wa-status demo\"");
        }
        expected.extend([".SS \"wa-status completions\"", ".SS \"wa-status man\""]);
        assert_eq!(subsections, expected);
        for variable in [
            "WA_STATUS_TARGET",
            "WA_STATUS_STORE",
            "WA_STATUS_QUOTA_DIR",
            "RUST_LOG",
        ] {
            assert_eq!(
                man.matches(&format!("\n\\fB{variable}\\fR\n")).count(),
                1,
                "{variable}"
            );
        }
    }
}
