//! Hostile input, hostile servers, closed pipes and signals: each finding of the hardening
//! review, with its exact input. No secret is ever printed (every run checks), nothing
//! panics (a panic exits with 101), and a long-running command stops cleanly.

use crate::support::*;

const SECRET: &str = "my-secret-XYZ";

/// A run that must fail as bad input: exit 3, one line on standard error, nothing on
/// standard output, no secret, no excerpt longer than a line.
async fn bad_input(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = run(args, env).await;
    assert_eq!(output.code, 3, "{args:?}: {}", output.stderr);
    assert_eq!(output.stdout, "", "{args:?}");
    assert_eq!(
        output.stderr.lines().count(),
        1,
        "{args:?}: {}",
        output.stderr
    );
    assert!(!output.stderr.contains(SECRET), "{}", output.stderr);
    assert!(output.stderr.chars().count() < 1100, "{args:?}");
    output.stderr
}

/// A provider whose connection string holds one token and ends with the instance.
fn single_token_provider() -> Provider {
    Provider::ALL
        .iter()
        .copied()
        .find(|p| {
            p.info()
                .connection_strings
                .iter()
                .any(|f| f.userinfo.len() == 1 && f.tail.is_some())
        })
        .expect("a provider with a one-token form")
}

/// A provider whose instance is a number and comes before the token in the userinfo.
fn numbered_provider() -> Provider {
    Provider::ALL
        .iter()
        .copied()
        .find(|p| {
            let info = p.info();
            info.instance.digits.is_some()
                && info
                    .connection_strings
                    .iter()
                    .any(|f| f.userinfo.first().copied() == info.instance.placeholder)
        })
        .expect("a provider with a numbered instance in the userinfo")
}

#[tokio::test]
async fn input_errors_never_quote_a_credential_whatever_its_shape() {
    let single = single_token_provider();
    let no_scheme = format!("{single}:{SECRET}@host");
    let said = bad_input(&["check", &no_scheme], &[]).await;
    assert_eq!(
        said,
        format!(
            "wa-status: error: invalid_config: connection string `({} characters)`: no scheme: expected PROVIDER://...\n",
            no_scheme.chars().count()
        )
    );
    // The same through the environment.
    let said = bad_input(&["check"], &[("WA_STATUS_TARGET", &no_scheme)]).await;
    assert!(said.contains("characters)`: no scheme"), "{said}");
    // `%40` instead of `@`: the token runs into the host.
    let encoded_at = format!("{single}://{SECRET}%40host.example/x");
    let said = bad_input(&["check", &encoded_at], &[]).await;
    assert!(said.contains(&format!("`{single}://***/…`")), "{said}");
    // A token where a numbered instance goes.
    let numbered = numbered_provider();
    let digits = numbered.info().instance.digits.unwrap();
    let swapped = format!("{numbered}://{SECRET}:1101000001@host.example");
    let said = bad_input(&["check", &swapped], &[]).await;
    assert!(
        said.ends_with(&format!(
            "is not a number of up to {digits} digits (it has {} characters)\n",
            SECRET.len()
        )),
        "{said}"
    );
    // A credential written without quotes in a fleet file.
    let unquoted = scratch_file(
        "unquoted.toml",
        &format!("[[instance]]\nprovider = \"{single}\"\ninstance = \"x\"\ntoken = 987654321\n"),
    );
    let said = bad_input(&["check", "--config", &unquoted], &[]).await;
    assert!(!said.contains("987654321"), "{said}");
    assert!(said.ends_with(":4:9: a credential must be a string in quotes, not a number (its value is not shown)\n"), "{said}");
    // D7: an unquoted token of 20 to 39 digits, which TOML reads as a 128-bit integer, in
    // plugin mode, where the line goes to standard output and so to notifications.
    let digits = "123456789012345678901234";
    let wide = scratch_file(
        "wide.toml",
        &format!("[[instance]]\nprovider = \"{single}\"\ninstance = \"x\"\ntoken = {digits}\n"),
    );
    let output = run(&["check", "--plugin-output", "--config", &wide], &[]).await;
    assert_eq!(output.code, 3);
    assert_eq!(
        output.stdout,
        format!("WHATSAPP UNKNOWN - {wide}:4:9: a credential must be a string in quotes, not a number (its value is not shown)\n")
    );
    assert!(!output.stderr.contains(digits), "{}", output.stderr);
    // D16: a blank name, which Prometheus would drop with its label.
    for blank in ["", "   "] {
        let fleet = scratch_file(
            "blank-name.toml",
            &format!("[[instance]]\nname = \"{blank}\"\nprovider = \"{single}\"\ninstance = \"x\"\ntoken = \"t\"\n"),
        );
        let said = bad_input(&["check", "--config", &fleet], &[]).await;
        assert_eq!(
            said,
            format!("wa-status: error: {fleet}:1:1: `name` is blank: give a name, or leave `name` out to use the instance id\n")
        );
    }
    // A 1 MB id: a bounded line.
    let huge = scratch_file(
        "huge.toml",
        &format!(
            "[[instance]]\nprovider = \"{numbered}\"\nbase_url = \"https://h.example\"\ninstance = \"{}\"\ntoken = \"{SECRET}\"\n",
            "9".repeat(1_000_000)
        ),
    );
    bad_input(&["check", "--config", &huge], &[]).await;
    // Bytes that are not UTF-8 in a credential are refused, not changed into U+FFFD.
    let not_utf8 = format!("{single}://%FF%FE@host.example/x");
    let said = bad_input(&["check", &not_utf8], &[]).await;
    assert!(
        said.contains("a credential is not UTF-8 once percent-decoded"),
        "{said}"
    );
    // A fleet file without end.
    let said = bad_input(&["check", "--config", "/dev/zero"], &[]).await;
    assert_eq!(said, "wa-status: error: /dev/zero: larger than 16 MiB\n");
}

