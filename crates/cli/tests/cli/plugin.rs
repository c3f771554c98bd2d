//! `check --plugin-output`: what Nagios and Icinga read, thresholds and the deadline.

use crate::support::*;

/// How one instance of a plugin run reads: its state, action and details, or its error.
fn reason(instance: &Instance, error: Option<&str>) -> String {
    if let Some(error) = error {
        return error.to_owned();
    }
    let e = instance.expected_reading().unwrap();
    let mut text = e.state.to_string();
    if let Some(action) = e.action.filter(|a| a.name() != "none") {
        text.push_str(&format!(" ({})", action.name()));
    }
    if !e.details.is_empty() {
        let pairs: Vec<String> = e.details.iter().map(|(k, v)| format!("{k}={v}")).collect();
        text.push_str(&format!(", {}", pairs.join(" ")));
    }
    text
}

/// What `check --plugin-output` must print for `instances` (in target order), where
/// `failed` gives the error message of the instances whose check fails: the first line
/// with the worst instance's reason and every state's perfdata, then one line per instance
/// not connected, worst first.
pub fn plugin_output(instances: &[Instance], failed: &BTreeMap<String, String>) -> (u8, String) {
    let total = instances.len();
    let error = |i: &Instance| failed.get(&i.id).map(String::as_str);
    let connected = |i: &Instance| {
        error(i).is_none() && i.expected_reading().unwrap().state == ConnectionState::Connected
    };
    let down = instances.iter().filter(|i| !connected(i)).count();
    let worst = instances
        .iter()
        .map(|i| match error(i) {
            Some(_) => 3,
            None => severity(i.expected_reading().unwrap().state),
        })
        .max_by_key(|s| [0, 1, 3, 2][usize::from(*s)])
        .unwrap();
    let word = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][usize::from(worst)];
    // Critical, then unknown (a failed check), then warning; within one, in fleet order.
    let rank = |i: &Instance| match error(i) {
        Some(_) => 2,
        None => [0, 1, 3, 2][usize::from(severity(i.expected_reading().unwrap().state))],
    };
    let mut by_severity: Vec<&Instance> = instances.iter().filter(|i| !connected(i)).collect();
    by_severity.sort_by_key(|i| std::cmp::Reverse(rank(i)));
    let text = match instances {
        [only] => format!("{}: {}", only.id, reason(only, error(only))),
        _ if down == 0 => format!("{total} of {total} connected"),
        _ => {
            let first = by_severity.first().unwrap();
            format!(
                "{down} of {total} not connected: {}: {}",
                first.id,
                reason(first, error(first))
            )
        }
    };
    let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
    for instance in instances {
        let name = match error(instance) {
            Some(_) => "error",
            None => instance.expected_reading().unwrap().state.name(),
        };
        *by_state.entry(name).or_default() += 1;
    }
    let mut perfdata: Vec<String> = ConnectionState::ALL
        .iter()
        .map(|s| s.name())
        .chain(["error"])
        .map(|name| {
            let count = by_state.get(name).copied().unwrap_or(0);
            format!("{name}={count};;;0;{total}")
        })
        .collect();
    perfdata.push(format!("not_connected={down};;;0;{total}"));
    let mut out = format!(
        "WHATSAPP {word} - {} | {}\n",
        text.replace('|', "/"),
        perfdata.join(" ")
    );
    if total > 1 {
        for instance in by_severity {
            let line = format!(
                "{} [{}]: {}\n",
                instance.id,
                instance.provider,
                reason(instance, error(instance))
            );
            out.push_str(&line.replace('|', "/"));
        }
    }
    (worst, out)
}

