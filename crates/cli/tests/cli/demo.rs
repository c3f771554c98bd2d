//! `demo`, and the README block that shows it.

use crate::support::*;

#[tokio::test]
async fn the_demo_runs_on_a_fresh_machine_and_covers_every_provider() {
    let output = run(&["demo"], &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let sample = Fleet::sample().instances;
    assert!(
        output.stdout.starts_with(&format!(
            "wa-status demo: {} instances at {} providers",
            sample.len(),
            Provider::ALL.len()
        )),
        "{}",
        output.stdout
    );
    let providers: std::collections::BTreeSet<&str> = output
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    for provider in Provider::ALL {
        assert!(
            providers.contains(provider.name()),
            "{provider} missing from {}",
            output.stdout
        );
    }
    assert!(
        output.stdout.contains(&summary(&sample)),
        "{}",
        output.stdout
    );
}

/// The README shows the demo as it really runs (its port aside). Run with
/// `WA_UPDATE_DOCS=1` to rewrite the README's block after a change of the sample fleet.
#[tokio::test]
async fn the_readme_shows_the_demo_as_it_runs() {
    let output = run(&["demo"], &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let port = output
        .stdout
        .lines()
        .next()
        .and_then(|l| l.rsplit_once("http://127.0.0.1:"))
        .map(|(_, port)| port.to_owned())
        .unwrap();
    let shown = output
        .stdout
        .replacen(&format!("127.0.0.1:{port}"), "127.0.0.1:PORT", 1);
    let block = format!("```text\n{shown}```\n");
    // The project's README, which is also the package's (`readme` in the manifest).
    let path = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"),
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).is_file())
    .unwrap();
    let readme = std::fs::read_to_string(path).unwrap();
    let begin = readme.find("<!-- BEGIN GENERATED: demo ").unwrap();
    let start = begin + readme[begin..].find("-->\n").unwrap() + 4;
    let end = readme.find("<!-- END GENERATED: demo -->").unwrap();
    if readme[start..end] == block {
        return;
    }
    if std::env::var_os("WA_UPDATE_DOCS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(
            path,
            format!("{}{block}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
        return;
    }
    panic!(
        "README.md's demo block is stale; run `WA_UPDATE_DOCS=1 cargo test -p wa-status --test cli` and commit README.md. It should be:\n{block}"
    );
}
