//! The `wa-simulator` binary: what it prints and writes is ready for `wa-status`, read here
//! by `wa-unified` as `wa-status` reads it, and checked against the simulator it names.

use std::collections::BTreeSet;

use tokio::io::{AsyncBufReadExt, BufReader};
use wa_simulator::Fleet;
use wa_unified::{InstanceConfig, InstanceSettings, Monitor, MonitorOptions};

#[derive(serde::Deserialize)]
struct FleetFile {
    instance: Vec<InstanceSettings>,
}

#[tokio::test]
async fn the_sample_fleet_comes_with_connection_strings_and_a_fleet_file() {
    let dir = std::env::temp_dir().join(format!("wa-simulator-binary-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fleet.toml");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_wa-simulator"))
        .args(["--listen", "127.0.0.1:0", "--quiet", "--write-fleet"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        let done = line.starts_with("fleet file: ");
        printed.push(line);
        if done {
            break;
        }
    }
    assert_eq!(
        printed.last().unwrap(),
        &format!(
            "fleet file: {0} (wa-status check --config {0})",
            path.display()
        )
    );
    let sample = Fleet::sample();
    // One ready connection string per sample instance, in the fleet's order.
    let strings: Vec<&str> = printed
        .iter()
        .filter_map(|l| l.trim().strip_prefix("wa-status check '"))
        .map(|l| l.trim_end_matches('\''))
        .collect();
    assert_eq!(strings.len(), sample.instances.len());
    let from_file: FleetFile = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(from_file.instance.len(), sample.instances.len());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let no_env = |_: &str| None;
    let monitor = Monitor::new(MonitorOptions::default()).unwrap();
    let mut names = BTreeSet::new();
    for ((text, settings), expected) in strings
        .iter()
        .zip(from_file.instance)
        .zip(&sample.instances)
    {
        let name = settings.name.clone().unwrap();
        names.insert(name.clone());
        assert_eq!(name, format!("{}-{}", expected.provider, expected.id));
        let reading = expected.expected_reading().unwrap();
        for config in [
            text.parse::<InstanceConfig>().unwrap(),
            InstanceConfig::from_settings(settings, &no_env).unwrap(),
        ] {
            let status = monitor.instance(config).unwrap().check().await.unwrap();
            assert_eq!(status.state, reading.state, "{name}");
        }
    }
    assert_eq!(names.len(), sample.instances.len());
    // An existing file is never overwritten.
    let again = tokio::process::Command::new(env!("CARGO_BIN_EXE_wa-simulator"))
        .args(["--listen", "127.0.0.1:0", "--quiet", "--write-fleet"])
        .arg(&path)
        .output()
        .await
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let said = String::from_utf8(again.stderr).unwrap();
    assert!(
        said.starts_with(&format!("error: {}: ", path.display())),
        "{said}"
    );
    child.kill().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
