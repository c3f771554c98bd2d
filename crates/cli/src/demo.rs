//! `wa-status demo`: the simulator in process, with its sample fleet, checked like any
//! fleet. No account needed.

use wa_simulator::{Fleet, Instance as SimInstance, Provider as SimProvider, Simulator};
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
    let banner = format!(
        "wa-status demo: {} instances at 4 providers, served by the built-in simulator on http://{}",
        targets.len(),
        simulator.addr()
    );
    // The banner goes with the table for people, and out of the way of JSON.
    if args.format == crate::args::Format::Table {
        println!("{banner}\n");
    } else {
        eprintln!("{banner}");
    }
    let monitor = check::monitor_with_timeout(std::time::Duration::from_secs(10))?;
    let report = Report {
        format: args.format,
        plugin_output: false,
        verbose: false,
        concurrency: 16,
    };
    // The non-connected instances are the point of the demo: its status is not the fleet's.
    check::run(&monitor, &targets, &report).await?;
    Ok(())
}

/// The connection string of a sample instance.
fn target(simulator: &Simulator, instance: &SimInstance) -> Result<Target, CliError> {
    let host = simulator.addr();
    let base = |provider: SimProvider| format!("{host}{}", provider.base_path());
    let secret = |value: &Option<String>| value.as_deref().unwrap_or_default().replace('|', "%7C");
    let text = match instance.provider {
        SimProvider::MegaApi => format!(
            "megaapi+http://{}@{}/{}",
            secret(&instance.token),
            base(instance.provider),
            instance.id
        ),
        SimProvider::Vzaps => format!(
            "vzaps+http://{}:{}@{}/{}",
            secret(&instance.instance_token),
            secret(&instance.client_token),
            base(instance.provider),
            instance.id
        ),
        SimProvider::Hypersender => format!(
            "hypersender+http://{}@{}/{}",
            secret(&instance.token),
            base(instance.provider),
            instance.id
        ),
        SimProvider::GreenApi => format!(
            "green-api+http://{}:{}@{}",
            instance.id,
            secret(&instance.api_token),
            base(instance.provider)
        ),
    };
    let config: InstanceConfig = text
        .parse()
        .map_err(|e: wa_unified::Error| CliError(e.to_string()))?;
    Ok(Target {
        name: format!("{}-{}", instance.provider, short(&instance.id)),
        config,
    })
}

/// The last 4 characters of an id, enough to tell the sample instances apart.
fn short(id: &str) -> &str {
    let start = id.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    &id[start..]
}
