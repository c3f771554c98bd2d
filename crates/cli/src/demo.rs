//! `wa-status demo`: the simulator in process, with its sample fleet (every provider's demo
//! instances), checked like any fleet. No account needed.

use std::io::Write;

use std::collections::BTreeSet;

use wa_simulator::{Fleet, Instance as SimInstance, Simulator};
use wa_unified::InstanceConfig;

use crate::args::DemoArgs;
use crate::check::{self, Report};
use crate::targets::Target;
use crate::CliError;

pub async fn run(args: &DemoArgs) -> Result<(), CliError> {
    let fleet = Fleet::sample();
    let simulator = Simulator::start(fleet.clone())
        .await
        .map_err(|e| CliError(format!("cannot start the simulator: {e}")))?;
    let targets = fleet
        .instances
        .iter()
        .map(|instance| target(&simulator, instance))
        .collect::<Result<Vec<_>, _>>()?;
    let providers: BTreeSet<_> = fleet.instances.iter().map(|i| i.provider).collect();
    let banner = format!(
        "wa-status demo: {} instances at {} providers, served by the built-in simulator on http://{}",
        targets.len(),
        providers.len(),
        simulator.addr()
    );
    // The banner goes with the table for people, and out of the way of JSON.
    if args.format == crate::args::Format::Table {
        let mut stdout = crate::output::Stdout::new();
        let _ = writeln!(stdout, "{banner}\n");
    } else {
        crate::output::warn(&banner);
    }
    let monitor = check::monitor_with_timeout(std::time::Duration::from_secs(10))?;
    let report = Report {
        format: args.format,
        plugin_output: false,
        every_instance: false,
        concurrency: 16,
        deadline: std::time::Duration::from_secs(30),
        thresholds: Default::default(),
    };
    // The non-connected instances are the point of the demo: its status is not the fleet's.
    check::run(&monitor, &targets, &report).await?;
    Ok(())
}

/// A sample instance as a target: its connection string on the simulator, and a short name.
fn target(simulator: &Simulator, instance: &SimInstance) -> Result<Target, CliError> {
    let config: InstanceConfig = simulator
        .connection_string(instance)
        .parse()
        .map_err(|e: wa_unified::Error| CliError(e.to_string()))?;
    Ok(Target {
        name: format!("{}-{}", instance.provider, short(&instance.id)),
        named: true,
        config,
    })
}

/// The last 4 characters of an id, enough to tell the sample instances apart.
fn short(id: &str) -> &str {
    let start = id.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &id[start..]
}