#[tokio::test]
async fn d13_a_named_pipe_with_no_writer_ends_at_the_deadline() {
    let fifo = std::env::temp_dir().join(format!("wa-status-d13-{}", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status().await.unwrap();
    assert!(made.success());
    let fifo = fifo.display().to_string();
    // Without the fix this never ends; the test then fails at its own limit.
    let said = tokio::time::timeout(
        Duration::from_secs(60),
        bad_input(&["check", "-t", "1", "--config", &fifo], &[]),
    )
    .await
    .expect("the check ends");
    assert_eq!(
        said,
        format!(
            "wa-status: error: {fifo}: nothing read within 1s (a named pipe with no writer?)\n"
        )
    );
    let _ = std::fs::remove_file(&fifo);
}

#[tokio::test]
async fn durations_are_checked_before_anything_runs() {
    let target = format!("{}+http://token@127.0.0.1:9/x", single_token_provider());
    let target = target.as_str();
    for args in [
        vec!["watch", "--interval", "0s", target],
        vec!["exporter", "--interval", "0s", target],
        vec!["check", "--timeout", "0s", target],
        vec!["check", "--deadline", "0ms", target],
        vec!["watch", "--duration", "999years", target],
    ] {
        let output = run(&args, &[]).await;
        assert_eq!(output.code, 3, "{args:?}");
        assert_ne!(output.code, 101);
        assert!(
            output.stderr.contains("is too short: at least 1ms")
                || output.stderr.contains("is too long: at most a year"),
            "{args:?}: {}",
            output.stderr
        );
    }
}

#[tokio::test]
async fn control_characters_and_huge_values_stay_in_their_cell() {
    let (provider, up, _) = watchable();
    let served = instance(provider, 0, up);
    let (sim, _) = serve(vec![served.clone()]).await;
    // An instance name with CR LF and a right-to-left override, percent-encoded.
    let forged = sim
        .connection_string(&served)
        .replace(&served.id, "a%0D%0Aforged%E2%80%AEline");
    let output = run(&["check", &forged], &[]).await;
    assert_ne!(output.code, 101);
    assert!(!output.stdout.contains('\r') && !output.stdout.contains('\u{202e}'));
    // Header, one row, a blank line, the summary.
    assert_eq!(output.stdout.lines().count(), 4, "{}", output.stdout);
    assert!(
        output.stdout.contains("a\\r\\nforged\\u{202e}line"),
        "{}",
        output.stdout
    );
    // A name of 70,000 characters, and a raw state of 70,000 from a server.
    let fleet = scratch_file(
        "long-name.toml",
        &format!(
            "{}name = \"{}\"\n",
            sim.fleet_file_entry(&served),
            "n".repeat(70_000)
        ),
    );
    let output = run(&["check", "--config", &fleet], &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stdout.lines().all(|l| l.chars().count() < 1000));
    let server = wa_tests::RecordingServer::start().await;
    let raw = "S".repeat(70_000);
    server.respond_json(200, &format!(r#"{{"status":"{raw}","connected":true,"data":{{"connected":true}},"stateInstance":"{raw}","instance":{{"key":"k","status":"{raw}"}}}}"#));
    for provider in Provider::ALL.iter().copied() {
        let target = wa_simulator::connection_string_at(
            &server.url()[7..],
            &instance(provider, 1, healthy(provider)),
        );
        let output = run(&["check", &target], &[]).await;
        assert_ne!(output.code, 101, "{provider}: {}", output.stderr);
        assert!(
            output.stdout.lines().all(|l| l.chars().count() < 1000),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn a_server_that_echoes_the_token_in_any_encoding_never_gets_it_printed() {
    // A provider that takes a single credential, so that the one echoed is the one sent.
    let provider = Provider::ALL
        .iter()
        .copied()
        .find(|p| p.info().credential_sets().iter().any(|set| set.len() == 1))
        .unwrap();
    let served = instance(provider, 0, healthy(provider));
    let token = served.credentials.values().next().cloned().unwrap();
    let tail = token.split_once('|').map_or(token.as_str(), |(_, t)| t);
    let encoded: String = token
        .bytes()
        .map(|b| match b.is_ascii_alphanumeric() {
            true => (b as char).to_string(),
            false => format!("%{b:02X}"),
        })
        .collect();
    // D8: its wire encoding in a path, some characters encoded and others not.
    let path_encoded = token.replace('|', "%7C");
    // D10: a prefix of 20 characters, the two halves apart, upper case, base64.
    let half = token.len() / 2;
    use base64::Engine;
    let base64 = base64::engine::general_purpose::STANDARD.encode(format!("user:{token}"));
    let server = wa_tests::RecordingServer::start().await;
    for echo in [
        encoded.clone(),
        encoded.to_ascii_lowercase(),
        serde_json::to_string(&token).unwrap().replace('/', "\\/"),
        format!("Bearer {token}"),
        tail.to_owned(),
        path_encoded.clone(),
        token[..20].to_owned(),
        format!("{} and {}", &token[..half], &token[half..]),
        token.to_ascii_uppercase(),
        base64.clone(),
    ] {
        let body = serde_json::json!({ "message": format!("bad token {echo}") }).to_string();
        server.respond_json(401, &body);
        let target = wa_simulator::connection_string_at(&server.url()[7..], &served);
        for format in ["table", "json"] {
            let output = run(&["check", "--format", format, "-v", &target], &[]).await;
            assert_eq!(output.code, 3);
            for text in [&output.stdout, &output.stderr] {
                let lowered = text.to_ascii_lowercase();
                // No 8 characters of the token's start or end, in any case or encoding.
                for piece in [&token[..8], &token[token.len() - 8..]] {
                    assert!(
                        !lowered.contains(&piece.to_ascii_lowercase()),
                        "{echo}: {text}"
                    );
                }
                assert!(!text.contains(&encoded), "{echo}: {text}");
                assert!(!text.contains(&path_encoded), "{echo}: {text}");
                assert!(!text.contains(&base64[8..20]), "{echo}: {text}");
            }
        }
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_no_credential_reaches_another_origin() {
    let elsewhere = wa_tests::RecordingServer::start().await;
    let server = wa_tests::RecordingServer::start().await;
    server.respond_with(
        302,
        &[("location", &format!("{}/stolen", elsewhere.url()))],
        "",
    );
    for provider in Provider::ALL.iter().copied() {
        let served = instance(provider, 0, healthy(provider));
        let target = wa_simulator::connection_string_at(&server.url()[7..], &served);
        let output = run(&["check", "--format", "json", &target], &[]).await;
        let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(array[0]["error"]["http_status"], 302, "{provider}");
        assert_eq!(array[0]["error"]["kind"], "unexpected_status", "{provider}");
    }
    assert_eq!(elsewhere.requests(), []);
    // No Referer either (a provider may carry its token in the path).
    assert!(server
        .requests()
        .iter()
        .all(|r| !r.headers.iter().any(|(name, _)| name == "referer")));
}

#[tokio::test]
async fn a_closed_pipe_ends_the_command_quietly_with_its_status() {
    let instances = all_connected();
    let (_sim, targets) = serve(instances).await;
    for (closed, extra) in [("stdout", vec![]), ("stderr", vec!["-v"])] {
        let mut command = Command::new(BIN);
        command
            .arg("check")
            .args(&extra)
            .args(&targets)
            .env("WA_STATUS_QUOTA_DIR", private_quota_dir())
            .stdin(Stdio::null());
        // The reader of one stream is gone before the command writes to it.
        let (out, err) = match closed {
            "stdout" => (Stdio::piped(), Stdio::null()),
            _ => (Stdio::null(), Stdio::piped()),
        };
        let mut child = command.stdout(out).stderr(err).spawn().unwrap();
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().await.unwrap();
        assert_eq!(status.code(), Some(0), "{closed} closed");
    }
}

/// A `watch` or `exporter` of one instance whose provider takes a minute to answer: the
/// command is always mid-check.
async fn long_running(args: &[&str]) -> (tokio::process::Child, Simulator) {
    let (provider, up, _) = watchable();
    let slow = instance(provider, 0, up);
    let (sim, targets) = serve(vec![slow.clone()]).await;
    sim.set_faults(
        provider,
        &slow.id,
        wa_simulator::Faults::latency(Duration::from_secs(60)),
    )
    .unwrap();
    let mut all: Vec<&str> = args.to_vec();
    all.push(&targets[0]);
    let mut child = Command::new(BIN)
        .args(&all)
        .arg("--timeout")
        .arg("90s")
        .env("WA_STATUS_QUOTA_DIR", private_quota_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // The exporter says when it listens; a watch starts checking at once.
    if args[0] == "exporter" {
        wa_tests::listening_url(&mut child).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    (child, sim)
}

/// Waits for `child` to end, for at most `limit` (well under the minute of the check it
/// is in the middle of).
async fn ends_within(child: &mut tokio::process::Child, limit: Duration) -> Option<i32> {
    match tokio::time::timeout(limit, child.wait()).await {
        Ok(status) => status.unwrap().code(),
        Err(_) => panic!("still running after {limit:?}"),
    }
}

#[tokio::test]
async fn sigterm_and_sigint_end_watch_and_the_exporter_mid_check_with_exit_0() {
    for command in [
        vec!["watch", "--interval", "1s"],
        vec!["exporter", "--listen", "127.0.0.1:0"],
    ] {
        for signal in ["-TERM", "-INT"] {
            let (mut child, _sim) = long_running(&command).await;
            send_signal(&child, signal).await;
            let code = ends_within(&mut child, Duration::from_secs(30)).await;
            assert_eq!(code, Some(0), "{command:?} {signal}");
        }
    }
}

#[tokio::test]
async fn watch_ends_at_its_duration_even_mid_check() {
    let (mut child, _sim) = long_running(&["watch", "--interval", "1s", "--duration", "2s"]).await;
    let code = ends_within(&mut child, Duration::from_secs(30)).await;
    assert_eq!(code, Some(0));
}

/// D5 and D1: a quota folder that cannot be used (here a file squats its name) no longer
/// fails the run; the quotas are kept in the process, and that is said once, however many
/// instances count against a quota.
#[tokio::test]
async fn an_unusable_quota_folder_is_said_once_and_the_checks_go_on() {
    let provider = Provider::ALL
        .iter()
        .copied()
        .find(|p| p.info().quota.is_some())
        .unwrap();
    let instances: Vec<Instance> = (0..3)
        .map(|n| instance(provider, 700 + n, healthy(provider)))
        .collect();
    let (_sim, targets) = serve(instances).await;
    let squatted = std::env::temp_dir().join(format!("wa-status-squatted-{}", std::process::id()));
    std::fs::write(&squatted, "not a folder").unwrap();
    let mut args = vec!["check", "--format", "jsonl"];
    args.extend(targets.iter().map(String::as_str));
    let output = run(
        &args,
        &[("WA_STATUS_QUOTA_DIR", &squatted.display().to_string())],
    )
    .await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(output.stdout.lines().count(), 3, "{}", output.stdout);
    let warning = format!(
        "quotas are kept in this process only, not shared with the host's other processes: the quota folder {}: it is not a folder (a symbolic link is never followed)",
        squatted.display()
    );
    assert_eq!(
        output.stderr.matches(&warning).count(),
        1,
        "{}",
        output.stderr
    );
    assert_eq!(std::fs::read_to_string(&squatted).unwrap(), "not a folder");
    std::fs::remove_file(&squatted).unwrap();
}

/// `--max-age` without a store would silently ask the vendor anyway: it is bad input, and
/// a store URL's password is never printed, not even in the error for a wrong one.
#[tokio::test]
async fn max_age_needs_a_store_and_a_store_password_is_never_printed() {
    let provider = Provider::ALL[0];
    let (_sim, targets) = serve(vec![instance(provider, 900, healthy(provider))]).await;
    let target = &targets[0];
    let said = bad_input(&["check", "--max-age", "2m", target], &[]).await;
    assert_eq!(
        said,
        "wa-status: error: --max-age answers from readings in a shared store: give --store, WA_STATUS_STORE or the fleet file's `store`\n"
    );
    let said = bad_input(
        &["check", "--store", "http://:hunter2@127.0.0.1:6379", target],
        &[],
    )
    .await;
    assert_eq!(
        said,
        "wa-status: error: invalid_config: the store `http://:***@127.0.0.1:6379` is not a redis:// or rediss:// URL\n"
    );
}

#[tokio::test]
async fn d14_watch_stops_when_the_reader_of_its_output_has_gone() {
    // `wa-status watch ... | head -1`: one line, then the reader exits. The instance never
    // changes again, so watch has nothing more to write that would fail.
    let (provider, up, _) = watchable();
    let steady = instance(provider, 0, up);
    let (sim, targets) = serve(vec![steady.clone()]).await;
    let mut child = Command::new(BIN)
        .args([
            "watch",
            "--interval",
            "200ms",
            "--confirm",
            "1",
            &targets[0],
        ])
        .env("WA_STATUS_QUOTA_DIR", private_quota_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut first)
        .await
        .unwrap();
    let line: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(line["state"], "connected");
    drop(stdout);
    // Without the fix, watch polls until killed; the test then fails at its own limit.
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("watch ends when its reader has gone")
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8(output.stderr).unwrap(), "");
    drop(sim);
}

/// Sends `signal` (`-HUP`, `-TERM`) to `child`.
async fn send_signal(child: &tokio::process::Child, signal: &str) {
    let pid = child.id().unwrap().to_string();
    let kill = Command::new("kill")
        .args([signal, &pid])
        .status()
        .await
        .unwrap();
    assert!(kill.success());
}

#[tokio::test]
async fn d17_sighup_reads_the_fleet_again_in_watch_and_the_exporter() {
    let (provider, up, _) = watchable();
    let first = instance(provider, 810, up);
    let second = instance(provider, 811, up);
    let (sim, _) = serve(vec![first.clone(), second.clone()]).await;
    let entry =
        |i: &Instance, name: &str| format!("{}name = \"{name}\"\n", sim.fleet_file_entry(i));
    let one = entry(&first, "first");
    let two = format!("{one}{}", entry(&second, "second"));
    // watch: one line for the first instance; after SIGHUP with a second one, its line.
    let fleet = scratch_file("reload-watch.toml", &one);
    let mut child = Command::new(BIN)
        .args([
            "watch",
            "--interval",
            "300ms",
            "--confirm",
            "1",
            "--config",
            &fleet,
        ])
        .env("WA_STATUS_QUOTA_DIR", private_quota_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines =
        tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(child.stdout.take().unwrap()));
    let next_name = |line: Option<String>| -> String {
        let line: Value = serde_json::from_str(&line.unwrap()).unwrap();
        line["name"].as_str().unwrap().to_owned()
    };
    assert_eq!(next_name(lines.next_line().await.unwrap()), "first");
    // A fleet file that cannot be read: said, and the watch goes on as it was.
    let mut warnings =
        tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(child.stderr.take().unwrap()));
    std::fs::write(&fleet, "[[instance]]\nprovider = \"nope\"\n").unwrap();
    send_signal(&child, "-HUP").await;
    let warning = tokio::time::timeout(Duration::from_secs(20), warnings.next_line())
        .await
        .expect("a warning")
        .unwrap()
        .unwrap();
    assert!(
        warning.starts_with(&format!(
            "wa-status: SIGHUP: the fleet stays as it was: {fleet}:2:12: "
        )),
        "{warning}"
    );
    std::fs::write(&fleet, &two).unwrap();
    send_signal(&child, "-HUP").await;
    // The first instance keeps its reported state (no second line for it): the next line
    // is the new instance's.
    let next = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("a line for the new instance");
    assert_eq!(next_name(next.unwrap()), "second");
    send_signal(&child, "-TERM").await;
    let output = child.wait_with_output().await.unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(warnings.next_line().await.unwrap(), None);

    // The exporter: after SIGHUP, both instances' series, read afresh.
    let series = |name: &str| {
        format!(r#"whatsapp_instance_connected{{name="{name}",provider="{provider}"}}"#)
    };
    let fleet = scratch_file("reload-exporter.toml", &one);
    let (child, url) = exporter("300ms", &["--config", &fleet]).await;
    let before = parse_metrics(&scrape_until(&url, &[&series("first")]).await);
    assert_eq!(before.get(&series("second")), None);
    std::fs::write(&fleet, &two).unwrap();
    send_signal(&child, "-HUP").await;
    let after = parse_metrics(&scrape_until(&url, &[&series("first"), &series("second")]).await);
    assert_eq!(after[&series("first")], 1.0);
    assert_eq!(after[&series("second")], 1.0);
    send_signal(&child, "-TERM").await;
    let output = child.wait_with_output().await.unwrap();
    assert_eq!(output.status.code(), Some(0));
}

/// Raises this process' soft limit of descriptors to its hard one; the limit now.
fn raise_descriptor_limit() -> usize {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = limit.maximum;
    setrlimit(Resource::Nofile, limit).unwrap();
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    usize::try_from(now).unwrap_or(usize::MAX)
}

/// The exporter's RSS, in bytes, from /proc.
fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn d3_slowloris_at_the_common_descriptor_limit_leaves_the_metrics_and_the_checks_working() {
    // This test opens 1,100 connections of its own (fewer where the hard limit is lower).
    let attacks = 1_100.min(raise_descriptor_limit() - 200);
    let instances: Vec<Instance> = all_connected().into_iter().take(3).collect();
    let (_sim, targets) = serve(instances.clone()).await;
    // The exporter under the common limit of 1,024 descriptors.
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\"", BIN])
        .args(["exporter", "--listen", "127.0.0.1:0", "--interval", "1s"])
        .args(["--quota-dir", &private_quota_dir()])
        .args(&targets)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (_, url) = wa_tests::listening_url(&mut child).await;
    let success = |i: &Instance| format!("whatsapp_instance_check_success{{{}}}", labels(i));
    let wanted: Vec<String> = instances.iter().map(success).collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    scrape_until(&url, &wanted).await;
    let checks_before = parse_metrics(&scrape_until(&url, &wanted).await)["wa_status_checks_total"];
    // 1,100 connections that start a request and never finish its headers.
    let address = url.trim_start_matches("http://").to_owned();
    let mut attackers = Vec::new();
    for _ in 0..attacks {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut stream, b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        attackers.push(stream);
    }
    // A scrape still answers, at once.
    let http = wa_tests::http_client();
    let scrape = tokio::time::timeout(
        Duration::from_secs(5),
        http.get(format!("{url}/metrics")).send(),
    )
    .await
    .expect("a scrape answers within 5 s")
    .unwrap();
    assert_eq!(scrape.status(), 200);
    // And the checks go on and succeed: they still have descriptors.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let text = tokio::time::timeout(
        Duration::from_secs(5),
        http.get(format!("{url}/metrics")).send(),
    )
    .await
    .expect("a scrape answers within 5 s")
    .unwrap()
    .text()
    .await
    .unwrap();
    let samples = parse_metrics(&text);
    assert!(
        samples["wa_status_checks_total"] >= checks_before + 3.0,
        "{text}"
    );
    for instance in &instances {
        assert_eq!(samples[&success(instance)], 1.0, "{}", instance.id);
        let unavailable = format!(
            "whatsapp_check_errors_total{{kind=\"unavailable\",provider=\"{}\"}}",
            instance.provider
        );
        assert_eq!(samples[&unavailable], 0.0, "{}", instance.id);
    }
    // An attacker still open is closed once its 10 s for the headers are up.
    let survivor = attackers.last_mut().unwrap();
    let mut byte = [0u8; 1];
    let closed = tokio::time::timeout(
        Duration::from_secs(15),
        tokio::io::AsyncReadExt::read(survivor, &mut byte),
    )
    .await
    .expect("the server closes a connection that never finishes its headers");
    assert!(matches!(closed, Ok(0) | Err(_)), "{closed:?}");
    let rss = resident_bytes(child.id().unwrap());
    assert!(rss < 64 * 1024 * 1024, "{rss}");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_four_confusing_errors_say_what_to_do() {
    let output = run(
        &["check", "--format", "json", "https://tok@127.0.0.1:9/x"],
        &[],
    )
    .await;
    assert_eq!(output.code, 3);
    assert_eq!(
        output.stderr,
        "wa-status: error: invalid_config: connection string `https://***@127.0.0.1:9/…`: a connection string starts with the provider, not `https`: PROVIDER://CREDENTIALS@HOST[/BASE]/..., with `+http` after the provider for plain HTTP (`--help` lists each provider's form)\n"
    );
    let message = |output: &Output| -> Value {
        let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
        array[0]["error"].clone()
    };
    let untrusted = wa_tests::UntrustedTlsServer::start().await;
    for provider in Provider::ALL.iter().copied() {
        let served = instance(provider, 900, healthy(provider));
        let (sim, _) = serve(vec![served.clone()]).await;
        // https (the default) against a plain-HTTP server.
        let https = sim
            .connection_string(&served)
            .replacen("+http://", "://", 1);
        let error = message(&run(&["check", "--format", "json", &https], &[]).await);
        let text = error["message"].as_str().unwrap();
        assert!(
            text.ends_with(&format!(
                "received corrupt message of type InvalidContentType (the server speaks plain HTTP? then write `{provider}+http://`)"
            )),
            "{text}"
        );
        // A certificate nobody trusts: said, and not retried.
        let before = untrusted.connections();
        let target = wa_simulator::connection_string_at(&untrusted.address(), &served)
            .replacen("+http://", "://", 1);
        let error = message(&run(&["check", "--format", "json", &target], &[]).await);
        let text = error["message"].as_str().unwrap();
        assert!(
            text.contains("invalid peer certificate")
                && text.ends_with("(its certificate is not trusted here; retrying will not help)"),
            "{text}"
        );
        assert_eq!(error["temporary"], false);
        assert_eq!(untrusted.connections() - before, 1, "{provider} retried");
    }
    // A base path left out: the server's own 404, an HTML page, not the provider's JSON.
    let server = wa_tests::RecordingServer::start().await;
    server.respond(
        404,
        "text/html",
        "<html><head><title>404 Not Found</title></head></html>",
    );
    let mut hinted = 0;
    for provider in Provider::ALL.iter().copied() {
        let target = wa_simulator::connection_string_at(
            &server.url()[7..],
            &instance(provider, 901, healthy(provider)),
        );
        let error = message(&run(&["check", "--format", "json", &target], &[]).await);
        if error["kind"] != "not_found" {
            continue; // a provider whose 404 means something else
        }
        assert_eq!(
            error["message"],
            format!("{provider}: not_found: no such path at this server, which answered without the provider's JSON: a base path missing from the connection string (HOST/BASE/...)? (HTTP 404): 404 Not Found")
        );
        hinted += 1;
    }
    // Every provider whose manifest leaves a 404 its usual meaning.
    let not_found = Provider::ALL
        .iter()
        .filter(|p| {
            p.info()
                .errors
                .statuses
                .iter()
                .find(|(status, _)| *status == 404)
                .is_none_or(|(_, kind)| *kind == wa_unified::ErrorKind::NotFound)
        })
        .count();
    assert_eq!(hinted, not_found);
}

#[tokio::test]
async fn d9_no_proxy_covers_ip_addresses_and_a_malformed_proxy_is_refused() {
    let served = instance(Provider::ALL[0], 950, healthy(Provider::ALL[0]));
    let (_sim, targets) = serve(vec![served.clone()]).await;
    let proxy = wa_tests::RecordingServer::start().await;
    proxy.respond_json(502, "{}");
    // The simulator is at 127.0.0.1, an IP address: NO_PROXY=* reaches it directly.
    let direct = run(
        &["check", "--format", "json", &targets[0]],
        &[("HTTP_PROXY", &proxy.url()), ("NO_PROXY", "*")],
    )
    .await;
    assert_eq!(direct.code, 0, "{}", direct.stdout);
    assert_eq!(proxy.requests().len(), 0);
    // Without NO_PROXY, the same check goes through the proxy (so the above could fail).
    let proxied = run(
        &["check", "--format", "json", &targets[0]],
        &[("HTTP_PROXY", &proxy.url())],
    )
    .await;
    assert_eq!(proxied.code, 3, "{}", proxied.stdout);
    // The proxy's 502 is temporary: the first attempt and two retries.
    assert_eq!(proxy.requests().len(), 3);
    // A proxy variable that cannot be used stops the run, naming it, never its value.
    let output = run(
        &["check", &targets[0]],
        &[(
            "HTTPS_PROXY",
            "socks5://user:my-secret-XYZ@proxy.example:1080",
        )],
    )
    .await;
    assert_eq!(output.code, 3);
    assert_eq!(
        output.stderr,
        "wa-status: error: invalid_config: the proxy variable HTTPS_PROXY is not usable: the scheme `socks5` is not supported: http:// or https://\n"
    );
}

#[tokio::test]
async fn d3_pipelined_requests_on_thousands_of_connections_keep_memory_bounded() {
    let connections = 5_000.min(raise_descriptor_limit() - 200);
    let instances: Vec<Instance> = all_connected().into_iter().take(3).collect();
    let (_sim, targets) = serve(instances.clone()).await;
    let (mut child, url) = exporter(
        "1s",
        &targets.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .await;
    let success = |i: &Instance| format!("whatsapp_instance_check_success{{{}}}", labels(i));
    let wanted: Vec<String> = instances.iter().map(success).collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    scrape_until(&url, &wanted).await;
    let before = resident_bytes(child.id().unwrap());
    // Each connection sends 20 requests at once and never reads an answer.
    let address = url.trim_start_matches("http://").to_owned();
    let pipelined = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(20);
    let mut open = Vec::new();
    for _ in 0..connections {
        let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
            continue; // refused past the cap: what the limit is for
        };
        let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, pipelined.as_bytes()).await;
        open.push(stream);
    }
    // Past the 5 s a connection with requests keeps its slot against a newcomer.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let during = resident_bytes(child.id().unwrap());
    // 205 MB before the limits; now the connections past the cap are closed at once.
    assert!(during < before + 48 * 1024 * 1024, "{before} -> {during}");
    // And a scrape on a connection of its own is answered, the flood still open: it takes
    // the slot of a connection that has held one for 5 s.
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        wa_tests::http_client().get(format!("{url}/metrics")).send(),
    )
    .await
    .expect("a scrape answers")
    .unwrap();
    assert_eq!(answer.status(), 200);
    drop(open);
    child.kill().await.unwrap();
}
