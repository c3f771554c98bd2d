//! Gathering targets: connection strings, a fleet file, or the environment.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

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
    /// Whether the name was given (a fleet file's `name`), rather than derived.
    pub named: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    /// The shared store's URL, or the variable that holds it (for a password).
    store: Option<String>,
    store_env: Option<String>,
    #[serde(default)]
    instance: Vec<InstanceSettings>,
}

/// What a command checks, and the store its fleet file names, if any.
pub struct Gathered {
    pub targets: Vec<Target>,
    pub store: Option<String>,
}

/// The targets of a command, from its arguments, its fleet file, or `WA_STATUS_TARGET`.
/// A fleet file is read within `patience`: `check` passes its deadline when it is shorter
/// than [`FLEET_FILE_PATIENCE`].
pub fn gather(
    args: &TargetArgs,
    lookup: Lookup<'_>,
    patience: Duration,
) -> Result<Gathered, CliError> {
    let mut targets = Vec::new();
    let mut store = None;
    for text in &args.targets {
        targets.push(from_connection_string(text)?);
    }
    if let Some(path) = &args.config {
        let (from_file, named) = from_file(path, lookup, patience)?;
        targets.extend(from_file);
        store = named;
    }
    if targets.is_empty() {
        match lookup(TARGET_VARIABLE) {
            Some(text) if !text.trim().is_empty() => targets.push(from_connection_string(&text)?),
            Some(_) => {
                return Err(CliError(format!(
                    "no target: {TARGET_VARIABLE} is set but empty; give connection strings or --config FILE"
                )))
            }
            None => {
                return Err(CliError(format!(
                    "no target: give connection strings, --config FILE, or set {TARGET_VARIABLE}"
                )))
            }
        }
    }
    unique_names(&mut targets)?;
    Ok(Gathered { targets, store })
}

/// Names identify instances in every report and metric, so no two targets share one (two
/// series of one name would be merged). A derived name (the instance id) that another
/// target also has grows its provider, then its host (`PROVIDER/ID@10.0.0.2:3000`), then
/// its position among the targets (`#3`). Two given names alike are an error.
fn unique_names(targets: &mut [Target]) -> Result<(), CliError> {
    for round in 0..3 {
        let mut count: HashMap<String, usize> = HashMap::new();
        for target in targets.iter() {
            *count.entry(target.name.clone()).or_default() += 1;
        }
        for (index, target) in targets.iter_mut().enumerate() {
            if target.named || count[&target.name] < 2 {
                continue;
            }
            target.name = match round {
                0 => with_provider(target),
                1 => with_host(target),
                _ => format!("{}#{}", target.name, index + 1),
            };
        }
    }
    let mut seen = HashMap::new();
    for (index, target) in targets.iter().enumerate() {
        if let Some(first) = seen.insert(target.name.as_str(), index) {
            return Err(CliError(format!(
                "targets {} and {} have the same name `{}`: give each its own `name`",
                first + 1,
                index + 1,
                target.name
            )));
        }
    }
    Ok(())
}

fn with_provider(target: &Target) -> String {
    format!("{}/{}", target.config.provider(), target.config.instance())
}

fn with_host(target: &Target) -> String {
    let base = target.config.base_url();
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    format!("{}@{host}", with_provider(target))
}

fn from_connection_string(text: &str) -> Result<Target, CliError> {
    let config: InstanceConfig = text
        .parse()
        .map_err(|e: wa_unified::Error| CliError(e.to_string()))?;
    Ok(Target {
        name: config.instance().to_owned(),
        config,
        named: false,
    })
}

/// The largest fleet file read: 16 MiB holds over 50,000 instances.
const MAX_FLEET_FILE: u64 = 16 * 1024 * 1024;

/// How long reading a fleet file may take: a named pipe with no writer would block its
/// opening forever, and a pipe from a slow program (`--config <(...)`) gets this long.
pub const FLEET_FILE_PATIENCE: Duration = Duration::from_secs(10);

/// A fleet file's text, read up to [`MAX_FLEET_FILE`] (so that `--config /dev/zero` ends)
/// and within `patience`. The reading runs on a thread of its own: a blocked
/// `open` cannot be cancelled, and the thread ends with the process.
fn read_fleet_file(path: &Path, patience: Duration) -> std::io::Result<String> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    let owned = path.to_owned();
    std::thread::Builder::new()
        .name("fleet-file".into())
        .spawn(move || {
            let _ = sender.send(read_bounded(&owned));
        })?;
    match receiver.recv_timeout(patience) {
        Ok(read) => read,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "nothing read within {} (a named pipe with no writer?)",
                humantime::format_duration(patience)
            ),
        )),
    }
}

