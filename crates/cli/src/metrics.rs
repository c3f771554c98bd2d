//! The exporter's metrics: what they are, how a check updates them, and their exposition in
//! both formats Prometheus reads.
//!
//! Per instance (labels `name` and `provider`; never `instance` or `job`, which Prometheus
//! attaches to every target and would rename ours to `exported_instance`), at most six
//! series:
//! - `whatsapp_instance_connected`: 1 when the last reading is `connected`, else 0. A failed
//!   check leaves it as it was: an outage of the check is not a disconnected phone.
//! - `whatsapp_instance_check_success`: 1 when the last check read a state, 0 when it failed.
//! - `whatsapp_instance_state`: one series carrying the last state read and its action as
//!   labels (`state`, `action`), value 1. One series, not one per state: alerts select the
//!   state with a label matcher and `for:` works as the series lives while the state lasts;
//!   eleven one-hot series per instance cost eleven times the scrape for nothing an alert
//!   needs (see docs/monitoring.md).
//! - `whatsapp_instance_last_success_timestamp_seconds` and
//!   `whatsapp_instance_reading_age_seconds`: when the last reading was taken, and how old
//!   it is at scrape time; both absent until the first reading (never a 0 for "never").
//! - `whatsapp_instance_check_errors_total`: failed checks, created at 0 when the instance
//!   is declared so that `increase()` sees the first error.
//!
//! Per provider: `whatsapp_check_errors_total` by error kind (every kind created at 0) and
//! the `whatsapp_check_duration_seconds` histogram. The exporter's own:
//! `wa_status_build_info`, `wa_status_instances`, `wa_status_checks_total` and
//! `wa_status_last_check_timestamp_seconds` (its checks go on whether or not anyone
//! scrapes).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use wa_unified::{ErrorKind, InstanceStatus};

use crate::targets::Target;

