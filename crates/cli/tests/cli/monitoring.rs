//! The monitoring assets of `monitoring/` against the real engines their users run:
//! `promtool` on live scrapes of the exporter, a Prometheus server scraping it with the
//! shipped config and alert rules, and Nagios 4 running the shipped command and service
//! definitions. They need Debian's `prometheus` and `nagios4-core` packages, so they are
//! ignored by `cargo test`; `.ci/run` installs the packages and runs them with `--ignored`.

use crate::support::*;

/// A file of the repository's `monitoring/` folder. The assets are the repository's, not
/// the package's: run from a package, these tests say so instead of failing on a path.
fn monitoring_file(name: &str) -> String {
    let path = format!("{}/../../monitoring/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("{path}: {error}; these tests run from a clone of the repository")
    })
}

#[test]
fn the_alert_severities_agree_with_the_plugin() {
    // The states of the critical rule: the rule for warnings takes every other one but
    // `connected`.
    let rules = monitoring_file("alerts.yml");
    let listed = rules
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("expr: whatsapp_instance_state{state=~\"")
        })
        .and_then(|rest| rest.split('"').next())
        .expect("the critical rule");
    let critical: std::collections::BTreeSet<&str> = listed.split('|').collect();
    let plugin_critical: std::collections::BTreeSet<&str> = ConnectionState::ALL
        .iter()
        .filter(|s| severity(**s) == 2)
        .map(|s| s.name())
        .collect();
    assert_eq!(critical, plugin_critical);
    // The warning rule leaves out the same states.
    assert_eq!(rules.matches(&format!(r#"state!~"{listed}""#)).count(), 1);
}

#[test]
fn the_dashboard_names_its_grafana_and_uses_what_it_declares() {
    let dashboard: Value =
        serde_json::from_str(&monitoring_file("grafana-dashboard.json")).unwrap();
    let requires = dashboard["__requires"].as_array().unwrap();
    let required =
        |kind: &str, id: &str| requires.iter().any(|r| r["type"] == kind && r["id"] == id);
    let grafana = requires.iter().find(|r| r["id"] == "grafana").unwrap();
    assert_eq!(grafana["version"], "10.4.0");
    // schemaVersion 39 is the one Grafana 10.4 writes.
    assert_eq!(dashboard["schemaVersion"], 39);
    assert!(required("datasource", "prometheus"));
    // No import input: the data source is a variable, chosen in the dashboard.
    assert_eq!(dashboard.get("__inputs"), None);
    let variables = dashboard["templating"]["list"].as_array().unwrap();
    assert_eq!(variables.len(), 1);
    assert_eq!(variables[0]["name"], "datasource");
    assert_eq!(variables[0].get("current"), None);
    for panel in dashboard["panels"].as_array().unwrap() {
        let kind = panel["type"].as_str().unwrap();
        assert!(required("panel", kind), "{kind} is not in __requires");
        assert_eq!(
            panel["datasource"]["uid"], "${datasource}",
            "{}",
            panel["title"]
        );
        for target in panel["targets"].as_array().unwrap() {
            assert_eq!(target["datasource"]["uid"], "${datasource}");
        }
    }
}

/// The path of a program, or a panic that says how to get it.
fn program(name: &str, package: &str) -> String {
    let output = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .unwrap();
    let path = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(
        !path.is_empty(),
        "`{name}` is not installed: apt-get install {package} (.ci/run does)"
    );
    path
}

/// A free TCP port on 127.0.0.1 (for the servers that cannot report the one they chose).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wa-status-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fleet of these tests: every provider's connected instance, one instance that is not
/// connected, and one whose check fails (slowly: scrapes see its error counter at 0
/// before the first failure).
async fn fleet() -> (Simulator, Vec<Instance>, Instance, Instance) {
    let mut instances = all_connected();
    let (provider, response) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 2).map(|r| (*p, r)))
        .unwrap();
    let down = instance(provider, 50, response);
    let broken = instance(instances[0].provider, 51, healthy(instances[0].provider));
    instances.push(down.clone());
    instances.push(broken.clone());
    let sim = Simulator::start_with(
        Fleet {
            instances: instances.clone(),
        },
        wa_simulator::SimulatorOptions {
            rate_limits: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    sim.set_faults(
        broken.provider,
        &broken.id,
        wa_simulator::Faults {
            latency_ms: 4000,
            fault: Some(wa_simulator::Fault::WrongShape),
        },
    )
    .unwrap();
    (sim, instances, down, broken)
}

#[tokio::test]
#[ignore = "needs promtool (Debian's prometheus package); .ci/run runs it"]
async fn promtool_checks_a_live_scrape_in_the_text_format() {
    let promtool = program("promtool", "prometheus");
    // promtool reads the text format only; the OpenMetrics scrape is read by the reference
    // parser in `the_strict_openmetrics_parser_reads_a_live_scrape`.
    let (text, _) = scrape_after_a_first_error("text/plain;version=0.0.4").await;
    let output = output_with_stdin(
        Command::new(&promtool).args(["check", "metrics"]),
        text.as_bytes(),
    )
    .await;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}");
    assert_eq!(said, "");
}

/// A scrape of the test fleet's exporter in the format `accept` asks for, taken after the
/// broken instance's first error (every family is then in it), and the fleet.
async fn scrape_after_a_first_error(accept: &str) -> (String, Vec<Instance>) {
    let (sim, instances, _, broken) = fleet().await;
    let targets: Vec<String> = instances.iter().map(|i| sim.connection_string(i)).collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let (mut child, url) = exporter("1s", &targets).await;
    let errors = format!(
        "whatsapp_instance_check_errors_total{{name=\"{}\",provider=\"{}\"}}",
        broken.id, broken.provider
    );
    loop {
        let samples = parse_metrics(&scrape_until(&url, &[&errors]).await);
        if samples[&errors] >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let text = wa_tests::http_client()
        .get(format!("{url}/metrics"))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    child.kill().await.unwrap();
    (text, instances)
}

/// Reads OpenMetrics text with the reference parser, `prometheus_client`'s, which refuses
/// what the standard forbids (a counter family named with its samples' `_total`, a
/// missing `# EOF`); prints each family as `name type samples`.
const OPENMETRICS_PARSER: &str = r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    print(family.name, family.type, len(family.samples))
"#;

#[tokio::test]
#[ignore = "needs Python's prometheus_client (.ci/run installs it in its virtual environment)"]
async fn the_strict_openmetrics_parser_reads_a_live_scrape() {
    let (text, instances) =
        scrape_after_a_first_error("application/openmetrics-text;version=1.0.0").await;
    let output = output_with_stdin(
        Command::new(python()).args(["-c", OPENMETRICS_PARSER]),
        text.as_bytes(),
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let families: BTreeMap<String, String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (name, rest) = line.split_once(' ').unwrap();
            (name.to_owned(), rest.to_owned())
        })
        .collect();
    let n = instances.len();
    let providers: std::collections::BTreeSet<Provider> =
        instances.iter().map(|i| i.provider).collect();
    let kinds = wa_unified::ErrorKind::ALL.len();
    assert_eq!(
        families["whatsapp_instance_connected"],
        format!("gauge {}", n - 1)
    );
    assert_eq!(
        families["whatsapp_instance_check_errors"],
        format!("counter {n}")
    );
    assert_eq!(
        families["whatsapp_check_errors"],
        format!("counter {}", kinds * providers.len())
    );
    assert_eq!(
        families["wa_status_checks"].split(' ').next(),
        Some("counter")
    );
    assert_eq!(families["wa_status_build_info"], "gauge 1");
}

/// Starts the Prometheus at `program` with `dir/prometheus.yml`, its data in `dir/data`, on
/// a free port; the child and the base URL of its HTTP API.
fn start_prometheus(program: &str, dir: &std::path::Path) -> (tokio::process::Child, String) {
    let port = free_port();
    let server = Command::new(program)
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    (server, format!("http://127.0.0.1:{port}"))
}

/// A GET on the Prometheus HTTP API at `base`: the JSON it answers, or `None` while the
/// server cannot answer yet.
async fn prometheus_api(base: &str, endpoint: &str, params: &[(&str, &str)]) -> Option<Value> {
    wa_tests::http_client()
        .get(format!("{base}/api/v1/{endpoint}"))
        .query(params)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

/// The JSON of a Prometheus HTTP API query.
async fn query(base: &str, promql: &str) -> Value {
    let answer = prometheus_api(base, "query", &[("query", promql)])
        .await
        .expect("Prometheus answers a query");
    assert_eq!(answer["status"], "success", "{promql}: {answer}");
    answer["data"]["result"].clone()
}

/// Polls `check` every half second until it gives `Some`, at most `seconds`.
async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..seconds * 2 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("{what} did not happen within {seconds} s");
}

#[tokio::test]
#[ignore = "needs a Prometheus server (Debian's prometheus package); .ci/run runs it"]
async fn prometheus_reads_the_fleet_counts_the_first_error_and_fires_an_alert() {
    let prometheus = program("prometheus", "prometheus");
    let (sim, instances, down, broken) = fleet().await;
    let targets: Vec<String> = instances.iter().map(|i| sim.connection_string(i)).collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let exporter_address = format!("127.0.0.1:{}", free_port());
    let dir = scratch("prometheus");
    // The shipped config and rules, made quick: 1 s intervals, alerts firing at once, and
    // this run's exporter as the target.
    let config = monitoring_file("prometheus.yml")
        .replace("30s", "1s")
        .replace("127.0.0.1:9898", &exporter_address);
    std::fs::write(dir.join("prometheus.yml"), config).unwrap();
    let rules = monitoring_file("alerts.yml");
    let quick: String = rules
        .lines()
        .map(|line| match line.trim_start().strip_prefix("for: ") {
            Some(_) => line.replace(line.trim_start(), "for: 0s"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("alerts.yml"), quick).unwrap();
    let (mut server, base) = start_prometheus(&prometheus, &dir);
    // Prometheus first, scraping the exporter's address (and failing) before the exporter
    // starts, so that it sees the exporter from its first second on.
    eventually(60, "Prometheus scraping", || {
        let base = base.clone();
        let address = exporter_address.clone();
        async move {
            let targets = prometheus_api(&base, "targets", &[]).await?;
            targets["data"]["activeTargets"]
                .as_array()?
                .iter()
                .any(|t| {
                    t["scrapeUrl"]
                        .as_str()
                        .is_some_and(|u| u.contains(&address))
                        && t["health"] == "down"
                })
                .then_some(())
        }
    })
    .await;
    let (mut exporter_child, _) = exporter_on(&exporter_address, "1s", &targets).await;

    // The fleet's states, as Prometheus stored them.
    let states: BTreeMap<String, String> = eventually(60, "every state in Prometheus", || {
        let base = base.clone();
        let wanted = instances.len() - 1;
        async move {
            let answer =
                prometheus_api(&base, "query", &[("query", "whatsapp_instance_state == 1")])
                    .await?;
            let found: BTreeMap<String, String> = answer["data"]["result"]
                .as_array()?
                .iter()
                .map(|s| {
                    (
                        s["metric"]["name"].as_str().unwrap_or_default().to_owned(),
                        s["metric"]["state"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            (found.len() == wanted).then_some(found)
        }
    })
    .await;
    let expected: BTreeMap<String, String> = instances
        .iter()
        .filter(|i| i.id != broken.id)
        .map(|i| {
            (
                i.id.clone(),
                i.expected_reading().unwrap().state.to_string(),
            )
        })
        .collect();
    assert_eq!(states, expected);
    // Counters keep their type through OpenMetrics (Prometheus asks for it).
    let metadata = prometheus_api(&base, "metadata", &[("metric", "whatsapp_check_errors")])
        .await
        .expect("Prometheus answers a metadata request");
    // The family, named without the `_total` of its samples as OpenMetrics requires.
    assert_eq!(
        metadata["data"]["whatsapp_check_errors"][0]["type"], "counter",
        "{metadata}"
    );
    // No label renamed to exported_*: the exporter's labels do not collide with the target's.
    let series = query(&base, "whatsapp_instance_connected").await;
    for sample in series.as_array().unwrap() {
        let labels: Vec<&String> = sample["metric"].as_object().unwrap().keys().collect();
        assert_eq!(
            labels,
            ["__name__", "instance", "job", "name", "provider"],
            "{sample}"
        );
    }

    // The broken instance's error counter: stored at 0 before its first failure, so that
    // increase() counts that failure.
    let selector = format!(
        "whatsapp_instance_check_errors_total{{name=\"{}\"}}",
        broken.id
    );
    eventually(60, "the first error counted", || {
        let base = base.clone();
        let selector = selector.clone();
        async move {
            let raw = query(&base, &format!("{selector}[10m]")).await;
            let values: Vec<f64> = raw[0]["values"]
                .as_array()?
                .iter()
                .filter_map(|v| v[1].as_str()?.parse().ok())
                .collect();
            let increase = query(&base, &format!("increase({selector}[10m])")).await;
            let increase: f64 = increase[0]["value"][1].as_str()?.parse().ok()?;
            (values.first() == Some(&0.0) && values.last() >= Some(&1.0) && increase > 0.0)
                .then_some(())
        }
    })
    .await;

    // The shipped alert fires for the instance that is not connected.
    let alert = eventually(60, "WhatsAppInstanceCannotSend firing", || {
        let base = base.clone();
        let name = down.id.clone();
        async move {
            let answer = prometheus_api(&base, "alerts", &[]).await?;
            answer["data"]["alerts"]
                .as_array()?
                .iter()
                .find(|a| {
                    a["labels"]["alertname"] == "WhatsAppInstanceCannotSend"
                        && a["labels"]["name"] == name.as_str()
                        && a["state"] == "firing"
                })
                .cloned()
        }
    })
    .await;
    let e = down.expected_reading().unwrap();
    assert_eq!(alert["labels"]["state"], e.state.name());
    assert_eq!(alert["labels"]["action"], e.action.map_or("", |a| a.name()));
    assert_eq!(
        alert["annotations"]["summary"],
        format!(
            "WhatsApp instance {} ({}) cannot send: {}",
            down.id, down.provider, e.state
        )
    );

    // Every query of the shipped Grafana dashboard is valid PromQL with data behind it
    // (Grafana's `$__rate_interval` as a minute).
    let dashboard: Value =
        serde_json::from_str(&monitoring_file("grafana-dashboard.json")).unwrap();
    let mut queries = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"]
                .as_str()
                .unwrap()
                .replace("$__rate_interval", "1m");
            let result = query(&base, &expr).await;
            assert!(
                !result.as_array().unwrap().is_empty(),
                "{}: {expr} has no data",
                panel["title"]
            );
            queries += 1;
        }
    }
    assert_eq!(queries, 10);
    server.kill().await.unwrap();
    exporter_child.kill().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

/// One `servicestatus` block of Nagios' status.dat, as key and value.
fn service_status(status: &str, service: &str) -> Option<BTreeMap<String, String>> {
    status.split("servicestatus {").skip(1).find_map(|block| {
        // A block ends at a line of its own `}` (values may hold braces).
        let block = block.split("\n\t}").next()?;
        let fields: BTreeMap<String, String> = block
            .lines()
            .filter_map(|l| l.trim().split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        (fields.get("service_description").map(String::as_str) == Some(service)
            && fields.get("has_been_checked").map(String::as_str) == Some("1"))
        .then_some(fields)
    })
}

#[tokio::test]
#[ignore = "needs Nagios 4 (Debian's nagios4-core package); .ci/run runs it"]
async fn nagios_runs_the_documented_definitions() {
    let nagios = program("nagios4", "nagios4-core");
    let (sim, instances, _, broken) = fleet().await;
    let dir = scratch("nagios");
    // The fleet file of the fleet service (everything), and of the one-instance service.
    let fleet_file = |instances: &[&Instance]| -> String {
        instances.iter().map(|i| sim.fleet_file_entry(i)).collect()
    };
    let all: Vec<&Instance> = instances.iter().collect();
    std::fs::write(dir.join("fleet.toml"), fleet_file(&all)).unwrap();
    std::fs::write(dir.join("support.toml"), fleet_file(&[&instances[0]])).unwrap();
    let definitions = monitoring_file("nagios/wa-status.cfg")
        .replace("/usr/local/bin/wa-status", BIN)
        .replace("/etc/wa-status/", &format!("{}/", dir.display()));
    std::fs::write(dir.join("wa-status.cfg"), definitions).unwrap();
    let d = dir.display();
    std::fs::write(
        dir.join("host.cfg"),
        "define command {\n    command_name host_up\n    command_line /bin/true\n}\n\
         define host {\n    use generic-host\n    host_name localhost\n    address 127.0.0.1\n    check_command host_up\n    max_check_attempts 1\n}\n",
    )
    .unwrap();
    // A Nagios of its own: Debian's object templates, these definitions, and seconds as
    // the interval unit so that a check interval of 5 is 5 s.
    std::fs::write(
        dir.join("nagios.cfg"),
        format!(
            "log_file={d}/nagios.log\n\
             cfg_file=/etc/nagios4/objects/commands.cfg\n\
             cfg_file=/etc/nagios4/objects/contacts.cfg\n\
             cfg_file=/etc/nagios4/objects/timeperiods.cfg\n\
             cfg_file=/etc/nagios4/objects/templates.cfg\n\
             cfg_file={d}/host.cfg\n\
             cfg_file={d}/wa-status.cfg\n\
             object_cache_file={d}/objects.cache\n\
             precached_object_file={d}/objects.precache\n\
             status_file={d}/status.dat\n\
             status_update_interval=1\n\
             nagios_user=root\n\
             nagios_group=root\n\
             check_external_commands=0\n\
             command_file={d}/nagios.cmd\n\
             lock_file={d}/nagios.lock\n\
             temp_file={d}/nagios.tmp\n\
             temp_path={d}\n\
             check_result_path={d}/checkresults\n\
             interval_length=1\n\
             check_result_reaper_frequency=1\n\
             max_service_check_spread=2\n\
             enable_notifications=0\n\
             retain_state_information=0\n\
             use_syslog=0\n\
             illegal_macro_output_chars=`~$&|'\"<>\n"
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("checkresults")).unwrap();
    let verify = Command::new(&nagios)
        .args(["-v", &format!("{d}/nagios.cfg")])
        .output()
        .await
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let mut server = Command::new(&nagios)
        .arg(format!("{d}/nagios.cfg"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let status_path = dir.join("status.dat");
    let (fleet, support) = eventually(90, "both services checked by Nagios", || {
        let status_path = status_path.clone();
        async move {
            let status = std::fs::read_to_string(&status_path).ok()?;
            Some((
                service_status(&status, "WhatsApp fleet")?,
                service_status(&status, "WhatsApp support number")?,
            ))
        }
    })
    .await;
    server.kill().await.unwrap();

    // What the plugin printed is what Nagios recorded: run it the same way and compare.
    let threshold_args = ["-w", "1", "-c", "20%"];
    let mut args = vec!["check", "--plugin-output", "-t", "50", "--config"];
    let fleet_path = format!("{d}/fleet.toml");
    args.push(&fleet_path);
    args.extend(threshold_args);
    let direct = run(&args, &[]).await;
    let mut lines = direct.stdout.lines();
    let first = lines.next().unwrap();
    let (text, perfdata) = first.split_once(" | ").unwrap();
    // Two not connected: beyond `-w 1`, and beyond `-c 20%` only while the fleet (one
    // instance per provider, and the broken ones) has fewer than ten instances; the state
    // follows from the fleet's size, so that adding a provider does not break this test.
    let expected = if 2 * 5 > instances.len() { 2 } else { 1 };
    assert_eq!(fleet["current_state"], expected.to_string(), "{fleet:?}");
    assert_eq!(direct.code, expected);
    let worded = if expected == 2 { "CRITICAL" } else { "WARNING" };
    assert!(
        text.starts_with(&format!(
            "WHATSAPP {worded} - 2 of {} not connected: ",
            instances.len()
        )),
        "{text}"
    );
    assert_eq!(fleet["plugin_output"], text);
    assert_eq!(fleet["performance_data"], perfdata);
    let long: Vec<&str> = lines.collect();
    assert_eq!(fleet["long_plugin_output"], long.join("\\n"));
    // The two instances not connected, the worst first: the other are connected.
    assert_eq!(long.len(), 2, "{long:?}");
    assert!(
        long.iter().any(|l| l.starts_with(&format!(
            "{} [{}]: {}: decode: ",
            broken.id, broken.provider, broken.provider
        ))),
        "{long:?}"
    );
    // The one-instance service: OK, its name and state.
    assert_eq!(support["current_state"], "0", "{support:?}");
    assert_eq!(
        support["plugin_output"],
        format!("WHATSAPP OK - {}: connected", instances[0].id)
    );
    assert_eq!(support["long_plugin_output"], "");
    for secret in secrets() {
        for value in fleet.values().chain(support.values()) {
            assert!(!value.contains(&secret));
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// The results an Icinga 2 `PerfdataWriter` wrote in `dir`, by service: state and output
/// (long output included), the last of each.
fn icinga_results(dir: &std::path::Path) -> BTreeMap<String, (String, String, String)> {
    let mut results = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("service-perfdata.") && !n.ends_with(".tmp"))
        })
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for record in text.split("SERVICE::").skip(1) {
            let mut fields = record.splitn(4, '\t');
            let name = fields.next().unwrap_or_default().to_owned();
            let state = fields.next().and_then(|f| f.strip_prefix("STATE::"));
            let perfdata = fields.next().and_then(|f| f.strip_prefix("PERFDATA::"));
            let output = fields.next().and_then(|f| f.strip_prefix("OUTPUT::"));
            if let (Some(state), Some(perfdata), Some(output)) = (state, perfdata, output) {
                results.insert(
                    name,
                    (
                        state.to_owned(),
                        perfdata.to_owned(),
                        output.trim_end_matches('\n').to_owned(),
                    ),
                );
            }
        }
    }
    results
}

#[tokio::test]
#[ignore = "needs Icinga 2 (Debian's icinga2-bin package); .ci/run runs it"]
async fn icinga2_runs_the_shipped_check_command() {
    let icinga2 = program("icinga2", "icinga2-bin");
    let (sim, instances, _, _) = fleet().await;
    let dir = scratch("icinga2");
    let fleet_file = |instances: &[&Instance]| -> String {
        instances.iter().map(|i| sim.fleet_file_entry(i)).collect()
    };
    let all: Vec<&Instance> = instances.iter().collect();
    std::fs::write(dir.join("fleet.toml"), fleet_file(&all)).unwrap();
    std::fs::write(dir.join("support.toml"), fleet_file(&[&instances[0]])).unwrap();
    let command =
        monitoring_file("icinga2/wa-status.conf").replace("/usr/local/bin/wa-status", BIN);
    std::fs::write(dir.join("wa-status.conf"), command).unwrap();
    let d = dir.display();
    // An Icinga of its own: the shipped CheckCommand, a host, two services checked every
    // second, and a PerfdataWriter that writes each result where this test reads it.
    std::fs::write(
        dir.join("icinga2.conf"),
        format!(
            r#"include "{d}/wa-status.conf"
object CheckerComponent "checker" {{ }}
object CheckCommand "host-up" {{ command = [ "/bin/true" ] }}
object Host "localhost" {{ check_command = "host-up"; address = "127.0.0.1" }}
object Service "whatsapp-fleet" {{
  host_name = "localhost"
  check_command = "wa-status"
  check_interval = 1s
  vars.wa_status_config = "{d}/fleet.toml"
  vars.wa_status_warning = "1"
  vars.wa_status_critical = "20%"
}}
object Service "whatsapp-support" {{
  host_name = "localhost"
  check_command = "wa-status"
  check_interval = 1s
  vars.wa_status_config = "{d}/support.toml"
}}
object PerfdataWriter "perfdata" {{
  host_perfdata_path = "{d}/host-perfdata"
  host_temp_path = "{d}/host-perfdata.tmp"
  service_perfdata_path = "{d}/service-perfdata"
  service_temp_path = "{d}/service-perfdata.tmp"
  service_format_template = "SERVICE::$service.name$\tSTATE::$service.state_id$\tPERFDATA::$service.perfdata$\tOUTPUT::$service.output$"
  rotation_interval = 1s
}}
"#
        ),
    )
    .unwrap();
    for folder in ["run/icinga2", "cache", "spool", "log", "data"] {
        std::fs::create_dir_all(dir.join(folder)).unwrap();
    }
    let defines: Vec<String> = [
        ("InitRunDir", "run"),
        ("CacheDir", "cache"),
        ("SpoolDir", "spool"),
        ("LogDir", "log"),
        ("DataDir", "data"),
    ]
    .iter()
    .map(|(name, folder)| format!("-D{name}={d}/{folder}"))
    .chain([
        "-DRunAsUser=root".to_owned(),
        "-DRunAsGroup=root".to_owned(),
    ])
    .collect();
    let config = format!("{d}/icinga2.conf");
    let validate = Command::new(&icinga2)
        .args(["daemon", "-C", "-c", &config])
        .args(&defines)
        .output()
        .await
        .unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stdout)
    );
    let mut server = Command::new(&icinga2)
        .args(["daemon", "-c", &config])
        .args(&defines)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let results = eventually(60, "both services checked by Icinga 2", || {
        let dir = dir.clone();
        async move {
            let results = icinga_results(&dir);
            (results.contains_key("whatsapp-fleet") && results.contains_key("whatsapp-support"))
                .then_some(results)
        }
    })
    .await;
    server.kill().await.unwrap();

    // What the plugin printed is what Icinga recorded: run it the same way and compare.
    let fleet_path = format!("{d}/fleet.toml");
    let direct = run(
        &[
            "check",
            "--plugin-output",
            "-t",
            "50",
            "--config",
            &fleet_path,
            "-w",
            "1",
            "-c",
            "20%",
        ],
        &[],
    )
    .await;
    let (state, perfdata, output) = &results["whatsapp-fleet"];
    assert_eq!(state, &direct.code.to_string());
    let (first, long) = direct.stdout.split_once('\n').unwrap();
    let (text, plugin_perfdata) = first.split_once(" | ").unwrap();
    assert_eq!(perfdata, plugin_perfdata);
    // Icinga keeps the first line up to the `|`, its space included.
    assert_eq!(output, &format!("{text} \n{}", long.trim_end_matches('\n')));
    let (state, perfdata, output) = &results["whatsapp-support"];
    assert_eq!(state, "0");
    assert_eq!(
        output,
        &format!("WHATSAPP OK - {}: connected ", instances[0].id)
    );
    assert!(perfdata.starts_with("connected=1;;;0;1 "), "{perfdata}");
    for secret in secrets() {
        for (_, perfdata, output) in results.values() {
            assert!(!output.contains(&secret) && !perfdata.contains(&secret));
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
#[ignore = "needs a Prometheus server (Debian's prometheus package); .ci/run runs it"]
async fn prometheus_scrapes_over_tls_with_basic_auth() {
    let prometheus = program("prometheus", "prometheus");
    let instances: Vec<Instance> = all_connected().into_iter().take(2).collect();
    let (_sim, targets) = serve(instances.clone()).await;
    let dir = scratch("prometheus-tls");
    let (web, ca) = crate::exporter::web_config(&dir, "scrape-secret");
    std::fs::write(dir.join("ca.crt"), ca).unwrap();
    let (mut exporter_child, address) =
        crate::exporter::exporter_with(&["--web.config.file", &web], &targets).await;
    // One job with the right password, one with a wrong one.
    let job = |name: &str, password: &str| {
        format!(
            "  - job_name: {name}\n    scheme: https\n    tls_config:\n      ca_file: {}/ca.crt\n    basic_auth:\n      username: prometheus\n      password: {password}\n    static_configs:\n      - targets: ['{address}']\n",
            dir.display()
        )
    };
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n{}{}",
            job("right", "scrape-secret"),
            job("wrong", "not-the-password")
        ),
    )
    .unwrap();
    let (mut server, base) = start_prometheus(&prometheus, &dir);
    let health = eventually(60, "both jobs scraped", || {
        let base = base.clone();
        async move {
            let targets = prometheus_api(&base, "targets", &[]).await?;
            let health: BTreeMap<String, (String, String)> = targets["data"]["activeTargets"]
                .as_array()?
                .iter()
                .map(|t| {
                    (
                        t["labels"]["job"].as_str().unwrap_or_default().to_owned(),
                        (
                            t["health"].as_str().unwrap_or_default().to_owned(),
                            t["lastError"].as_str().unwrap_or_default().to_owned(),
                        ),
                    )
                })
                .collect();
            (health.len() == 2 && health.values().all(|(h, _)| h != "unknown")).then_some(health)
        }
    })
    .await;
    assert_eq!(health["right"], ("up".to_owned(), String::new()));
    assert_eq!(health["wrong"].0, "down");
    assert!(health["wrong"].1.contains("401"), "{:?}", health["wrong"]);
    // The readings went through.
    let connected = eventually(30, "the readings in Prometheus", || {
        let base = base.clone();
        async move {
            let answer = prometheus_api(
                &base,
                "query",
                &[("query", "sum(whatsapp_instance_connected{job=\"right\"})")],
            )
            .await?;
            answer["data"]["result"][0]["value"][1]
                .as_str()
                .map(str::to_owned)
        }
    })
    .await;
    assert_eq!(connected, "2");
    server.kill().await.unwrap();
    exporter_child.kill().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
#[ignore = "needs Python's grafana-foundation-sdk (.ci/run installs it in its virtual environment)"]
async fn grafanas_sdk_reads_the_dashboard() {
    // Grafana's own models read every panel and write the dashboard back the same.
    let program = r#"
import json, sys
from grafana_foundation_sdk.models import dashboard
data = json.load(open(sys.argv[1]))
model = dashboard.Dashboard.from_json(data)
out = model.to_json()
panels = [p for p in out["panels"] if isinstance(p, dashboard.Panel)]
print(out["schemaVersion"], len(panels), len(data["panels"]), out["uid"])
"#;
    let path = format!(
        "{}/../../monitoring/grafana-dashboard.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let output = Command::new(python())
        .args(["-c", program, &path])
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dashboard: Value =
        serde_json::from_str(&monitoring_file("grafana-dashboard.json")).unwrap();
    let panels = dashboard["panels"].as_array().unwrap().len();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("39 {panels} {panels} wa-status-fleet\n")
    );
}
