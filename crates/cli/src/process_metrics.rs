//! The `process_*` metrics every Prometheus client library exports (the names and meanings
//! of the Go client's), read from `/proc` at each scrape with `procfs`. Linux only:
//! elsewhere there are none, rather than made-up ones.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// The process' own figures, collected at each scrape.
#[derive(Debug, Default)]
pub struct ProcessMetrics;

/// One reading of `/proc/self`.
#[cfg(target_os = "linux")]
struct Reading {
    cpu_seconds: f64,
    open_fds: i64,
    max_fds: Option<i64>,
    virtual_bytes: i64,
    max_virtual_bytes: Option<i64>,
    resident_bytes: i64,
    start_time_seconds: f64,
    threads: i64,
}

#[cfg(target_os = "linux")]
fn read() -> procfs::ProcResult<Reading> {
    use procfs::process::{LimitValue, Process};
    use procfs::WithCurrentSystemInfo;
    let process = Process::myself()?;
    let stat = process.stat()?;
    let limits = process.limits()?;
    let ticks = procfs::ticks_per_second() as f64;
    let limit = |value: LimitValue| match value {
        LimitValue::Value(v) => i64::try_from(v).ok(),
        LimitValue::Unlimited => None,
    };
    let boot = procfs::boot_time_secs()? as f64;
    Ok(Reading {
        cpu_seconds: (stat.utime + stat.stime) as f64 / ticks,
        open_fds: i64::try_from(process.fd_count()?).unwrap_or(i64::MAX),
        max_fds: limit(limits.max_open_files.soft_limit),
        virtual_bytes: i64::try_from(stat.vsize).unwrap_or(i64::MAX),
        max_virtual_bytes: limit(limits.max_address_space.soft_limit),
        resident_bytes: i64::try_from(stat.rss_bytes().get()).unwrap_or(i64::MAX),
        start_time_seconds: boot + stat.starttime as f64 / ticks,
        threads: stat.num_threads,
    })
}

impl Collector for ProcessMetrics {
    #[cfg(target_os = "linux")]
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        use prometheus_client::metrics::MetricType;
        // /proc unreadable (a sandbox): no process metrics, the scrape goes on.
        let Ok(reading) = read() else {
            return Ok(());
        };
        let counter = ConstCounter::new(reading.cpu_seconds);
        counter.encode(encoder.encode_descriptor(
            "process_cpu_seconds",
            "Total user and system CPU time spent in seconds.",
            None,
            MetricType::Counter,
        )?)?;
        let gauges: [(&str, &str, Option<i64>); 5] = [
            (
                "process_open_fds",
                "Number of open file descriptors.",
                Some(reading.open_fds),
            ),
            (
                "process_max_fds",
                "Maximum number of open file descriptors.",
                reading.max_fds,
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
                Some(reading.virtual_bytes),
            ),
            (
                "process_virtual_memory_max_bytes",
                "Maximum amount of virtual memory available in bytes.",
                reading.max_virtual_bytes,
            ),
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                Some(reading.resident_bytes),
            ),
        ];
        // A limit that is unlimited is left out, as the Go client does.
        for (name, help, value) in gauges {
            if let Some(value) = value {
                ConstGauge::new(value).encode(encoder.encode_descriptor(
                    name,
                    help,
                    None,
                    MetricType::Gauge,
                )?)?;
            }
        }
        ConstGauge::new(reading.start_time_seconds).encode(encoder.encode_descriptor(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            None,
            MetricType::Gauge,
        )?)?;
        ConstGauge::new(reading.threads).encode(encoder.encode_descriptor(
            "process_threads",
            "Number of OS threads in the process.",
            None,
            MetricType::Gauge,
        )?)
    }

    #[cfg(not(target_os = "linux"))]
    fn encode(&self, _encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        Ok(())
    }
}
