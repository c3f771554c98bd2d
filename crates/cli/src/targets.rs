//! Gathering targets: connection strings, a fleet file, or the environment.

use std::path::Path;

use serde::Deserialize;
use wa_unified::{InstanceConfig, InstanceSettings, Lookup};

use crate::args::TargetArgs;
use crate::CliError;

/// The variable read when no target and no fleet file is given.
pub const TARGET_VARIABLE: &str = "WA_STATUS_TARGET";

/// One instance to check, with the name people know it by.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub config: InstanceConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    instance: Vec<InstanceSettings>,
}

/// The targets of a command, from its arguments, its fleet file, or `WA_STATUS_TARGET`.
pub fn gather(args: &TargetArgs, lookup: Lookup<'_>) -> Result<Vec<Target>, CliError> {
    let mut targets = Vec::new();
    for text in &args.targets {
        targets.push(from_connection_string(text)?);
    }
    if let Some(path) = &args.config {
        targets.extend(from_file(path, lookup)?);
    }
    if targets.is_empty() {
        match lookup(TARGET_VARIABLE) {
            Some(text) if !text.trim().is_empty() => targets.push(from_connection_string(&text)?),
            _ => {
                return Err(CliError(format!(
                    "no target: give connection strings, --config FILE, or set {TARGET_VARIABLE}"
                )))
            }
        }
    }
    Ok(targets)
}

fn from_connection_string(text: &str) -> Result<Target, CliError> {
    let config: InstanceConfig = text
        .parse()
        .map_err(|e: wa_unified::Error| CliError(e.to_string()))?;
    Ok(Target {
        name: config.instance().to_owned(),
        config,
    })
}

fn from_file(path: &Path, lookup: Lookup<'_>) -> Result<Vec<Target>, CliError> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| CliError(format!("{shown}: {e}")))?;
    let fleet: FleetFile = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|span| {
                let (line, column) = line_and_column(&text, span.start);
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        CliError(format!("{shown}{place}: {}", e.message().trim()))
    })?;
    if fleet.instance.is_empty() {
        return Err(CliError(format!("{shown}: no [[instance]] in the file")));
    }
    fleet
        .instance
        .into_iter()
        .enumerate()
        .map(|(index, settings)| {
            let name = settings.name.clone();
            let config = InstanceConfig::from_settings(settings, lookup)
                .map_err(|e| CliError(format!("{shown}: instance {}: {e}", index + 1)))?;
            Ok(Target {
                name: name.unwrap_or_else(|| config.instance().to_owned()),
                config,
            })
        })
        .collect()
}

/// 1-based line and column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbb = [\n  x";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, 15), (3, 3));
    }
}
