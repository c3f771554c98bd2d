//! The `wa-simulator` binary: what it prints and writes for `wa-status` is what the library
//! makes for the address it listens on (`connection_string_at`, `fleet_file_at`); that
//! `wa-status` reads both is the CLI's test (`check::the_simulators_fleet_file_…`).

use tokio::io::{AsyncBufReadExt, BufReader};
use wa_simulator::{connection_string_at, fleet_file_at, Fleet};

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
    let address = printed[0]
        .strip_prefix("wa-simulator listening on http://")
        .unwrap()
        .to_owned();
    assert_eq!(
        printed.last().unwrap(),
        &format!(
            "fleet file: {0} (wa-status check --config {0})",
            path.display()
        )
    );
    let sample = Fleet::sample();
    // One ready connection string per sample instance, in the fleet's order.
    let strings: Vec<String> = printed
        .iter()
        .filter_map(|l| l.trim().strip_prefix("wa-status check '"))
        .map(|l| l.trim_end_matches('\'').to_owned())
        .collect();
    let expected: Vec<String> = sample
        .instances
        .iter()
        .map(|i| connection_string_at(&address, i))
        .collect();
    assert_eq!(strings, expected);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        fleet_file_at(&address, &sample)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
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
