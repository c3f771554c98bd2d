//! The providers whose clients the pipeline generates, and where each one's files live.

use std::path::{Path, PathBuf};

/// One provider: its wire name and the files the pipeline reads and writes for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provider {
    /// The provider's name as used in paths and on the command line, e.g. `green-api`.
    pub name: &'static str,
    /// Whether `specs/<name>/overlay.yaml` exists. Green API's document is authored by us,
    /// so it needs no fixes on top.
    pub has_overlay: bool,
}

/// Every provider, in the order the pipeline processes them.
pub const PROVIDERS: [Provider; 4] = [
    Provider {
        name: "megaapi",
        has_overlay: true,
    },
    Provider {
        name: "vzaps",
        has_overlay: true,
    },
    Provider {
        name: "hypersender",
        has_overlay: true,
    },
    Provider {
        name: "green-api",
        has_overlay: false,
    },
];

impl Provider {
    /// Looks a provider up by its wire name.
    pub fn named(name: &str) -> Option<Provider> {
        PROVIDERS.iter().copied().find(|p| p.name == name)
    }

    /// The vendor's document (or, for Green API, the authored one), relative to the workspace.
    pub fn spec_path(&self) -> PathBuf {
        Path::new("specs").join(self.name).join("openapi.yaml")
    }

    /// The overlay with our fixes, relative to the workspace.
    pub fn overlay_path(&self) -> Option<PathBuf> {
        self.has_overlay
            .then(|| Path::new("specs").join(self.name).join("overlay.yaml"))
    }

    /// The normalized OpenAPI 3.0 document the generator reads, relative to the workspace.
    pub fn normalized_path(&self) -> PathBuf {
        Path::new("specs")
            .join(self.name)
            .join("openapi.normalized.json")
    }

    /// The generated client module, relative to the workspace.
    pub fn generated_path(&self) -> PathBuf {
        Path::new("crates/clients")
            .join(self.name)
            .join("src/generated.rs")
    }
}

/// The workspace root: the parent of the `xtask` crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the xtask crate lives inside the workspace")
        .to_path_buf()
}