#[tokio::test]
async fn every_exit_status() {
    // Per severity, a fleet of every provider's healthy instance plus one recording of that
    // severity (the first found).
    for wanted in [0u8, 1, 2, 3] {
        let mut instances = all_connected();
        if wanted > 0 {
            let extra = Provider::ALL
                .iter()
                .find_map(|p| reading_where(*p, |e| severity(e.state) == wanted).map(|r| (*p, r)));
            let (provider, response) =
                extra.unwrap_or_else(|| panic!("no recording of severity {wanted}"));
            instances.push(instance(provider, 20, response));
        }
        let (_sim, targets) = serve(instances.clone()).await;
        let output = check(&targets, &["--plugin-output"]).await;
        let (code, expected) = plugin_output(&instances, &BTreeMap::new());
        assert_eq!(code, wanted);
        assert_eq!(output.code, i32::from(code), "{expected}");
        assert_eq!(output.stdout, expected);
        // One instance alone: its name and its reason, no long output.
        let last = instances.last().unwrap();
        let alone = check(&targets[targets.len() - 1..], &["--plugin-output"]).await;
        let (_, expected) = plugin_output(std::slice::from_ref(last), &BTreeMap::new());
        assert_eq!(alone.stdout, expected);
    }
    // A failed check is unknown, and its line names the kind and the vendor's words.
    let instances = all_connected();
    let (sim, targets) = serve(instances.clone()).await;
    let broken = &instances[0];
    sim.set_faults(
        broken.provider,
        &broken.id,
        wa_simulator::Faults::fault(wa_simulator::Fault::WrongShape),
    )
    .unwrap();
    let output = check(&targets, &["--plugin-output"]).await;
    assert_eq!(output.code, 3);
    let json = check(&targets, &["--format", "json"]).await;
    let array: Vec<Value> = serde_json::from_str(&json.stdout).unwrap();
    let message = array[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("{}: decode: ", broken.provider)),
        "{message}"
    );
    let failed = BTreeMap::from([(broken.id.clone(), message.to_owned())]);
    let (_, expected) = plugin_output(&instances, &failed);
    assert_eq!(output.stdout, expected);
}

#[tokio::test]
async fn thresholds_and_one_deadline_for_the_whole_run() {
    // Two of six instances not connected.
    let mut instances = all_connected();
    let (provider, response) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 2).map(|r| (*p, r)))
        .unwrap();
    instances.truncate(4);
    instances.push(instance(provider, 40, response));
    instances.push(instance(provider, 41, response));
    let (sim, targets) = serve(instances.clone()).await;
    for (w, c, code, word) in [
        ("2", "3", 0, "OK"),
        ("1", "3", 1, "WARNING"),
        ("10%", "30%", 2, "CRITICAL"),
        ("3:", "~:5", 1, "WARNING"),
        ("~:5", "@2:3", 2, "CRITICAL"),
        ("@0:1", "@50%:100%", 0, "OK"),
    ] {
        // `-t 30`: seconds, as every Nagios and Icinga template passes them.
        let output = check(&targets, &["--plugin-output", "-t", "30", "-w", w, "-c", c]).await;
        assert_eq!(output.code, code, "{w} {c}: {}", output.stdout);
        let first = output.stdout.lines().next().unwrap();
        assert!(first.starts_with(&format!("WHATSAPP {word} - 2 of 6 not connected: ")));
        // The ranges in perfdata, in instances of the six.
        let limit = |t: &str| match t {
            "@50%:100%" => "@3:6".to_owned(),
            t => match t.strip_suffix('%') {
                Some(p) => format!("{}", p.parse::<f64>().unwrap() * 6.0 / 100.0),
                None => t.to_owned(),
            },
        };
        assert!(
            first.ends_with(&format!(" not_connected=2;{};{};0;6", limit(w), limit(c))),
            "{first}"
        );
    }
    // A provider that hangs: the whole run ends at its deadline, the others are read.
    let slow = &instances[0];
    sim.set_faults(
        slow.provider,
        &slow.id,
        wa_simulator::Faults::latency(Duration::from_secs(30)),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let output = check(&targets, &["--format", "json", "--deadline", "2s"]).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        array[0]["error"]["message"],
        format!(
            "{}: unavailable: no answer within the run's deadline",
            slow.provider
        )
    );
    for (object, instance) in array.iter().zip(&instances).skip(1) {
        assert_eq!(
            object["state"],
            instance.expected_reading().unwrap().state.name()
        );
    }
}

