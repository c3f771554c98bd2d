//! What `cargo xtask codegen` costs once built: the whole pipeline for the four providers
//! (overlay, passes, progenitor, prettyplease), in memory, against the baseline of only
//! reading and parsing the four vendor documents.
//!
//! `cargo bench -p xtask --bench codegen`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use xtask::codegen::generate;
use xtask::providers::{workspace_root, PROVIDERS};

fn codegen(c: &mut Criterion) {
    let root = workspace_root();
    let mut group = c.benchmark_group("codegen-4-providers");
    group.sample_size(20);
    group.bench_function("full-pipeline", |b| {
        b.iter(|| {
            for provider in PROVIDERS {
                black_box(generate(&root, provider).expect("the pipeline runs"));
            }
        })
    });
    group.bench_function("read-and-parse-specs", |b| {
        b.iter(|| {
            for provider in PROVIDERS {
                let text =
                    std::fs::read_to_string(root.join(provider.spec_path())).expect("the spec");
                black_box(serde_yaml_ng::from_str::<serde_json::Value>(&text).expect("YAML"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
