//! Generates one Rust module per OpenAPI spec into `OUT_DIR`, with the
//! settings of `tray-codegen` (the same code `cargo xtask codegen` snapshots).
//!
//! The specs are read from this package's own `openapi/` folder, so the
//! published `.crate` builds alone. Those files are byte-identical copies of
//! the workspace's top-level `openapi/` (the single source of truth):
//! `cargo xtask codegen` writes them and `cargo xtask codegen --check` fails
//! when they differ.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // `Spec::file(root)` is `root/openapi/NAME.yaml`: here, the packaged copy.
    let workspace_root = manifest_dir;
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    for spec in tray_codegen::SPECS {
        println!(
            "cargo::rerun-if-changed={}",
            spec.file(&workspace_root).display()
        );
        let code = match tray_codegen::generate(&workspace_root, *spec) {
            Ok(code) => code,
            Err(error) => {
                // A clear one-line failure instead of a build-script panic.
                println!("cargo::error={error}");
                std::process::exit(1);
            }
        };
        let target = out_dir.join(format!("{}.rs", spec.module));
        if let Err(error) = std::fs::write(&target, code) {
            println!("cargo::error=cannot write {}: {error}", target.display());
            std::process::exit(1);
        }
    }
}