/// The check-duration histogram's buckets, in seconds: from a loopback answer to a
/// provider at the edge of the default timeout.
const DURATION_BUCKETS: [f64; 10] = [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

type FloatGauge = Gauge<f64, AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InstanceLabels {
    name: String,
    provider: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    name: String,
    provider: String,
    state: String,
    action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    provider: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

#[derive(Clone)]
struct DurationHistogram;

impl MetricConstructor<Histogram> for DurationHistogram {
    fn new_metric(&self) -> Histogram {
        Histogram::new(DURATION_BUCKETS)
    }
}

/// Every metric the exporter serves, and the registry that encodes them.
pub struct Metrics {
    registry: Registry,
    connected: Family<InstanceLabels, Gauge>,
    check_success: Family<InstanceLabels, Gauge>,
    state: Family<StateLabels, Gauge>,
    last_success: Family<InstanceLabels, FloatGauge>,
    reading_age: Family<InstanceLabels, FloatGauge>,
    instance_errors: Family<InstanceLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    duration: Family<ProviderLabels, Histogram, DurationHistogram>,
    checks: Counter,
    last_check: FloatGauge,
    /// Per declared instance, in the order of the targets: its labels and the labels of the
    /// state series it has now, if any (removed when the state changes).
    instances: Vec<(InstanceLabels, Mutex<Option<StateLabels>>)>,
    /// The shared store, whose state each scrape shows.
    store: Option<(wa_unified::Store, Gauge, Counter)>,
    /// Per declared instance, whether it has been checked once; and how many have not.
    checked: Vec<AtomicBool>,
    never_checked: AtomicUsize,
}

impl Metrics {
    /// The metrics of a fleet: every instance's counters at zero, and every error kind of
    /// every provider in it at zero.
    pub fn new(targets: &[Target], store: Option<wa_unified::Store>) -> Metrics {
        let mut registry = Registry::default();
        let connected = Family::<InstanceLabels, Gauge>::default();
        let check_success = Family::<InstanceLabels, Gauge>::default();
        let state = Family::<StateLabels, Gauge>::default();
        let last_success = Family::<InstanceLabels, FloatGauge>::default();
        let reading_age = Family::<InstanceLabels, FloatGauge>::default();
        let instance_errors = Family::<InstanceLabels, Counter>::default();
        let errors = Family::<ErrorLabels, Counter>::default();
        let duration = Family::new_with_constructor(DurationHistogram);
        let checks = Counter::default();
        let last_check = FloatGauge::default();
        let build = Family::<BuildLabels, Gauge>::default();
        let declared = Gauge::<i64>::default();
        registry.register(
            "whatsapp_instance_connected",
            "1 when the instance's last reading is connected (able to send), else 0; a failed check leaves it as it was",
            connected.clone(),
        );
        registry.register(
            "whatsapp_instance_check_success",
            "1 when the instance's last check read a state, 0 when it failed",
            check_success.clone(),
        );
        registry.register(
            "whatsapp_instance_state",
            "The instance's last state read, and the action it needs, as labels (value 1)",
            state.clone(),
        );
        registry.register(
            "whatsapp_instance_last_success_timestamp_seconds",
            "When the instance's last reading was taken, in Unix seconds",
            last_success.clone(),
        );
        registry.register(
            "whatsapp_instance_reading_age_seconds",
            "How old the instance's last reading is, at scrape time",
            reading_age.clone(),
        );
        registry.register(
            "whatsapp_instance_check_errors",
            "Failed checks of the instance, every kind",
            instance_errors.clone(),
        );
        registry.register(
            "whatsapp_check_errors",
            "Failed checks, by provider and error kind",
            errors.clone(),
        );
        registry.register(
            "whatsapp_check_duration_seconds",
            "How long checks take, retries included, by provider",
            duration.clone(),
        );
        registry.register(
            "wa_status_build_info",
            "The exporter's version (value 1)",
            build.clone(),
        );
        registry.register(
            "wa_status_instances",
            "How many instances the exporter checks",
            declared.clone(),
        );
        registry.register(
            "wa_status_checks",
            "Checks the exporter has completed, every instance and outcome",
            checks.clone(),
        );
        registry.register(
            "wa_status_last_check_timestamp_seconds",
            "When the exporter last completed a check, in Unix seconds",
            last_check.clone(),
        );
        registry.register_collector(Box::new(crate::process_metrics::ProcessMetrics));
        let store = store.map(|store| {
            let up = Gauge::default();
            let fallbacks = Counter::default();
            registry.register(
                "wa_status_store_up",
                "1 when the last call to the shared store worked, 0 when the exporter keeps its quotas itself",
                up.clone(),
            );
            registry.register(
                "wa_status_store_fallbacks",
                "Calls to the shared store that failed, each answered by the exporter alone",
                fallbacks.clone(),
            );
            (store, up, fallbacks)
        });
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            })
            .set(1);
        declared.set(i64::try_from(targets.len()).unwrap_or(i64::MAX));
        let instances: Vec<_> = targets
            .iter()
            .map(|target| {
                let labels = InstanceLabels {
                    name: target.name.clone(),
                    provider: target.config.provider().name().to_owned(),
                };
                // Created at zero, so that `increase()` sees the first error.
                let _ = instance_errors.get_or_create(&labels);
                (labels, Mutex::new(None))
            })
            .collect();
        let providers: BTreeSet<&str> =
            targets.iter().map(|t| t.config.provider().name()).collect();
        for provider in providers {
            for kind in ErrorKind::ALL {
                let _ = errors.get_or_create(&ErrorLabels {
                    provider: provider.to_owned(),
                    kind: kind.name().to_owned(),
                });
            }
            let _ = duration.get_or_create(&ProviderLabels {
                provider: provider.to_owned(),
            });
        }
        Metrics {
            registry,
            connected,
            check_success,
            state,
            last_success,
            reading_age,
            instance_errors,
            errors,
            duration,
            checks,
            last_check,
            checked: instances.iter().map(|_| AtomicBool::new(false)).collect(),
            never_checked: AtomicUsize::new(instances.len()),
            instances,
            store,
        }
    }

    /// Whether every instance has been checked once, so that a scrape shows the whole fleet.
    pub fn every_instance_checked(&self) -> bool {
        self.never_checked.load(Ordering::Relaxed) == 0
    }

    /// Records the check of the `index`th target.
    pub fn record(
        &self,
        index: usize,
        result: &Result<InstanceStatus, wa_unified::Error>,
        elapsed: Duration,
    ) {
        let Some((labels, current_state)) = self.instances.get(index) else {
            return;
        };
        if let Some(checked) = self.checked.get(index) {
            if !checked.swap(true, Ordering::Relaxed) {
                self.never_checked.fetch_sub(1, Ordering::Relaxed);
            }
        }
        self.checks.inc();
        self.last_check.set(unix_seconds());
        self.duration
            .get_or_create(&ProviderLabels {
                provider: labels.provider.clone(),
            })
            .observe(elapsed.as_secs_f64());
        match result {
            Ok(status) => {
                self.check_success.get_or_create(labels).set(1);
                self.connected
                    .get_or_create(labels)
                    .set(i64::from(status.is_connected()));
                let state = StateLabels {
                    name: labels.name.clone(),
                    provider: labels.provider.clone(),
                    state: status.state.name().to_owned(),
                    action: status.required_action.map_or("", |a| a.name()).to_owned(),
                };
                let mut current = current_state.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(previous) = current.as_ref().filter(|p| **p != state) {
                    self.state.remove(previous);
                }
                self.state.get_or_create(&state).set(1);
                *current = Some(state);
                self.last_success.get_or_create(labels).set(unix_seconds());
            }
            Err(error) => {
                self.check_success.get_or_create(labels).set(0);
                self.instance_errors.get_or_create(labels).inc();
                self.errors
                    .get_or_create(&ErrorLabels {
                        provider: labels.provider.clone(),
                        kind: error.kind().name().to_owned(),
                    })
                    .inc();
            }
        }
    }

    /// The exposition in `format`, with every reading's age as of now.
    pub fn encode(&self, format: Format) -> Result<String, std::fmt::Error> {
        let now = unix_seconds();
        for (labels, _) in &self.instances {
            let taken = self.last_success.get(labels).map(|gauge| gauge.get());
            if let Some(taken) = taken {
                self.reading_age
                    .get_or_create(labels)
                    .set((now - taken).max(0.0));
            }
        }
        if let Some((store, up, fallbacks)) = &self.store {
            up.set(i64::from(store.is_up()));
            fallbacks.inc_by(store.fallbacks().saturating_sub(fallbacks.get()));
        }
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(exposition(&text, format))
    }
}

