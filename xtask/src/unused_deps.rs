//! `cargo xtask unused-deps`: every dependency a workspace package declares
//! must be used by its sources.
//!
//! The packages and their declared dependencies come from
//! `cargo metadata --format-version 1 --no-deps`. A dependency counts as
//! used when a Rust file of the package mentions its crate name (the
//! `package = ` rename if any, `-` read as `_`) as a path (`name::…`), in a
//! `use name` or in an `extern crate name`. The files are every `.rs` file
//! under `src/`, `tests/`, `examples/`, `benches/`, `build.rs`, and the
//! folders of the package's targets (a `[lib] path = "support/lib.rs"`).
//!
//! A package can list more places to read, or dependencies to skip, in its
//! `Cargo.toml`, each with its reason:
//!
//! ```toml
//! [package.metadata.unused-deps]
//! # the generated code, included from OUT_DIR, is the snapshots' text
//! also-scan = ["../../xtask/snapshots"]   # every file in these folders, not only .rs
//! ignore = ["some-crate"]                 # used only to enable a feature
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// A dependency a package declares but does not use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unused {
    /// The package that declares it.
    pub package: String,
    /// The dependency as declared (the rename when there is one).
    pub dependency: String,
    /// `dependencies`, `dev-dependencies` or `build-dependencies`.
    pub section: &'static str,
}

impl std::fmt::Display for Unused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: `{}` is declared in [{}] but no source uses it",
            self.package, self.dependency, self.section
        )
    }
}

#[derive(Debug, Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    id: String,
    manifest_path: PathBuf,
    dependencies: Vec<Dependency>,
    targets: Vec<Target>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Dependency {
    name: String,
    rename: Option<String>,
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Target {
    src_path: PathBuf,
}

/// The unused dependencies of every workspace member of the workspace
/// whose `Cargo.toml` is `manifest`.
pub fn check(manifest: &Path) -> Result<Vec<Unused>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cannot read cargo metadata's output: {e}"))?;
    let mut unused = Vec::new();
    for package in &metadata.packages {
        if metadata.workspace_members.contains(&package.id) {
            unused.extend(unused_in(package)?);
        }
    }
    unused.sort();
    Ok(unused)
}

fn unused_in(package: &Package) -> Result<Vec<Unused>, String> {
    let dir = package
        .manifest_path
        .parent()
        .ok_or_else(|| format!("{} has no folder", package.manifest_path.display()))?;
    let settings = package
        .metadata
        .as_ref()
        .and_then(|m| m.get("unused-deps"))
        .cloned()
        .unwrap_or_default();
    let list = |key: &str| -> Vec<String> {
        settings
            .get(key)
            .and_then(serde_json::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut files = BTreeSet::new();
    for folder in ["src", "tests", "examples", "benches"] {
        rust_files(&dir.join(folder), &mut files, true)?;
    }
    files.insert(dir.join("build.rs"));
    for target in &package.targets {
        files.insert(target.src_path.clone());
        if let Some(folder) = target.src_path.parent() {
            rust_files(folder, &mut files, true)?;
        }
    }
    for extra in list("also-scan") {
        rust_files(&dir.join(extra), &mut files, false)?;
    }
    let mut text = String::new();
    for file in &files {
        if let Ok(content) = std::fs::read_to_string(file) {
            text.push_str(&content);
            text.push('\n');
        }
    }
    let ignore = list("ignore");
    Ok(package
        .dependencies
        .iter()
        .filter(|dep| {
            let declared = dep.rename.as_deref().unwrap_or(&dep.name);
            !ignore.iter().any(|i| i == declared) && !uses(&text, &declared.replace('-', "_"))
        })
        .map(|dep| Unused {
            package: package.name.clone(),
            dependency: dep.rename.clone().unwrap_or_else(|| dep.name.clone()),
            section: match dep.kind.as_deref() {
                Some("dev") => "dev-dependencies",
                Some("build") => "build-dependencies",
                _ => "dependencies",
            },
        })
        .collect())
}

/// Adds the files under `folder` (only `.rs` ones when `rust_only`),
/// skipping `target/` and nested packages.
fn rust_files(folder: &Path, files: &mut BTreeSet<PathBuf>, rust_only: bool) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", folder.display()))?
            .path();
        if path.is_dir() {
            let nested_package = path.join("Cargo.toml").is_file();
            if !nested_package && path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, files, rust_only)?;
            }
        } else if !rust_only || path.extension().is_some_and(|e| e == "rs") {
            files.insert(path);
        }
    }
    Ok(())
}

/// Whether `text` uses the crate `name`: `name::`, `use name`, `extern crate name`.
pub fn uses(text: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = &text[..at];
        let after = &text[at + name.len()..];
        if before.chars().next_back().is_some_and(is_ident)
            || after.chars().next().is_some_and(is_ident)
        {
            return false;
        }
        let before = before.trim_end();
        after.trim_start().starts_with("::")
            || before.ends_with("use") && !before[..before.len() - 3].ends_with(is_ident)
            || before.ends_with("extern crate")
    })
}

#[cfg(test)]
mod tests {
    use super::uses;

    #[test]
    fn paths_uses_and_extern_crates_count() {
        assert!(uses("let x = serde_json::json!({});", "serde_json"));
        assert!(uses("use tokio;", "tokio"));
        assert!(uses("pub use tray_api::{Client};", "tray_api"));
        assert!(uses("extern crate  zip;", "zip"));
        assert!(uses("#[tokio::test]", "tokio"));
        assert!(uses("x = ::rand ::random();", "rand"));
    }

    #[test]
    fn other_words_do_not() {
        assert!(!uses("my_serde::x", "serde"));
        assert!(!uses("serde_json::x", "serde"));
        assert!(!uses("// the zip file", "zip"));
        assert!(!uses("fn reuse rand()", "rand"));
        assert!(!uses("let http = 1;", "http"));
    }
}
