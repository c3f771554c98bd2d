//! The pipeline: vendor document, overlay, general passes, normalized 3.0 document,
//! progenitor, prettyplease, `generated.rs`.

use std::fmt::Write as _;
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::api_version::remove_api_version_header;
use crate::downconvert::downconvert;
use crate::error_bodies::for_generator;
use crate::hoist::hoist_response_schemas;
use crate::open_enums::open_string_enums;
use crate::overlay::apply_overlay;
use crate::providers::Provider;
use crate::select::select_operations;
use crate::tolerant::{self, mark_tolerant, TOLERANT_CRATE};

/// The progenitor release the generated code comes from. A test compares it with
/// `Cargo.lock`, so the header cannot name a version that did not produce the file.
pub const PROGENITOR_VERSION: &str = "0.15.1";

/// The type of the fields the mapping does not read, named in the generated types: each
/// client crate exports it, so that its users need not depend on `wa-client-support`.
const TOLERANT_REEXPORT: &str =
    "/// How a field the status mapping does not read is typed (see `xtask/src/tolerant.rs`).\npub use wa_client_support::Tolerant;\n";

/// The two files the pipeline produces for one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The provider's wire name.
    pub provider: String,
    /// The normalized OpenAPI 3.0 document, as pretty JSON ending in a newline.
    pub normalized: String,
    /// The client module, formatted by prettyplease, with its header.
    pub code: String,
}

/// Reads a provider's document and overlay and runs every pass, giving the normalized 3.0
/// document progenitor reads.
pub fn normalize(root: &Path, provider: &Provider) -> Result<Value, String> {
    let spec_path = provider.spec_path();
    let spec_text = read(root, &spec_path)?;
    let mut doc: Value = serde_yaml_ng::from_str(&spec_text)
        .map_err(|e| format!("{} is not valid YAML: {e}", spec_path.display()))?;

    let mut provenance = json!({
        "source": spec_path.display().to_string(),
        "source_sha256": sha256_hex(spec_text.as_bytes()),
    });
    if let Some(overlay_path) = provider.overlay_path() {
        let overlay_text = read(root, &overlay_path)?;
        apply_overlay(&mut doc, &overlay_text)
            .map_err(|e| format!("{}: {e}", overlay_path.display()))?;
        provenance["overlay"] = json!(overlay_path.display().to_string());
        provenance["overlay_sha256"] = json!(sha256_hex(overlay_text.as_bytes()));
    }
    let keep = [provider.manifest.status.operation.as_str()];
    select_operations(&mut doc, &keep).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    normalize_document(&mut doc)?;
    let status = &provider.manifest.status;
    mark_tolerant(&mut doc, &status.operation, &status.reads)
        .map_err(|e| format!("specs/{}/provider.toml: {e}", provider.name))?;
    doc.as_object_mut()
        .ok_or("the document is not an object")?
        .insert("x-normalized-by".into(), provenance);
    Ok(doc)
}

/// The general passes every document goes through, after its overlay.
pub fn normalize_document(doc: &mut Value) -> Result<(), String> {
    downconvert(doc);
    hoist_response_schemas(doc)?;
    open_string_enums(doc);
    Ok(())
}

/// Runs the whole pipeline for one provider, in memory.
pub fn generate(root: &Path, provider: &Provider) -> Result<Generated, String> {
    let in_provider = |e: String| format!("{}: {e}", provider.name);
    let normalized = normalize(root, provider).map_err(in_provider)?;
    let code = generate_code(&normalized).map_err(in_provider)?;
    let header = header(root, provider).map_err(in_provider)?;
    let mut normalized_text = serde_json::to_string_pretty(&normalized)
        .map_err(|e| in_provider(format!("cannot serialize the normalized document: {e}")))?;
    normalized_text.push('\n');
    let glue = crate::glue::client_glue(provider, &normalized, &code)?;
    Ok(Generated {
        provider: provider.name.clone(),
        normalized: normalized_text,
        code: format!("{header}\n{code}{TOLERANT_REEXPORT}{glue}"),
    })
}

/// Runs progenitor on a normalized document (as the generator sees it: see
/// [`crate::error_bodies`]) and formats the result. A progenitor error or panic becomes an
/// error naming the operation that caused it.
pub fn generate_code(normalized: &Value) -> Result<String, String> {
    let mut generator_view = normalized.clone();
    for_generator(&mut generator_view);
    tolerant::for_generator(&mut generator_view);
    let normalized = &generator_view;
    match run_progenitor(normalized) {
        Ok(code) => Ok(code),
        Err(whole_document_error) => Err(match failing_operation(normalized) {
            Some((operation, error)) => format!("operation {operation}: {error}"),
            None => whole_document_error,
        }),
    }
}