/// The two exposition formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// OpenMetrics 1.0.0.
    OpenMetrics,
    /// Prometheus' text format 0.0.4.
    Text,
}

impl Format {
    /// The format a scraper's `Accept` header prefers: OpenMetrics when it accepts it at
    /// least as much as the text format, else the text format (also without a header).
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut openmetrics = 0.0f32;
        let mut text = 0.0f32;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media_type = parts.next().unwrap_or_default().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            match media_type.as_str() {
                "application/openmetrics-text" => openmetrics = openmetrics.max(quality),
                "text/plain" | "*/*" | "text/*" => text = text.max(quality),
                _ => {}
            }
        }
        if openmetrics > 0.0 && openmetrics >= text {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
        }
    }
}

/// prometheus-client's OpenMetrics text, as served in `format`.
///
/// OpenMetrics is served as written: a counter family `x` over `x_total` samples, as the
/// standard requires (a strict parser, `prometheus_client`'s in Python, refuses a family
/// named `x_total` as clashing with its samples). In the text format 0.0.4, a counter's
/// family is named with the `_total` its samples carry: Prometheus' text parser, and so
/// `promtool check metrics`, reads `# TYPE x counter` over `x_total` samples as an untyped
/// `x_total` without help. The text format also has no `# UNIT` lines and no `# EOF`.
/// Sample lines, escaping, gauges and histograms are the same in both.
fn exposition(openmetrics: &str, format: Format) -> String {
    if format == Format::OpenMetrics {
        return openmetrics.to_owned();
    }
    let counters: BTreeSet<&str> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE "))
        .filter_map(|rest| rest.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{prefix}{name}_total {tail}"))
        });
        match renamed {
            Some(line) => out.push_str(&line),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn unix_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrapers_preference_decides_the_format() {
        // Prometheus 2.42's header.
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(
            Format::negotiate(Some("text/plain; version=0.0.4")),
            Format::Text
        );
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        assert_eq!(Format::negotiate(None), Format::Text);
        assert_eq!(
            Format::negotiate(Some("text/plain;q=0.9, application/openmetrics-text;q=0.5")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0")),
            Format::Text
        );
    }

    #[test]
    fn counter_families_are_named_with_total_in_the_text_format_only() {
        let openmetrics = "# HELP a_errors Failed.\n# TYPE a_errors counter\na_errors_total{k=\"v\"} 0\n# HELP b Up.\n# TYPE b gauge\n# UNIT b seconds\nb 1\n# EOF\n";
        assert_eq!(
            exposition(openmetrics, Format::Text),
            "# HELP a_errors_total Failed.\n# TYPE a_errors_total counter\na_errors_total{k=\"v\"} 0\n# HELP b Up.\n# TYPE b gauge\nb 1\n"
        );
        assert_eq!(exposition(openmetrics, Format::OpenMetrics), openmetrics);
    }
}
