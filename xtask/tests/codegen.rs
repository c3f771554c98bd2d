//! The pipeline's guards, run by a plain `cargo test`:
//! - the checked-in generated files, normalized documents, registry and docs sections are
//!   current (the same check as `cargo xtask codegen --check`);
//! - insta snapshots of each provider's normalized document and generated public surface,
//!   so a spec or overlay change shows as a reviewable diff (`cargo insta review`); every
//!   folder of `specs/` gets its snapshots without a test of its own;
//! - generation is byte-identical from run to run;
//! - the vendor documents are still the blocks of the vendors' pages, byte for byte.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};

use xtask::codegen::{generate, normalize, sha256_hex, PROGENITOR_VERSION};
use xtask::files::{codegen, Mode};
use xtask::providers::{discover, workspace_root};
use xtask::surface::public_surface;

#[test]
fn checked_in_generated_files_are_current() {
    let root = workspace_root();
    let all = discover(&root).unwrap();
    let names: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
    if let Err(diff) = codegen(&root, &all, &names, Mode::Check) {
        panic!("{diff}");
    }
}

#[test]
fn generation_is_byte_identical_from_run_to_run() {
    let root = workspace_root();
    for provider in discover(&root).unwrap() {
        let first = generate(&root, &provider).unwrap();
        let second = generate(&root, &provider).unwrap();
        assert_eq!(first, second, "{} differs between two runs", provider.name);
    }
}

/// Snapshots of every provider's normalized document and generated public surface, named
/// after its folder. Every provider is compared before the test fails, so a failing run
/// shows each provider's differences, not the first only.
#[test]
fn every_provider_has_its_snapshots() {
    let root = workspace_root();
    let mut failed = Vec::new();
    for provider in discover(&root).unwrap() {
        let name = provider.name.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let normalized = normalize(&root, &provider).unwrap();
            insta::assert_json_snapshot!(format!("{name}-normalized"), normalized);
            let generated = generate(&root, &provider).unwrap();
            let surface = public_surface(&generated.code).unwrap();
            insta::assert_snapshot!(format!("{name}-surface"), surface);
        }));
        if outcome.is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "snapshots differ for {failed:?}");
}

#[test]
fn every_generated_file_names_its_source_and_generator() {
    let root = workspace_root();
    for provider in discover(&root).unwrap() {
        let code = generate(&root, &provider).unwrap().code;
        let spec = fs::read(root.join(provider.spec_path())).unwrap();
        let expected = format!(
            "// Source spec: specs/{}/openapi.yaml (sha256 {})",
            provider.name,
            sha256_hex(&spec)
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

/// Each provider whose document came from a shared vendor page names that page in its
/// manifest (`source_page`); the document must still be the page's block (or the whole
/// file), byte for byte.
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
    let mut compared = 0;
    for provider in discover(&root).unwrap() {
        let Some(page) = &provider.manifest.source_page else {
            continue;
        };
        let page_text = fs::read_to_string(pages.join(page)).unwrap();
        let spec = fs::read_to_string(root.join(provider.spec_path())).unwrap();
        let matches = match fenced_yaml_block(&page_text) {
            Some(block) => block == spec,
            // A whole document, not a page with a block.
            None => page_text == spec,
        };
        assert!(
            matches,
            "specs/{}/openapi.yaml differs from {page}",
            provider.name
        );
        compared += 1;
    }
    assert!(compared > 0, "no provider names its source page");
}

#[test]
fn every_folder_that_is_not_a_provider_yet_is_named_at_once_with_what_to_add() {
    let root = std::env::temp_dir().join(format!("xtask-discover-{}", std::process::id()));
    fs::create_dir_all(root.join("specs/newcomer")).unwrap();
    fs::create_dir_all(root.join("specs/other")).unwrap();
    fs::write(root.join("specs/other/provider.toml"), "").unwrap();
    let error = discover(&root).unwrap_err();
    assert_eq!(
        error,
        "specs/newcomer has no provider.toml: every folder of specs/ is a provider; add its manifest (see specs/README.md, \"Adding a provider\", or run `cargo xtask new-provider newcomer`)\n\
         specs/other has no openapi.yaml: add the vendor's OpenAPI document, or an authored one that says so at its top"
    );
    fs::remove_dir_all(root).unwrap();
}

/// Every normalized document holds one operation, the provider's status call, and only
/// components that something left references: a vendor's whole-platform document gives a
/// small client.
#[test]
fn every_normalized_document_holds_only_the_status_operation() {
    let root = workspace_root();
    for provider in discover(&root).unwrap() {
        let doc = normalize(&root, &provider).unwrap();
        let operations: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op.get("operationId").and_then(|id| id.as_str()))
            .collect();
        assert_eq!(
            operations,
            [provider.manifest.status.operation.as_str()],
            "{}",
            provider.name
        );
        let text = serde_json::to_string(&doc).unwrap();
        for (name, _) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            assert!(
                text.contains(&format!("\"#/components/schemas/{name}\"")),
                "{}: `{name}` is referenced by nothing",
                provider.name
            );
        }
    }
}

/// The public API of `wa-unified`, the library Rust users depend on: a change to it is
/// reviewed as a snapshot diff (and, with `CI=true`, fails CI until it is accepted), so it
/// never breaks by accident. Semver: a removed or changed item needs a new major version
/// (a minor one before 1.0).
#[test]
fn the_public_api_of_wa_unified_is_as_reviewed() {
    let src = xtask::providers::workspace_root().join("crates/unified/src");
    let surface = xtask::surface::crate_surface(&src).unwrap();
    insta::assert_snapshot!("wa-unified-public-api", surface);
}

/// The guide's examples are files the xtask reads: every key `specs/README.md` documents is
/// one the parser takes (it refuses unknown keys), and the example manifest passes its
/// checks but for what needs a folder (recordings).
#[test]
fn the_guides_examples_are_read_as_the_xtask_reads_them() {
    let guide = fs::read_to_string(workspace_root().join("specs/README.md")).unwrap();
    let block = |heading: &str| {
        let at = guide
            .find(heading)
            .unwrap_or_else(|| panic!("no {heading}"));
        let start = at + guide[at..].find("```toml\n").unwrap() + 8;
        let end = start + guide[start..].find("\n```").unwrap();
        guide[start..end].to_owned()
    };
    let manifest: xtask::manifest::Manifest = toml::from_str(&block("## `provider.toml`"))
        .unwrap_or_else(|e| panic!("the guide's provider.toml: {e}"));
    assert_eq!(manifest.credentials.len(), 2);
    assert_eq!(
        xtask::manifest::credential_sets(&manifest).unwrap(),
        [
            vec!["token".to_owned()],
            vec!["token".to_owned(), "client_token".to_owned()]
        ]
    );
    let recording: xtask::manifest::RecordingFile = toml::from_str(&block("## `responses/"))
        .unwrap_or_else(|e| panic!("the guide's recording: {e}"));
    assert_eq!(recording.expect.state.as_deref(), Some("restricted"));
}
