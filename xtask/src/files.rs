//! Writing the generated files, or checking that the checked-in ones are current.

use std::fs;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::codegen::{generate, Generated};
use crate::providers::Provider;

/// Whether `codegen` writes its output or only compares it with the files on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// One generated file and the text it must hold.
fn outputs(generated: &Generated) -> [(PathBuf, &str); 2] {
    [
        (
            generated.provider.normalized_path(),
            generated.normalized.as_str(),
        ),
        (generated.provider.generated_path(), generated.code.as_str()),
    ]
}

/// Runs the pipeline for `providers`. In `Write` mode it writes the files that changed and
/// returns their paths; in `Check` mode it writes nothing and fails with a unified diff of
/// every stale file.
pub fn codegen(root: &Path, providers: &[Provider], mode: Mode) -> Result<Vec<PathBuf>, String> {
    let mut changed = Vec::new();
    let mut diffs = String::new();
    for &provider in providers {
        let generated = generate(root, provider)?;
        for (relative, expected) in outputs(&generated) {
            let path = root.join(&relative);
            let current = fs::read_to_string(&path).unwrap_or_default();
            if current == expected {
                continue;
            }
            changed.push(relative.clone());
            match mode {
                Mode::Write => {
                    if let Some(parent) = path.parent() {
                        fs::create_dir_all(parent)
                            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                    }
                    fs::write(&path, expected)
                        .map_err(|e| format!("cannot write {}: {e}", relative.display()))?;
                }
                Mode::Check => {
                    let name = relative.display().to_string();
                    let diff = TextDiff::from_lines(current.as_str(), expected);
                    diffs.push_str(
                        &diff
                            .unified_diff()
                            .context_radius(3)
                            .header(
                                &format!("{name} (checked in)"),
                                &format!("{name} (generated)"),
                            )
                            .to_string(),
                    );
                }
            }
        }
    }
    if mode == Mode::Check && !changed.is_empty() {
        let list = changed
            .iter()
            .map(|p| format!("  {}", p.display()))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(format!(
            "generated code is out of date:\n{list}\n\n{diffs}\nrun `cargo xtask codegen` and commit the result"
        ));
    }
    Ok(changed)
}
