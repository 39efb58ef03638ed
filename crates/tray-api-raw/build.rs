//! Generates one Rust module per OpenAPI spec into `OUT_DIR`, plus the
//! files built from all specs together (`enums.rs`: the open enums;
//! `operations.rs`: the `Operation` table), with the settings of
//! `tray-codegen` (the same code `cargo xtask codegen` snapshots).
//!
//! In the workspace the specs are read from the top-level `openapi/` (the
//! single source of truth). The published `.crate` carries byte-identical
//! copies in its own `openapi/` folder and builds from those:
//! `cargo xtask codegen` writes the copies and `cargo xtask codegen --check`
//! fails when they differ.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // `Spec::file(root)` is `root/openapi/NAME.yaml`: the workspace's specs
    // when this is built inside the workspace, else the packaged copies.
    let workspace = manifest_dir.join("../..");
    let workspace_root = if workspace.join("openapi").is_dir() && workspace.join("xtask").is_dir() {
        workspace
    } else {
        manifest_dir
    };
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    for spec in tray_codegen::SPECS {
        println!(
            "cargo::rerun-if-changed={}",
            spec.file(&workspace_root).display()
        );
        write(
            &out_dir,
            spec.module,
            tray_codegen::generate(&workspace_root, *spec),
        );
    }
    // The files built from all specs together: the open enums and the
    // `Operation` table.
    for shared in tray_codegen::Shared::ALL {
        write(&out_dir, shared.name(), shared.generate(&workspace_root));
    }
}

/// Write `OUT_DIR/<name>.rs`, or stop the build with a one-line error.
fn write(out_dir: &std::path::Path, name: &str, code: Result<String, tray_codegen::CodegenError>) {
    let code = match code {
        Ok(code) => code,
        Err(error) => {
            // A clear one-line failure instead of a build-script panic.
            println!("cargo::error={error}");
            std::process::exit(1);
        }
    };
    let target = out_dir.join(format!("{name}.rs"));
    if let Err(error) = std::fs::write(&target, code) {
        println!("cargo::error=cannot write {}: {error}", target.display());
        std::process::exit(1);
    }
}