fn run_progenitor(normalized: &Value) -> Result<String, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(normalized.clone())
        .map_err(|e| format!("the normalized document is not OpenAPI 3.0: {e}"))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_inner_type(quote::quote!(crate::Context))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_derive("PartialEq")
        .with_crate(TOLERANT_CRATE, progenitor::CrateVers::Any, None);
    let tokens = catch_unwind(AssertUnwindSafe(|| {
        progenitor::Generator::new(&settings).generate_tokens(&spec)
    }))
    .map_err(|panic| format!("progenitor panicked: {}", panic_message(&panic)))?
    .map_err(|e| format!("progenitor failed: {e}"))?;
    let mut file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    let operations = spec.operations().count();
    let removed = remove_api_version_header(&mut file);
    if removed != operations {
        // A progenitor update changed how it adds the header; the pass must follow it.
        return Err(format!(
            "expected one `api-version` header per operation ({operations}), found {removed}: update xtask/src/api_version.rs"
        ));
    }
    Ok(prettyplease::unparse(&file))
}

/// Generates each operation on its own to find the first one progenitor cannot handle, so
/// the error can name it. Returns `None` when every operation succeeds alone.
fn failing_operation(normalized: &Value) -> Option<(String, String)> {
    let paths = normalized.get("paths")?.as_object()?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        // Only the methods: a path item also holds `parameters`, `servers` and vendor
        // extensions (`x-...`), which are not operations.
        for (method, operation) in item {
            if !crate::select::METHODS.contains(&method.as_str()) {
                continue;
            }
            let mut alone = normalized.clone();
            let mut single_item = serde_json::Map::new();
            single_item.insert(method.clone(), operation.clone());
            if let Some(shared) = item.get("parameters") {
                single_item.insert("parameters".into(), shared.clone());
            }
            alone["paths"] = json!({ path: single_item });
            if let Err(error) = run_progenitor(&alone) {
                let id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("(no operationId)");
                let name = format!("`{id}` ({} {path})", method.to_uppercase());
                return Some((name, error));
            }
        }
    }
    None
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn header(root: &Path, provider: &Provider) -> Result<String, String> {
    let spec_path = provider.spec_path();
    let mut header = String::from(
        "// @generated by `cargo xtask codegen`. Do not edit this file by hand: change the\n\
         // provider's folder (specs/<provider>/) or the xtask, then regenerate.\n//\n",
    );
    let spec_sha = sha256_hex(read(root, &spec_path)?.as_bytes());
    let _ = writeln!(
        header,
        "// Source spec: {} (sha256 {spec_sha})",
        spec_path.display()
    );
    if let Some(overlay_path) = provider.overlay_path() {
        let overlay_sha = sha256_hex(read(root, &overlay_path)?.as_bytes());
        let _ = writeln!(
            header,
            "// Overlay:     {} (sha256 {overlay_sha})",
            overlay_path.display()
        );
    }
    let _ = writeln!(
        header,
        "// Normalized:  {}",
        provider.normalized_path().display()
    );
    let _ = writeln!(header, "// Generator:   progenitor {PROGENITOR_VERSION}");
    // The generated items carry the documentation the vendor's document gives, which is
    // not every item's; the hand-written glue documents the crate.
    header.push_str("\n#![allow(missing_docs)]\n");
    Ok(header)
}

fn read(root: &Path, relative: &Path) -> Result<String, String> {
    fs::read_to_string(root.join(relative))
        .map_err(|e| format!("cannot read {}: {e}", relative.display()))
}

/// The lowercase hexadecimal SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_error_body_types_name_the_operation_instead_of_panicking() {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/fine": {"get": {"operationId": "fine", "responses": {"200": {"description": "ok"}}}},
                "/{id}/health": {"get": {
                    "operationId": "checkHealth",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "ok"},
                        "404": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
                        "429": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}
                    }
                }}
            },
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"a": {"type": "string"}}},
                "B": {"type": "object", "properties": {"b": {"type": "string"}}}
            }}
        });
        let error = generate_code(&doc).unwrap_err();
        assert_eq!(
            error,
            "operation `checkHealth` (GET /{id}/health): progenitor panicked: assertion failed: response_types.len() <= 1"
        );
    }

    #[test]
    fn a_31_document_is_named_as_such() {
        let doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}});
        assert_eq!(
            generate_code(&doc).unwrap_err(),
            "progenitor failed: unexpected or unhandled format in the OpenAPI document invalid version: 3.1.0"
        );
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
