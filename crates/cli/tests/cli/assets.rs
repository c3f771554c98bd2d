//! What an operator installs beside the binary: the completions, run in a real bash, and
//! the commands that print them when their output fails.

use crate::support::*;

/// What bash offers for `words`, the last one being completed, with the script `wa-status
/// completions bash` printed.
async fn bash_completes(script: &str, words: &[&str]) -> Vec<String> {
    let path = scratch_file("wa-status.bash", script);
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let current = words.len() - 1;
    let program = format!(
        "source '{path}'\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={current}\n\
         _wa__status wa-status '{}' '{}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        quoted.join(" "),
        words[current],
        words[current - 1],
    );
    let output = Command::new("bash")
        .args(["--norc", "-c", &program])
        .output()
        .await
        .expect("bash runs");
    assert!(output.status.success(), "{output:?}");
    let mut offered: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    offered.sort();
    offered
}

#[tokio::test]
async fn bash_completes_the_options_of_every_subcommand() {
    let script = run(&["completions", "bash"], &[]).await;
    assert_eq!(script.code, 0, "{}", script.stderr);
    let script = script.stdout;
    assert_eq!(
        bash_completes(&script, &["wa-status", "ch"]).await,
        ["check"]
    );
    assert_eq!(
        bash_completes(&script, &["wa-status", "check", "--con"]).await,
        ["--concurrency", "--config"]
    );
    assert_eq!(
        bash_completes(&script, &["wa-status", "check", "--plugin"]).await,
        ["--plugin-output"]
    );
    assert_eq!(
        bash_completes(&script, &["wa-status", "watch", "--conf"]).await,
        ["--config", "--confirm"]
    );
    assert_eq!(
        bash_completes(&script, &["wa-status", "exporter", "--inter"]).await,
        ["--interval"]
    );
    assert_eq!(
        bash_completes(&script, &["wa-status", "check", "--format", ""]).await,
        ["json", "jsonl", "table"]
    );
    assert_eq!(
        bash_completes(&script, &["wa-status", "completions", "fi"]).await,
        ["fish"]
    );
}

#[tokio::test]
async fn d12_completions_and_the_man_page_on_a_full_disk_or_a_closed_pipe_never_panic() {
    for args in [
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["man"],
    ] {
        // A full disk: one line that says so, exit 3.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        // (tokio's `output()` would pipe standard output over the file.)
        let output = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
            .wait_with_output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{args:?}");
        assert_eq!(
            String::from_utf8(output.stderr).unwrap(),
            "wa-status: error: cannot write to standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
        // A reader gone before the first byte (`| head -0`): nothing to say, exit 0.
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().await.unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8(output.stderr).unwrap(), "", "{args:?}");
    }
}