fn read_bounded(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FLEET_FILE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FLEET_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_FLEET_FILE / 1024 / 1024
        )));
    }
    Ok(text)
}

fn from_file(
    path: &Path,
    lookup: Lookup<'_>,
    patience: Duration,
) -> Result<(Vec<Target>, Option<String>), CliError> {
    let shown = path.display();
    let text = read_fleet_file(path, patience).map_err(|e| CliError(format!("{shown}: {e}")))?;
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
    let store = match (fleet.store, fleet.store_env) {
        (Some(_), Some(_)) => {
            return Err(CliError(format!(
                "{shown}: give `store` or `store_env`, not both"
            )))
        }
        (Some(url), None) => Some(url),
        (None, Some(variable)) => match lookup(&variable) {
            Some(url) if !url.is_empty() => Some(url),
            Some(_) => {
                return Err(CliError(format!(
                    "{shown}: store_env: `{variable}` is set but empty"
                )))
            }
            None => {
                return Err(CliError(format!(
                    "{shown}: store_env: `{variable}` is not set"
                )))
            }
        },
        (None, None) => None,
    };
    let targets = fleet
        .instance
        .into_iter()
        .enumerate()
        .map(|(index, settings)| {
            let name = settings.name.clone();
            let config = InstanceConfig::from_settings(settings, lookup)
                .map_err(|e| CliError(format!("{shown}: instance {}: {e}", index + 1)))?;
            Ok(Target {
                name: name.clone().unwrap_or_else(|| config.instance().to_owned()),
                config,
                named: name.is_some(),
            })
        })
        .collect::<Result<_, CliError>>()?;
    Ok((targets, store))
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

    fn target(text: &str, name: Option<&str>) -> Target {
        let mut target = from_connection_string(text).unwrap();
        if let Some(name) = name {
            target.name = name.to_owned();
            target.named = true;
        }
        target
    }

    #[test]
    fn derived_names_that_collide_grow_their_provider_then_their_host() {
        // Two providers that take a single credential, whichever the catalog holds.
        let mut single = wa_unified::Provider::ALL.iter().copied().filter_map(|p| {
            let sets = p.info().credential_sets();
            let key = sets.into_iter().find(|set| set.len() == 1)?[0];
            Some((p, key))
        });
        let (provider, key) = single.next().unwrap();
        let (other, other_key) = single.next().unwrap();
        let form = |p: wa_unified::Provider, host: &str| {
            let key = if p == provider { key } else { other_key };
            let mut config = InstanceConfig::builder(p)
                .with_base_url(format!("http://{host}/x"))
                .with_instance("1234")
                .with_credential(key, "secret-token")
                .build()
                .unwrap()
                .to_string();
            // The Display masks the token; a target needs a parseable string.
            config = config.replace("***", "secret-token");
            config
        };
        let mut targets = vec![
            target(&form(provider, "a.example:8080"), None),
            target(&form(provider, "b.example"), None),
            target(&form(other, "a.example"), None),
            target(&form(other, "c.example"), Some("named")),
        ];
        unique_names(&mut targets).unwrap();
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        let (p, o) = (provider.name(), other.name());
        assert_eq!(
            names,
            [
                format!("{p}/1234@a.example:8080"),
                format!("{p}/1234@b.example"),
                format!("{o}/1234"),
                "named".to_owned(),
            ]
        );
        let mut same = vec![
            target(&form(provider, "a.example"), None),
            target(&form(provider, "a.example"), None),
        ];
        unique_names(&mut same).unwrap();
        let names: Vec<&str> = same.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                format!("{p}/1234@a.example#1"),
                format!("{p}/1234@a.example#2")
            ]
        );
        let mut twins = vec![
            target(&form(provider, "a.example"), Some("same")),
            target(&form(other, "b.example"), Some("same")),
        ];
        assert_eq!(
            unique_names(&mut twins).unwrap_err().0,
            "targets 1 and 2 have the same name `same`: give each its own `name`"
        );
    }

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbb = [\n  x";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, 15), (3, 3));
    }
}
