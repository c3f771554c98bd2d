//! The providers: one folder each under `specs/`, discovered, never listed by hand.

use std::fs;
use std::path::{Path, PathBuf};

use crate::manifest::{self, Manifest, Recording};

/// One provider: its folder's manifest and recordings, and the files the pipeline reads
/// and writes for it.
#[derive(Clone, Debug)]
pub struct Provider {
    /// The wire name: the folder's name under `specs/`.
    pub name: String,
    /// Whether `specs/<name>/overlay.yaml` exists (an authored document needs none).
    pub has_overlay: bool,
    pub manifest: Manifest,
    pub recordings: Vec<Recording>,
}

/// Every provider, from the folders of `specs/` in the order of their names. A folder
/// without `provider.toml` is an error that says what to add.
pub fn discover(root: &Path) -> Result<Vec<Provider>, String> {
    let specs = root.join("specs");
    let mut folders: Vec<PathBuf> = fs::read_dir(&specs)
        .map_err(|e| format!("cannot read {}: {e}", specs.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let mut providers = Vec::with_capacity(folders.len());
    let mut problems = Vec::new();
    for folder in folders {
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !folder.join("provider.toml").is_file() {
            problems.push(format!(
                "specs/{name} has no provider.toml: every folder of specs/ is a provider; add its manifest (see specs/README.md, \"Adding a provider\", or run `cargo xtask new-provider {name}`)"
            ));
            continue;
        }
        if !folder.join("openapi.yaml").is_file() {
            problems.push(format!(
                "specs/{name} has no openapi.yaml: add the vendor's OpenAPI document, or an authored one that says so at its top"
            ));
            continue;
        }
        match manifest::load(&folder) {
            Ok((manifest, recordings)) => providers.push(Provider {
                has_overlay: folder.join("overlay.yaml").is_file(),
                name,
                manifest,
                recordings,
            }),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    if providers.is_empty() {
        return Err("specs/ holds no provider folder".into());
    }
    Ok(providers)
}

/// Looks a provider up by its wire name.
pub fn named<'a>(providers: &'a [Provider], name: &str) -> Result<&'a Provider, String> {
    providers.iter().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
        format!(
            "unknown provider `{name}`: expected one of {} (the folders of specs/)",
            names.join(", ")
        )
    })
}

impl Provider {
    /// The folder, relative to the workspace.
    pub fn folder(&self) -> PathBuf {
        Path::new("specs").join(&self.name)
    }

    /// The vendor's document (or an authored one), relative to the workspace.
    pub fn spec_path(&self) -> PathBuf {
        self.folder().join("openapi.yaml")
    }

    /// The overlay with our fixes, relative to the workspace.
    pub fn overlay_path(&self) -> Option<PathBuf> {
        self.has_overlay.then(|| self.folder().join("overlay.yaml"))
    }

    /// The normalized OpenAPI 3.0 document the generator reads, relative to the workspace.
    pub fn normalized_path(&self) -> PathBuf {
        self.folder().join("openapi.normalized.json")
    }

    /// The client crate's folder, relative to the workspace.
    pub fn client_path(&self) -> PathBuf {
        Path::new("crates/clients").join(&self.name)
    }

    /// The generated client module, relative to the workspace.
    pub fn generated_path(&self) -> PathBuf {
        self.client_path().join("src/generated.rs")
    }

    /// The client crate's package name.
    pub fn client_crate(&self) -> String {
        format!("wa-{}", self.name)
    }

    /// The client crate's name in Rust paths (`wa_<name>` with `_` for `-`).
    pub fn client_ident(&self) -> String {
        self.client_crate().replace('-', "_")
    }

    /// The name in module and constant form (`-` becomes `_`).
    pub fn module(&self) -> String {
        self.name.replace('-', "_")
    }
}

/// The workspace root: the parent of the `xtask` crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the xtask crate lives inside the workspace")
        .to_path_buf()
}
