//! The pipeline's guards, run by a plain `cargo test`:
//! - the checked-in generated files and normalized documents are current (the same check
//!   as `cargo xtask codegen --check`);
//! - insta snapshots of each provider's normalized document and generated public surface,
//!   so a spec or overlay change shows as a reviewable diff (`cargo insta review`);
//! - generation is byte-identical from run to run;
//! - the vendor documents are still the blocks of the vendors' pages, byte for byte.

use std::fs;
use std::path::Path;

use xtask::codegen::{generate, normalize, PROGENITOR_VERSION};
use xtask::files::{codegen, Mode};
use xtask::providers::{workspace_root, Provider, PROVIDERS};
use xtask::surface::public_surface;

#[test]
fn checked_in_generated_files_are_current() {
    if let Err(diff) = codegen(&workspace_root(), &PROVIDERS, Mode::Check) {
        panic!("{diff}");
    }
}

#[test]
fn generation_is_byte_identical_from_run_to_run() {
    let root = workspace_root();
    for provider in PROVIDERS {
        let first = generate(&root, provider).unwrap();
        let second = generate(&root, provider).unwrap();
        assert_eq!(first, second, "{} differs between two runs", provider.name);
    }
}

/// Snapshots of one provider's normalized document and generated public surface. One test
/// per provider, so a failing run shows every provider's differences, not the first only.
fn assert_snapshots(name: &str) {
    let root = workspace_root();
    let provider = Provider::named(name).unwrap();
    let normalized = normalize(&root, provider).unwrap();
    insta::assert_json_snapshot!(format!("{name}-normalized"), normalized);
    let generated = generate(&root, provider).unwrap();
    let surface = public_surface(&generated.code).unwrap();
    insta::assert_snapshot!(format!("{name}-surface"), surface);
}

#[test]
fn megaapi_snapshots() {
    assert_snapshots("megaapi");
}

#[test]
fn vzaps_snapshots() {
    assert_snapshots("vzaps");
}

#[test]
fn hypersender_snapshots() {
    assert_snapshots("hypersender");
}

#[test]
fn green_api_snapshots() {
    assert_snapshots("green-api");
}

#[test]
fn every_generated_file_names_its_source_and_generator() {
    let root = workspace_root();
    for provider in PROVIDERS {
        let code = generate(&root, provider).unwrap().code;
        let spec = fs::read(root.join(provider.spec_path())).unwrap();
        let expected = format!(
            "// Source spec: specs/{}/openapi.yaml (sha256 {})",
            provider.name,
            xtask::codegen::sha256_hex(&spec)
        );
        assert!(
            code.contains(&expected),
            "{} header lacks `{expected}`",
            provider.name
        );
        assert!(code.contains(&format!(
            "// Generator:   progenitor {PROGENITOR_VERSION}\n"
        )));
    }
}

#[test]
fn the_named_generator_version_is_the_locked_one() {
    let lock = fs::read_to_string(workspace_root().join("Cargo.lock")).unwrap();
    let locked = lock
        .split("[[package]]")
        .find(|package| package.contains("\nname = \"progenitor-impl\"\n"))
        .and_then(|package| package.lines().find(|l| l.starts_with("version = ")))
        .map(|line| {
            line.trim_start_matches("version = ")
                .trim_matches('"')
                .to_owned()
        });
    assert_eq!(locked.as_deref(), Some(PROGENITOR_VERSION));
}

/// The OpenAPI block of a vendor page: the text between the opening fence line
/// (```` ```yaml ```` or ```` ````yaml <path> ````) and its closing fence.
fn fenced_yaml_block(page: &str) -> Option<&str> {
    let mut offset = 0;
    for line in page.split_inclusive('\n') {
        let fence_len = line.chars().take_while(|&c| c == '`').count();
        if fence_len >= 3 && line[fence_len..].starts_with("yaml") {
            let fence = &line[..fence_len];
            let start = offset + line.len();
            let mut inner = start;
            for body_line in page[start..].split_inclusive('\n') {
                if body_line.trim_end_matches(['\r', '\n']) == fence {
                    return Some(&page[start..inner]);
                }
                inner += body_line.len();
            }
            return None;
        }
        offset += line.len();
    }
    None
}

#[test]
fn vendor_documents_are_the_blocks_of_the_vendor_pages() {
    let root = workspace_root();
    let pages = root.join("../shared/vendor-docs");
    if !pages.is_dir() {
        // The pages live beside the repository in the project's shared folder; a clone
        // without it cannot compare, and says so.
        eprintln!("skipped: {} is not present", pages.display());
        return;
    }
    for (provider, page) in [
        ("megaapi", "megaapi-instance-status.md"),
        ("vzaps", "vzaps-session-status.md"),
        ("hypersender", "hypersender-instance-health.md"),
    ] {
        let page_text = fs::read_to_string(pages.join(page)).unwrap();
        let block = fenced_yaml_block(&page_text).unwrap_or_else(|| panic!("no block in {page}"));
        let spec =
            fs::read_to_string(root.join(Path::new("specs").join(provider).join("openapi.yaml")))
                .unwrap();
        assert!(
            block == spec,
            "specs/{provider}/openapi.yaml differs from the block of {page}"
        );
    }
}
