//! `cargo xtask unused-deps` on a scratch workspace: an unused dependency
//! is reported, a used one (by path, `use`, a rename, a test) is not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use xtask::unused_deps::{Unused, check};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn library(root: &Path, name: &str) {
    write(
        &root.join(name).join("Cargo.toml"),
        &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
    );
    write(&root.join(name).join("src/lib.rs"), "pub fn f() {}\n");
}

#[test]
fn reports_each_unused_dependency_and_only_those() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"app\"]\n",
    );
    for name in [
        "used-dep",
        "unused-dep",
        "other-dep",
        "test-only",
        "idle-dev",
        "ignored-dep",
    ] {
        library(root, name);
    }
    write(
        &root.join("app/Cargo.toml"),
        r#"[package]
name = "app"
version = "0.1.0"
edition = "2024"

[dependencies]
used-dep = { path = "../used-dep" }
unused-dep = { path = "../unused-dep" }
renamed = { package = "other-dep", path = "../other-dep" }
ignored-dep = { path = "../ignored-dep" }

[dev-dependencies]
test-only = { path = "../test-only" }
idle-dev = { path = "../idle-dev" }

[package.metadata.unused-deps]
ignore = ["ignored-dep"]
"#,
    );
    write(
        &root.join("app/src/lib.rs"),
        "//! Mentions unused_dep in prose only.\npub use used_dep::f;\npub fn g() { renamed::f() }\n",
    );
    write(
        &root.join("app/tests/t.rs"),
        "use test_only;\n#[test]\nfn t() { test_only::f() }\n",
    );

    let unused = check(&root.join("Cargo.toml")).unwrap();
    assert_eq!(
        unused,
        vec![
            Unused {
                package: "app".into(),
                dependency: "idle-dev".into(),
                section: "dev-dependencies",
            },
            Unused {
                package: "app".into(),
                dependency: "unused-dep".into(),
                section: "dependencies",
            },
        ]
    );
    assert_eq!(
        unused[1].to_string(),
        "app: `unused-dep` is declared in [dependencies] but no source uses it"
    );

    // Using it makes the report go away.
    write(
        &root.join("app/examples/e.rs"),
        "fn main() { unused_dep::f(); idle_dev::f(); }\n",
    );
    assert_eq!(check(&root.join("Cargo.toml")).unwrap(), vec![]);
}
