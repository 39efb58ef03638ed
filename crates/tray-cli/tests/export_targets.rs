//! `tray project export --out`: symbolic links followed, stdout, devices
//! and FIFOs written straight through, and no temporary file left when the
//! command is interrupted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{stderr, stdout, tray};
use tray_sandbox::{Fault, SOURCE_PROJECT_ID, Sandbox};

fn source() -> String {
    SOURCE_PROJECT_ID.to_string()
}

/// Names in `dir` starting with `.tray-export-`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".tray-export-"))
        .collect()
}

/// The seeded export of version 1, as JSON.
fn is_seeded_export(bytes: &[u8]) -> bool {
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    value.is_object() && value.to_string().contains("Salesforce opportunity alerts")
}

#[cfg(unix)]
#[test]
fn out_onto_a_symlink_updates_its_target_and_keeps_the_link() {
    let home = tempfile::tempdir().unwrap();
    let target = home.path().join("real.json");
    std::fs::write(&target, b"old").unwrap();
    let link = home.path().join("latest.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    let output = tray(home.path())
        .args(["--sandbox", "project", "export", &source(), "1", "--out"])
        .arg(&link)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.json"));
    assert!(is_seeded_export(&std::fs::read(&target).unwrap()));
    assert!(temp_files(home.path()).is_empty());
}

#[test]
fn out_dash_and_dev_stdout_print_the_export_alone() {
    let home = tempfile::tempdir().unwrap();
    for out in ["-", "/dev/stdout"] {
        let output = tray(home.path())
            .args([
                "--sandbox",
                "project",
                "export",
                &source(),
                "1",
                "--out",
                out,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{out}: {}", stderr(&output));
        // Only the document: no "Exported ..." line mixed into it.
        assert!(
            is_seeded_export(&output.stdout),
            "{out}: {}",
            stdout(&output)
        );
        assert!(!home.path().join("-").exists());
    }
}

#[cfg(unix)]
#[test]
fn out_onto_a_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let output = tray(home.path())
        .args(["--sandbox", "project", "export", &source(), "1", "--out"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(is_seeded_export(&reader.join().unwrap()));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(temp_files(home.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn out_onto_dev_null_leaves_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args([
            "--sandbox",
            "project",
            "export",
            &source(),
            "1",
            "--out",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let metadata = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(metadata.file_type().is_char_device());
}

/// Starts an export that the sandbox holds, waits until its temporary file
/// exists, sends `signal` and returns the output and the directory.
#[cfg(unix)]
async fn interrupted_export(signal: &str) -> (std::process::Output, tempfile::TempDir) {
    let sandbox = Sandbox::builder()
        .fault("export=latency:1h".parse::<Fault>().unwrap())
        .start()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("export.json");
    // A std Command (assert_cmd's only runs to completion), in the same
    // clean environment as the other tests.
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("tray"));
    for var in [
        "TRAY_API_TOKEN_US",
        "TRAY_API_TOKEN_EU",
        "TRAY_API_TOKEN_APAC",
        "TRAY_REGION",
        "TRAY_PROFILE",
        "TRAY_CONFIG",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    let child = command
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("TRAY_API_URL", sandbox.base_url())
        .env("TRAY_API_TOKEN", sandbox.token())
        .current_dir(home.path())
        .args(["project", "export", &source(), "1", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: the export is held by the sandbox, so its temporary file
    // stays until the signal.
    let mut seen = false;
    for _ in 0..3000 {
        if !temp_files(home.path()).is_empty() {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(seen, "the export never created its temporary file");
    let killed = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    assert!(!out.exists());
    (output, home)
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_during_an_export_leaves_no_temporary_file() {
    let (output, home) = interrupted_export("-INT").await;
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert_eq!(temp_files(home.path()), Vec::<String>::new());
    let err = stderr(&output);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    assert!(err.contains("SIGINT"), "{err}");
    assert!(output.stdout.is_empty());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_an_export_leaves_no_temporary_file() {
    let (output, home) = interrupted_export("-TERM").await;
    assert_eq!(output.status.code(), Some(143), "{}", stderr(&output));
    assert_eq!(temp_files(home.path()), Vec::<String>::new());
    assert!(stderr(&output).contains("SIGTERM"), "{}", stderr(&output));
}