#[tokio::test]
async fn bad_input_in_plugin_mode_gets_one_unknown_line_on_stdout() {
    for (args, line) in [
        (
            vec!["check", "--plugin-output", "no-such-gateway://my-secret@host/x"],
            format!("WHATSAPP UNKNOWN - invalid_config: connection string `no-such-gateway://***@***/…`: unknown provider `no-such-gateway`: expected {}\n", Provider::names_sentence()),
        ),
        (
            vec!["check", "--plugin-output", "-w", "lots"],
            "WHATSAPP UNKNOWN - invalid value 'lots' for '--warning <RANGE>': `lots` is not a threshold range such as 2, 10%, 5:, ~:5, 10:20 or @0:2 (instances not connected)\n".to_owned(),
        ),
        (
            vec!["check", "--plugin-output"],
            "WHATSAPP UNKNOWN - no target: give connection strings, --config FILE, or set WA_STATUS_TARGET\n".to_owned(),
        ),
    ] {
        let output = run(&args, &[]).await;
        assert_eq!(output.code, 3, "{args:?}");
        assert_eq!(output.stdout, line, "{args:?}");
    }
    // A variable set but empty is said as such, not as unset.
    let output = run(&["check", "--plugin-output"], &[("WA_STATUS_TARGET", " ")]).await;
    assert_eq!(output.code, 3);
    assert_eq!(
        output.stdout,
        "WHATSAPP UNKNOWN - no target: WA_STATUS_TARGET is set but empty; give connection strings or --config FILE\n"
    );
    for (args, line) in [(vec!["check", "--plugin-output", "-t", "0"], "WHATSAPP UNKNOWN - invalid value '0' for '--deadline <SECONDS>': `0` is too short: at least 1ms\n".to_owned())] {
        let output = run(&args, &[]).await;
        assert_eq!(output.code, 3, "{args:?}");
        assert_eq!(output.stdout, line, "{args:?}");
    }
}

#[tokio::test]
async fn d15_a_huge_or_reordering_name_is_cut_and_escaped_and_the_perfdata_survives() {
    let (provider, response) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 2).map(|r| (*p, r)))
        .unwrap();
    let down = instance(provider, 50, response);
    let fine = all_connected().remove(0);
    let (sim, _) = serve(vec![down.clone(), fine.clone()]).await;
    let fleet = |name: &str| {
        format!(
            "{}name = \"{name}\"\n{}name = \"fine\"\n",
            sim.fleet_file_entry(&down),
            sim.fleet_file_entry(&fine)
        )
    };
    let perfdata_end = " not_connected=1;;;0;2";
    // Reordering and line-separating characters are escaped, never printed.
    let path = scratch_file("bidi.toml", &fleet("a\u{202e}b\u{2028}c\u{2066}d"));
    let output = run(&["check", "--plugin-output", "--config", &path], &[]).await;
    assert_eq!(output.code, 2, "{}", output.stdout);
    let first = output.stdout.lines().next().unwrap();
    assert!(
        first.starts_with(
            r"WHATSAPP CRITICAL - 1 of 2 not connected: a\u{202e}b\u{2028}c\u{2066}d: "
        ),
        "{first}"
    );
    assert!(first.ends_with(perfdata_end), "{first}");
    assert!(!output.stdout.contains(['\u{202e}', '\u{2028}', '\u{2066}']));
    // A name of 100,000 characters: the first line is cut before the perfdata, which stays.
    let path = scratch_file("huge.toml", &fleet(&"n".repeat(100_000)));
    let output = run(&["check", "--plugin-output", "--config", &path], &[]).await;
    assert_eq!(output.code, 2, "{}", output.stderr);
    let first = output.stdout.lines().next().unwrap();
    let cut = format!("{}…", "n".repeat(1024 - "1 of 2 not connected: ".len() - 3));
    assert_eq!(
        first.split(" | ").next().unwrap(),
        format!("WHATSAPP CRITICAL - 1 of 2 not connected: {cut}")
    );
    assert!(first.ends_with(perfdata_end), "{first}");
    assert!(output.stdout.len() <= 8192, "{}", output.stdout.len());
}

#[tokio::test]
async fn the_long_output_lists_the_instances_not_connected_and_every_one_with_v() {
    let mut instances = all_connected();
    let (provider, response) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 1).map(|r| (*p, r)))
        .unwrap();
    instances.push(instance(provider, 60, response));
    let (_sim, targets) = serve(instances.clone()).await;
    let output = check(&targets, &["--plugin-output"]).await;
    let (_, expected) = plugin_output(&instances, &BTreeMap::new());
    assert_eq!(output.stdout, expected);
    assert_eq!(output.stdout.lines().count(), 2, "{}", output.stdout);
    // -v: the warning first, then every connected instance in fleet order.
    let output = check(&targets, &["--plugin-output", "-v"]).await;
    let mut every = expected;
    for connected in &instances[..instances.len() - 1] {
        every.push_str(&format!(
            "{} [{}]: {}\n",
            connected.id,
            connected.provider,
            reason(connected, None)
        ));
    }
    assert_eq!(output.stdout, every);
}
