//! `cargo xtask new-provider NAME`: a new provider's two folders, written whole, so that
//! the workspace builds, `cargo xtask codegen --check` passes and `cargo test --workspace`
//! runs before the provider is filled in. It writes `specs/NAME/` (an authored document of
//! one status call, the manifest, five recordings) and `crates/clients/NAME/src/status.rs`
//! (the mapping); `cargo xtask codegen`, which it runs, writes the rest. Last it runs the
//! tests that write what only a run can derive: the provider's first snapshots and the
//! README's demo block, for review in the diff.

use std::fs;
use std::path::{Path, PathBuf};

/// The skeleton's files, relative to the workspace, with their text.
pub fn files(name: &str) -> Result<Vec<(PathBuf, String)>, String> {
    let wire = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !wire || name.ends_with('-') || name.contains("--") {
        return Err(format!(
            "`{name}` is not a wire name: lowercase letters, digits and single `-`, starting with a letter"
        ));
    }
    let type_name: String = name
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let env = name.to_ascii_uppercase().replace('-', "_");
    let specs = Path::new("specs").join(name);
    let responses = specs.join("responses");
    let document = format!(
        r##"# AUTHORED, NOT PUBLISHED BY THE VENDOR.
# A skeleton written by `cargo xtask new-provider {name}`: replace it with the vendor's
# OpenAPI document (and drop `authored = true` from provider.toml), or describe the status
# call from the vendor's docs here and say where it comes from.
openapi: 3.0.3
info:
  title: {type_name} (authored skeleton)
  version: "1.0.0"
paths:
  /instances/{{instance}}/status:
    get:
      operationId: getStatus
      summary: The instance's connection status
      parameters:
        - name: instance
          in: path
          required: true
          schema:
            type: string
      responses:
        "200":
          description: The instance's status.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/InstanceStatus"
        "401":
          description: A wrong or missing token.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/ErrorBody"
        "404":
          description: No instance of that id.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/ErrorBody"
components:
  schemas:
    InstanceStatus:
      type: object
      required:
        - status
      properties:
        status:
          type: string
          enum:
            - connected
            - disconnected
    ErrorBody:
      type: object
      properties:
        message:
          type: string
"##
    );
    let manifest = format!(
        r#"# {type_name}'s manifest, a skeleton of `cargo xtask new-provider`: specs/README.md
# explains every key.
name = "{name}"
title = "{type_name}"
type = "{type_name}"
hosting = "hosted"
authored = true
summary = "a provider added with `cargo xtask new-provider`, still to be described"
docs = []
source = "a skeleton of `cargo xtask new-provider`, still to be replaced by the vendor's document or one authored from its docs"
connection_strings = ["{name}://TOKEN@HOST[/BASE]/INSTANCE"]

[base_url]
env = "WA_{env}_BASE_URL"

[instance]
placeholder = "INSTANCE"
noun = "instance"
parameter = "instance"
env = "WA_{env}_INSTANCE"

[[credential]]
placeholder = "TOKEN"
env = "WA_{env}_TOKEN"
header = "Authorization"
prefix = "Bearer "

[status]
operation = "getStatus"
reads = ["/status"]

[simulator]
base_path = "/{name}"

[[demo]]
instance = "instance-0001"
response = "connected"
credentials = {{ token = "{name}-demo-token" }}
"#
    );
    let recording = |describe: &str,
                     serves: Option<&str>,
                     status: u16,
                     body: &str,
                     expect: &str| {
        let serves = serves.map_or(String::new(), |role| format!("serves = \"{role}\"\n"));
        format!(
            "describe = \"{describe}\"\nsource = \"ours: the skeleton of `cargo xtask new-provider`, to be replaced by evidence\"\n{serves}status = {status}\nbody = '''\n{body}\n'''\n\n[expect]\n{expect}\n"
        )
    };
    let mapping = format!(
        r#"//! {type_name} in the common status model: `connected` is `connected`, `disconnected`
//! `disconnected`; any other value `unknown`.

use wa_client_support::wa_model::{{ConnectionState, Observation, Reading}};

use crate::types::InstanceStatus;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &InstanceStatus) -> Reading {{
    let state = match body.status.as_str() {{
        "connected" => ConnectionState::Connected,
        "disconnected" => ConnectionState::Disconnected,
        _ => ConnectionState::Unknown,
    }};
    Ok(Observation::new(state, &body.status))
}}
"#
    );
    Ok(vec![
        (specs.join("openapi.yaml"), document),
        (specs.join("provider.toml"), manifest),
        (
            responses.join("connected.toml"),
            recording(
                "`connected`",
                None,
                200,
                r#"{"status":"connected"}"#,
                "state = \"connected\"\nraw_state = \"connected\"\naction = \"none\"",
            ),
        ),
        (
            responses.join("disconnected.toml"),
            recording(
                "`disconnected`",
                None,
                200,
                r#"{"status":"disconnected"}"#,
                "state = \"disconnected\"\nraw_state = \"disconnected\"\naction = \"scan_qr\"",
            ),
        ),
        (
            responses.join("unknown-status.toml"),
            recording(
                "a `status` the mapping does not know",
                None,
                200,
                r#"{"status":"paused"}"#,
                "state = \"unknown\"\nraw_state = \"paused\"",
            ),
        ),
        (
            responses.join("unauthenticated.toml"),
            recording(
                "a wrong token",
                Some("unauthenticated"),
                401,
                r#"{"message":"Unauthorized"}"#,
                "error = \"unauthenticated\"\nmessage = \"Unauthorized\"",
            ),
        ),
        (
            responses.join("not-found.toml"),
            recording(
                "an unknown instance",
                Some("unknown_instance"),
                404,
                r#"{"message":"Not found"}"#,
                "error = \"not_found\"\nmessage = \"Not found\"",
            ),
        ),
        (
            Path::new("crates/clients").join(name).join("src/status.rs"),
            mapping,
        ),
    ])
}

