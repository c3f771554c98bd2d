//! Decoding and mapping a typical status body into an `InstanceStatus`, per provider,
//! against the baseline a hand-rolled client would pay at least: parsing the same bytes
//! into a `serde_json::Value`. Prints criterion's figures, then the ratio per provider.
//!
//! `cargo bench -p wa-unified --bench decode`

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::Criterion;
use wa_providers::Recording;
use wa_unified::{decode, ConnectionState, Provider};

/// Per provider, its largest recorded body that reads `connected`: the typical answer of
/// a healthy instance, account fields included.
fn cases() -> Vec<&'static Recording> {
    Provider::ALL
        .iter()
        .filter_map(|provider| {
            provider
                .recordings()
                .iter()
                .filter(|r| {
                    r.reading()
                        .is_some_and(|e| e.state == ConnectionState::Connected)
                })
                .max_by_key(|r| r.body.len())
        })
        .collect()
}

fn output_directory() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("criterion-decode")
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&output_directory())
        .configure_from_args();
    for recording in cases() {
        let (provider, body) = (recording.provider, recording.body.as_bytes());
        let instance = "1101000001";
        // A body that does not decode would make the comparison meaningless.
        decode(provider, instance, body).unwrap_or_else(|e| panic!("{provider}: {e}"));
        let mut group = criterion.benchmark_group(format!("decode-{provider}"));
        group.bench_function("wa-unified", |b| {
            b.iter(|| decode(provider, black_box(instance), black_box(body)))
        });
        group.bench_function("serde_json-value", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)))
        });
        group.finish();
    }
    criterion.final_summary();
    if std::env::args().any(|a| a == "--test") {
        println!("\ntest mode (`--test`): each benchmark ran once; no figures to compare");
    } else {
        print_ratios();
    }
}

/// The mean of one benchmark, in nanoseconds, from criterion's saved estimates.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let path = output_directory()
        .join(group)
        .join(function)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["mean"]["point_estimate"].as_f64()
}

fn print_ratios() {
    println!("\ndecode and map vs. serde_json::Value (means of this run)");
    println!(
        "{:<12} {:>12} {:>12} {:>8} {:>7}",
        "provider", "wa-unified", "Value", "ratio", "bytes"
    );
    for recording in cases() {
        let (provider, body) = (recording.provider.name(), recording.body);
        let group = format!("decode-{provider}");
        match (
            mean_ns(&group, "wa-unified"),
            mean_ns(&group, "serde_json-value"),
        ) {
            (Some(unified), Some(baseline)) => println!(
                "{provider:<12} {:>9.0} ns {:>9.0} ns {:>7.2}x {:>7}",
                unified,
                baseline,
                unified / baseline,
                body.len()
            ),
            _ => println!("{provider:<12} (no estimates: was the benchmark filtered out?)"),
        }
    }
}
