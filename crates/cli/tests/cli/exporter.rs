//! `exporter`: the metrics, their formats, and what a scrape costs the providers.

use crate::support::*;

#[tokio::test]
async fn the_exporter_serves_metrics_and_a_scrape_never_calls_a_provider() {
    // Every provider: one connected instance, and one of a provider not connected.
    let mut instances = all_connected();
    let (provider, response) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 1).map(|r| (*p, r)))
        .unwrap();
    instances.push(instance(provider, 30, response));
    let (sim, targets) = serve(instances.clone()).await;
    // One check of each instance at start, the next in an hour: every provider call after
    // the first checks would have to come from a scrape.
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let (mut child, url) = exporter("1h", &targets).await;
    let http = wa_tests::http_client();
    for path in ["/healthz", "/-/healthy"] {
        assert_eq!(
            http.get(format!("{url}{path}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "wa-status exporter is healthy.\n"
        );
    }
    let state_series = |i: &Instance| {
        let e = i.expected_reading().unwrap();
        format!(
            "whatsapp_instance_state{{action=\"{}\",{},state=\"{}\"}}",
            e.action.map_or("", |a| a.name()),
            labels(i),
            e.state
        )
    };
    let wanted: Vec<String> = instances.iter().map(state_series).collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let text = scrape_until(&url, &wanted).await;
    let polled = instances.len() as u64;
    assert_eq!(sim.total_counters().requests, polled);
    for _ in 0..5 {
        http.get(format!("{url}/metrics")).send().await.unwrap();
    }
    assert_eq!(
        sim.total_counters().requests,
        polled,
        "a scrape called a provider"
    );

    let samples = parse_metrics(&text);
    for instance in &instances {
        let labels = labels(instance);
        let current = instance.expected_reading().unwrap().state;
        let get = |name: &str| samples.get(&format!("{name}{{{labels}}}")).copied();
        assert_eq!(
            get("whatsapp_instance_connected"),
            Some(f64::from(u8::from(current == ConnectionState::Connected)))
        );
        assert_eq!(get("whatsapp_instance_check_success"), Some(1.0));
        assert_eq!(get("whatsapp_instance_check_errors_total"), Some(0.0));
        assert!(get("whatsapp_instance_last_success_timestamp_seconds").unwrap() > 1.7e9);
        let age = get("whatsapp_instance_reading_age_seconds").unwrap();
        assert!((0.0..3600.0).contains(&age), "{age}");
        // One state series, the current one; six series in all.
        let series: Vec<&String> = samples
            .keys()
            .filter(|k| k.contains(&format!("name=\"{}\"", instance.id)))
            .collect();
        let states: Vec<&&String> = series
            .iter()
            .filter(|k| k.starts_with("whatsapp_instance_state{"))
            .collect();
        assert_eq!(states, [&&state_series(instance)]);
        assert_eq!(samples[&state_series(instance)], 1.0);
        assert_eq!(series.len(), 6, "{series:?}");
    }
    // Per provider: every error kind at zero, and the checks in the histogram.
    for provider in Provider::ALL.iter().copied() {
        for kind in wa_unified::ErrorKind::ALL {
            assert_eq!(
                samples.get(&format!(
                    "whatsapp_check_errors_total{{kind=\"{kind}\",provider=\"{provider}\"}}"
                )),
                Some(&0.0)
            );
        }
        let checks = instances.iter().filter(|i| i.provider == provider).count();
        assert_eq!(
            samples.get(&format!(
                "whatsapp_check_duration_seconds_count{{provider=\"{provider}\"}}"
            )),
            Some(&(checks as f64))
        );
    }
    assert_eq!(
        samples.get(&format!(
            "wa_status_build_info{{version=\"{}\"}}",
            env!("CARGO_PKG_VERSION")
        )),
        Some(&1.0)
    );
    assert_eq!(samples.get("wa_status_instances"), Some(&(polled as f64)));
    assert_eq!(
        samples.get("wa_status_checks_total"),
        Some(&(polled as f64))
    );
    assert!(samples["wa_status_last_check_timestamp_seconds"] > 1.7e9);
    for secret in secrets() {
        assert!(!text.contains(&secret));
    }
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_exporter_speaks_both_formats_and_gzip() {
    let instances = all_connected();
    let (_sim, targets) = serve(instances.clone()).await;
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let (mut child, url) = exporter("1h", &targets).await;
    let http = wa_tests::http_client();
    let get = |accept: &'static str, encoding: &'static str| {
        let request = http.get(format!("{url}/metrics"));
        let request = match accept {
            "" => request,
            accept => request.header("accept", accept),
        };
        let request = match encoding {
            "" => request,
            encoding => request.header("accept-encoding", encoding),
        };
        request.send()
    };
    let text = get("text/plain;version=0.0.4", "").await.unwrap();
    assert_eq!(
        text.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = text.text().await.unwrap();
    assert!(text.contains("# TYPE whatsapp_check_errors_total counter\n"));
    assert!(!text.contains("# EOF"));
    let openmetrics = get(
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        "",
    )
    .await
    .unwrap();
    assert_eq!(
        openmetrics.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let openmetrics = openmetrics.text().await.unwrap();
    // OpenMetrics names a counter family without the `_total` of its samples.
    assert!(openmetrics.contains("# TYPE whatsapp_check_errors counter\n"));
    assert!(openmetrics.contains("\nwhatsapp_check_errors_total{"));
    assert!(openmetrics.ends_with("# EOF\n"));
    let gzipped = get("", "gzip").await.unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let bytes = gzipped.bytes().await.unwrap();
    assert_eq!(&bytes[..2], [0x1f, 0x8b]);
    assert!(
        bytes.len() < text.len(),
        "{} >= {}",
        bytes.len(),
        text.len()
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_exporter_counts_an_error_from_zero_and_never_shows_a_zero_timestamp() {
    let (provider, up, _) = watchable();
    let broken = instance(provider, 0, up);
    let (sim, targets) = serve(vec![broken.clone()]).await;
    // Slow and broken: the first scrape comes before the first check ends.
    sim.set_faults(
        provider,
        &broken.id,
        wa_simulator::Faults {
            latency_ms: 1500,
            fault: Some(wa_simulator::Fault::EmptyBody),
        },
    )
    .unwrap();
    let (mut child, url) = exporter("200ms", &[&targets[0]]).await;
    let labels = labels(&broken);
    let instance_errors = format!("whatsapp_instance_check_errors_total{{{labels}}}");
    let kind_errors =
        format!(r#"whatsapp_check_errors_total{{kind="decode",provider="{provider}"}}"#);
    let before = parse_metrics(&scrape_until(&url, &[&instance_errors]).await);
    assert_eq!(before.get(&instance_errors), Some(&0.0));
    assert_eq!(before.get(&kind_errors), Some(&0.0));
    assert_eq!(
        before.get(&format!("whatsapp_instance_check_success{{{labels}}}")),
        None
    );
    let after = loop {
        let samples = parse_metrics(&scrape_until(&url, &[&instance_errors]).await);
        if samples[&instance_errors] >= 1.0 {
            break samples;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(after[&kind_errors] >= 1.0);
    assert_eq!(
        after.get(&format!("whatsapp_instance_check_success{{{labels}}}")),
        Some(&0.0)
    );
    // Never read: no connected value, no timestamp, no age.
    for name in [
        "whatsapp_instance_connected",
        "whatsapp_instance_last_success_timestamp_seconds",
        "whatsapp_instance_reading_age_seconds",
    ] {
        assert_eq!(after.get(&format!("{name}{{{labels}}}")), None, "{name}");
    }
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_exporter_follows_the_conventions_of_exporters() {
    // One instance answers at once, one after 3 s: ready only when both were read.
    let instances: Vec<Instance> = all_connected().into_iter().take(2).collect();
    let (sim, targets) = serve(instances.clone()).await;
    let slow = &instances[1];
    sim.set_faults(
        slow.provider,
        &slow.id,
        wa_simulator::Faults::latency(Duration::from_secs(3)),
    )
    .unwrap();
    let mut args = vec!["--web.listen-address", "127.0.0.1:0"];
    args.extend(["--web.telemetry-path", "/probe/metrics", "--interval", "1h"]);
    args.extend(targets.iter().map(String::as_str));
    let mut child = spawn_exporter(&args);
    let (banner, url) = wa_tests::listening_url(&mut child).await;
    assert_eq!(
        banner,
        format!("wa-status exporter listening on {url} (/probe/metrics, /-/healthy, /-/ready)")
    );
    let http = wa_tests::http_client();
    let get = |path: &str| http.get(format!("{url}{path}")).send();
    let ready = get("/-/ready").await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.text().await.unwrap(),
        "wa-status exporter is not ready: the first checks are under way.\n"
    );
    let series = |i: &Instance| format!("whatsapp_instance_connected{{{}}}", labels(i));
    let metrics = |text: &str| parse_metrics(text);
    let mut waited = 0;
    loop {
        let response = get("/-/ready").await.unwrap();
        if response.status() == 200 {
            assert_eq!(
                response.text().await.unwrap(),
                "wa-status exporter is ready.\n"
            );
            break;
        }
        waited += 1;
        assert!(waited < 100, "never ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Ready means every instance is in the scrape, at the path given.
    let scrape = get("/probe/metrics").await.unwrap();
    assert_eq!(scrape.status(), 200);
    let samples = metrics(&scrape.text().await.unwrap());
    for instance in &instances {
        assert_eq!(
            samples.get(&series(instance)),
            Some(&1.0),
            "{}",
            instance.id
        );
    }
    // The process' own metrics, as every exporter has them.
    if cfg!(target_os = "linux") {
        let pid = child.id().unwrap();
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
        let soft_fds: f64 = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .and_then(|l| l.split_whitespace().nth(3))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(samples["process_max_fds"], soft_fds);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let started = samples["process_start_time_seconds"];
        assert!(
            now - 120.0 < started && started <= now + 1.0,
            "{started} {now}"
        );
        assert!(samples["process_resident_memory_bytes"] > 1e6);
        assert!(samples["process_open_fds"] >= 3.0);
        assert!(samples["process_threads"] >= 2.0);
        assert!(samples.contains_key("process_cpu_seconds_total"));
    }
    assert_eq!(get("/metrics").await.unwrap().status(), 404);
    let landing = get("/").await.unwrap();
    assert_eq!(
        landing.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = landing.text().await.unwrap();
    assert!(
        page.contains(r#"<li><a href="/probe/metrics">/probe/metrics</a>: the metrics</li>"#),
        "{page}"
    );
    assert!(page.contains(r#"<a href="/-/ready">"#), "{page}");
    child.kill().await.unwrap();
}

/// A web configuration of TLS (a test CA's certificate) and basic authentication (one user,
/// `prometheus`, with `password`), written in `dir`; the CA's certificate in PEM.
pub fn web_config(dir: &std::path::Path, password: &str) -> (String, String) {
    let pki = wa_tests::LoopbackPki::new();
    std::fs::write(dir.join("server.crt"), &pki.cert_pem).unwrap();
    std::fs::write(dir.join("server.key"), &pki.key_pem).unwrap();
    let hash = bcrypt::hash(password, 4).unwrap();
    let path = dir.join("web.yml");
    std::fs::write(
        &path,
        format!(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: {hash}\n"
        ),
    )
    .unwrap();
    (path.display().to_string(), pki.ca_pem)
}

/// Starts the exporter with `extra` arguments for `targets`; its child and the address it
/// listens on, read from its banner (`http://` or `https://`).
pub async fn exporter_with(extra: &[&str], targets: &[String]) -> (tokio::process::Child, String) {
    let mut args = vec!["--listen", "127.0.0.1:0", "--interval", "1h"];
    args.extend(extra);
    args.extend(targets.iter().map(String::as_str));
    let mut child = spawn_exporter(&args);
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next_line().await.unwrap().unwrap();
    let address = banner
        .split_whitespace()
        .find_map(|w| {
            w.strip_prefix("https://")
                .or_else(|| w.strip_prefix("http://"))
        })
        .unwrap()
        .to_owned();
    (child, address)
}

#[tokio::test]
async fn the_web_config_file_gives_tls_and_basic_auth() {
    let instances: Vec<Instance> = all_connected().into_iter().take(1).collect();
    let (_sim, targets) = serve(instances.clone()).await;
    let dir = std::env::temp_dir().join(format!("wa-status-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (config, ca) = web_config(&dir, "scrape-secret");
    let (mut child, address) = exporter_with(&["--web.config.file", &config], &targets).await;
    wa_tests::install_tls();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .build()
        .unwrap();
    let url = format!("https://{address}/metrics");
    let series = format!("whatsapp_instance_connected{{{}}}", labels(&instances[0]));
    // Without credentials, with a wrong password, with an unknown user: 401 and the
    // challenge; every path alike.
    for (user, password) in [
        (None, None),
        (Some("prometheus"), Some("wrong")),
        (Some("nobody"), Some("scrape-secret")),
    ] {
        for path in ["/metrics", "/", "/-/healthy"] {
            let mut request = client.get(format!("https://{address}{path}"));
            if let Some(user) = user {
                request = request.basic_auth(user, password);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 401, "{user:?} {path}");
            assert_eq!(
                answer.headers()["www-authenticate"],
                "Basic realm=\"wa-status\""
            );
        }
    }
    // With them: the metrics, over TLS.
    let mut found = None;
    for _ in 0..50 {
        let text = client
            .get(&url)
            .basic_auth("prometheus", Some("scrape-secret"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if let Some(value) = parse_metrics(&text).get(&series) {
            found = Some(*value);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(found, Some(1.0));
    // Plain HTTP to the TLS port gets nothing.
    let plain = wa_tests::http_client()
        .get(format!("http://{address}/metrics"))
        .send()
        .await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true));
    child.kill().await.unwrap();

    // A file with a setting it does not know, or a hash that is not bcrypt: refused at
    // start, saying which, and never quoting the hash.
    for (text, said) in [
        (
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [x]\n",
            "tls_server_config: unknown field `cipher_suites`",
        ),
        (
            "basic_auth_users:\n  prometheus: plain-secret-password\n",
            "basic_auth_users: the hash of `prometheus` is not a bcrypt hash (its value is not shown)",
        ),
        (
            "tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n",
            "cert_file missing.crt: ",
        ),
    ] {
        let path = dir.join("bad.yml");
        std::fs::write(&path, text).unwrap();
        let path = path.display().to_string();
        let output = run(&["exporter", "--web.config.file", &path, &targets[0]], &[]).await;
        assert_eq!(output.code, 3);
        assert!(
            output.stderr.starts_with(&format!("wa-status: error: --web.config.file {path}: "))
                && output.stderr.contains(said),
            "{}",
            output.stderr
        );
        assert!(!output.stderr.contains("plain-secret-password"));
    }
    std::fs::remove_dir_all(dir).unwrap();
}
