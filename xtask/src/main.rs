//! `cargo xtask <task>`: maintainer tasks. Run `cargo xtask help`.

use std::process::ExitCode;

use tray_codegen::SPECS;
use xtask::{lint, snapshot, workspace_root};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  codegen          regenerate the client code of every spec in openapi/ and the files
                   built from all of them (enums: the open enums; operations: the
                   Operation table with retry safety), write the snapshots in
                   xtask/snapshots/ and print what changed (review it
                   with `git diff xtask/snapshots`, then commit spec and snapshots);
                   also copy each spec into crates/tray-api-raw/openapi/ (the
                   published crate's build.rs reads those copies)
  codegen --check  fail, naming each spec (or enums, operations) whose snapshot or
                   packaged copy is stale; writes nothing
  lint             check the specs: parse, generate, every example valid against its
                   schema and round-tripping through the generated types, every seed
                   fixture in tests/fixtures/ deserializing
  unused-deps      fail, naming each dependency a workspace package declares but
                   none of its sources uses (cargo metadata + the sources)
  upstream-diff [FILE]
                   compare openapi/*.yaml with Tray's published OpenAPI document
                   (FILE, default the vendored openapi/upstream/tray-published-openapi.yaml),
                   operation by operation (each of ours names the upstream one it wraps
                   with x-tray-upstream-operation-id); print the differences, the stale
                   entries of openapi/upstream-allowlist.yaml and the upstream operations
                   we do not cover. Exit 0 when every difference is allowlisted and no
                   entry is stale, 1 otherwise, 2 when a document cannot be read;
                   writes nothing
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["lint"] => run_lint(),
        ["unused-deps"] => unused_deps(),
        ["upstream-diff"] => return upstream_diff(None),
        ["upstream-diff", file] if !file.starts_with('-') => return upstream_diff(Some(file)),
        ["help"] | ["--help"] | ["-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(check: bool) -> Result<(), String> {
    let root = workspace_root();
    let mut stale = Vec::new();
    for spec in SPECS {
        if !snapshot::copy_is_current(&root, *spec) {
            let copy = snapshot::packaged_copy(&root, *spec);
            if check {
                println!("{:<12} STALE COPY ({})", spec.module, copy.display());
                stale.push(spec.path);
            } else {
                if let Some(parent) = copy.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
                std::fs::copy(spec.file(&root), &copy)
                    .map_err(|e| format!("cannot copy {} to {}: {e}", spec.path, copy.display()))?;
                println!("{:<12} copied to {}", spec.module, copy.display());
            }
        }
    }
    // Each spec's module, then the files built from all specs (enums,
    // operations): every one is a snapshot.
    for (name, description) in snapshot::all() {
        let code = snapshot::generate(&root, name)?;
        match snapshot::status(&root, name, &code) {
            snapshot::Status::Current => println!("{name:<12} unchanged"),
            status => {
                if !stale.contains(&description) {
                    stale.push(description);
                }
                if check {
                    println!("{name:<12} STALE ({description})");
                    continue;
                }
                if let snapshot::Status::Stale(diff) = &status {
                    println!("{diff}");
                }
                let path = snapshot::path(&root, name);
                std::fs::write(&path, snapshot::render(description, &code))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                println!("{name:<12} updated {}", path.display());
            }
        }
    }
    match (check, stale.is_empty()) {
        (_, true) => Ok(()),
        (true, false) => Err(format!(
            "generated code or packaged spec copy is stale for {}: run `cargo xtask codegen` and commit the snapshots and copies",
            stale.join(", ")
        )),
        (false, false) => {
            println!(
                "\nReview with `git diff {}` and commit it with the spec.",
                snapshot::SNAPSHOT_DIR
            );
            Ok(())
        }
    }
}

fn run_lint() -> Result<(), String> {
    let report = lint::run(&workspace_root());
    println!(
        "checked {} specs, {} examples, {} fixtures",
        report.specs, report.examples, report.fixtures
    );
    if report.problems.is_empty() {
        println!("no problems");
        Ok(())
    } else {
        for problem in &report.problems {
            eprintln!("- {problem}");
        }
        Err(format!("{} problem(s) in the specs", report.problems.len()))
    }
}

fn unused_deps() -> Result<(), String> {
    let unused = xtask::unused_deps::check(&workspace_root().join("Cargo.toml"))?;
    if unused.is_empty() {
        println!("every declared dependency is used");
        return Ok(());
    }
    for item in &unused {
        println!("{item}");
    }
    Err(format!(
        "{} unused dependenc{}: remove {} from Cargo.toml (or list it under [package.metadata.unused-deps] ignore, with the reason)",
        unused.len(),
        if unused.len() == 1 { "y" } else { "ies" },
        if unused.len() == 1 { "it" } else { "them" }
    ))
}

/// `cargo xtask upstream-diff [FILE]`: the report on stdout; exit 0, 1
/// (differences or stale allowlist entries) or 2 (a document cannot be read).
fn upstream_diff(file: Option<&str>) -> ExitCode {
    match xtask::upstream::run(&workspace_root(), file.map(std::path::Path::new)) {
        Ok(report) => {
            print!("{}", report.render());
            ExitCode::from(report.exit_code())
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