/// The tests that write what a run derives for a new provider: its snapshots (accepted, to
/// be reviewed in the diff) and the README's demo block.
pub const DERIVING_TESTS: [(&[&str], (&str, &str)); 3] = [
    (
        &[
            "test",
            "-p",
            "xtask",
            "--test",
            "codegen",
            "every_provider_has_its_snapshots",
        ],
        ("INSTA_UPDATE", "always"),
    ),
    (
        &[
            "test",
            "-p",
            "wa-unified",
            "--test",
            "behaviour",
            "errors::every_error_kind_for_every_provider",
        ],
        ("INSTA_UPDATE", "always"),
    ),
    (
        &[
            "test",
            "-p",
            "wa-status",
            "--test",
            "cli",
            "demo::the_readme_shows_the_demo_as_it_runs",
        ],
        ("WA_UPDATE_DOCS", "1"),
    ),
];

/// Runs [`DERIVING_TESTS`] in `root` (outside CI's rules: they write files).
pub fn derive_by_tests(root: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for (args, (variable, value)) in DERIVING_TESTS {
        println!("running cargo {} ({variable}={value})", args.join(" "));
        let status = std::process::Command::new(&cargo)
            .args(args)
            .current_dir(root)
            .env(variable, value)
            .env_remove("CI")
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
        }
    }
    Ok(())
}

/// Writes the skeleton of `name` under `root`, refusing to touch a provider that exists.
pub fn write(root: &Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let files = files(name)?;
    for folder in [
        Path::new("specs").join(name),
        Path::new("crates/clients").join(name),
    ] {
        if root.join(&folder).exists() {
            return Err(format!(
                "{} exists already: a provider is added once",
                folder.display()
            ));
        }
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let full = root.join(&path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&full, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Removes provider `name`'s folders and snapshots (what `cargo xtask remove-provider` does
/// before it regenerates): the files a provider has outside its folders are all derived.
pub fn remove(root: &Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let module = name.replace('-', "_");
    let mut removed = Vec::new();
    for folder in [
        Path::new("specs").join(name),
        Path::new("crates/clients").join(name),
    ] {
        if !root.join(&folder).is_dir() {
            return Err(format!("{} is no provider's folder", folder.display()));
        }
        fs::remove_dir_all(root.join(&folder))
            .map_err(|e| format!("cannot remove {}: {e}", folder.display()))?;
        removed.push(folder);
    }
    let snapshots = [
        Path::new("xtask/tests/snapshots").join(format!("codegen__{name}-normalized.snap")),
        Path::new("xtask/tests/snapshots").join(format!("codegen__{name}-surface.snap")),
        Path::new("crates/unified/tests/behaviour/snapshots")
            .join(format!("behaviour__errors__{module}_errors.snap")),
    ];
    for snapshot in snapshots {
        if root.join(&snapshot).is_file() {
            fs::remove_file(root.join(&snapshot))
                .map_err(|e| format!("cannot remove {}: {e}", snapshot.display()))?;
            removed.push(snapshot);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skeleton_reads_as_a_provider_folder() {
        let root = std::env::temp_dir().join(format!("xtask-skeleton-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        write(&root, "acme-gate").unwrap();
        let (manifest, recordings) = crate::manifest::load(&root.join("specs/acme-gate")).unwrap();
        assert_eq!(
            (manifest.type_name.as_str(), recordings.len()),
            ("AcmeGate", 5)
        );
        assert_eq!(
            write(&root, "acme-gate").unwrap_err(),
            "specs/acme-gate exists already: a provider is added once"
        );
        assert!(files("Acme").is_err() && files("a--b").is_err() && files("9x").is_err());
        fs::remove_dir_all(root).unwrap();
    }
}
