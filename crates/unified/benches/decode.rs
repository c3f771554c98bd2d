//! Decoding and mapping a typical status body into an `InstanceStatus`, per provider,
//! against the baseline a hand-rolled client would pay at least: parsing the same bytes
//! into a `serde_json::Value`. Prints criterion's figures, then the ratio per provider.
//!
//! `cargo bench -p wa-unified --bench decode`

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::Criterion;
use wa_unified::decode;

const MEGAAPI: &[u8] = br#"{"error":false,"message":"Instance fetched successfully","instance":{"key":"megastart-MDEMO0001","status":"connected","user":{"id":"5511999990001"}}}"#;
const VZAPS: &[u8] = br#"{"code":200,"success":true,"data":{"connected":true,"phone":"551151968302","whatsapp_jid":"551151968302@s.whatsapp.net","push_name":"Aprova Mesa Prop","business_name":"Aprova Mesa Prop","business_profile":{"business_hours_timezone":"America/Sao_Paulo","categories":[{"id":"1022050661163852","name":"Finance"}],"profile_options":{"bot_fields":"","cart_enabled":"true","commerce_experience":"none","direct_connection":"false","is_offerings_eligible":"true","is_responsive":"false"}},"profile_picture_id":"1242225976","profile_picture_url":"https://pps.whatsapp.net/v/t61.24694-24/example.jpg","profile_url":"https://wa.me/551151968302"}}"#;
const HYPERSENDER: &[u8] = br#"{"instance_id":"fa3d01c4-1234-4c0d-a12f-df319b612f8c","connected_at":"2025-05-26T10:12:45","status":"WORKING"}"#;
const GREEN_API: &[u8] = br#"{"stateInstance":"authorized"}"#;

type Decode = fn(&str, &[u8]) -> Result<wa_unified::InstanceStatus, wa_unified::Error>;

const CASES: [(&str, &str, &[u8], Decode); 4] = [
    ("megaapi", "megastart-MDEMO0001", MEGAAPI, decode::megaapi),
    (
        "vzaps",
        "VZ9K2M4N8P1Q3R5S7T0WABCD01EF",
        VZAPS,
        decode::vzaps,
    ),
    (
        "hypersender",
        "fa3d01c4-1234-4c0d-a12f-df319b612f8c",
        HYPERSENDER,
        decode::hypersender,
    ),
    ("green-api", "1101000001", GREEN_API, decode::green_api),
];

fn output_directory() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("criterion-decode")
}

fn main() {
    let mut criterion = Criterion::default()
        .output_directory(&output_directory())
        .configure_from_args();
    for (provider, instance, body, decode) in CASES {
        // A body that does not decode would make the comparison meaningless.
        decode(instance, body).unwrap_or_else(|e| panic!("{provider}: {e}"));
        let mut group = criterion.benchmark_group(format!("decode-{provider}"));
        group.bench_function("wa-unified", |b| {
            b.iter(|| decode(black_box(instance), black_box(body)))
        });
        group.bench_function("serde_json-value", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)))
        });
        group.finish();
    }
    criterion.final_summary();
    print_ratios();
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
    for (provider, _, body, _) in CASES {
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
