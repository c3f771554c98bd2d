//! What `cargo xtask codegen` costs once built: the whole pipeline for each provider
//! (overlay, passes, progenitor, prettyplease), in memory, against the baseline of only
//! reading and parsing that provider's vendor document.
//!
//! `cargo bench -p xtask --bench codegen`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use xtask::codegen::generate;
use xtask::providers::{discover, workspace_root};

fn codegen(c: &mut Criterion) {
    let root = workspace_root();
    let providers = discover(&root).expect("the provider folders");
    let mut group = c.benchmark_group("codegen");
    group.sample_size(20);
    for provider in &providers {
        group.bench_function(format!("{}/full-pipeline", provider.name), |b| {
            b.iter(|| black_box(generate(&root, provider).expect("the pipeline runs")))
        });
        group.bench_function(format!("{}/read-and-parse-spec", provider.name), |b| {
            b.iter(|| {
                let text =
                    std::fs::read_to_string(root.join(provider.spec_path())).expect("the spec");
                black_box(serde_yaml_ng::from_str::<serde_json::Value>(&text).expect("YAML"))
            })
        });
    }
    group.bench_function("every-provider/full-pipeline", |b| {
        b.iter(|| {
            for provider in &providers {
                black_box(generate(&root, provider).expect("the pipeline runs"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
