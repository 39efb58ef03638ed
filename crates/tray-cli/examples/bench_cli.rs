//! CLI benchmarks, compared with curl in the same run.
//!
//! ```text
//! cargo build --release -p tray-cli && cargo run --release -p tray-cli --example bench_cli
//! ```
//!
//! 1. `tray --version` and `tray deployment get` against a local sandbox,
//!    next to `curl` doing the same GET (median of 30 runs each).
//! 2. A deploy-and-wait to 3 regions (3 sandboxes, 300 ms injected latency on
//!    every request) next to the same deploy to one region.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tray_sandbox::{Fault, Sandbox, SandboxHandle};

const RUNS: usize = 30;

fn tray_binary() -> PathBuf {
    // target/release/examples/bench_cli -> target/release/tray
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let tray = dir.join("tray");
    assert!(
        tray.exists(),
        "build it first: cargo build --release -p tray-cli ({})",
        tray.display()
    );
    tray
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut make: impl FnMut() -> Command) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let mut cmd = make();
            let start = Instant::now();
            let output = cmd.output().unwrap();
            let elapsed = start.elapsed();
            assert!(
                output.status.success(),
                "{:?}: {}",
                cmd,
                String::from_utf8_lossy(&output.stderr)
            );
            elapsed
        })
        .collect();
    median(samples)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn sandbox(latency: Option<Duration>, deploy_time: Duration) -> SandboxHandle {
    let mut builder = Sandbox::builder().deploy_time(deploy_time);
    if let Some(latency) = latency {
        builder = builder.fault(
            format!("*=latency:{}ms", latency.as_millis())
                .parse::<Fault>()
                .unwrap(),
        );
    }
    builder.start().await.unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let tray = tray_binary();
    let home = tempfile::tempdir().unwrap();

    // 1. Start-up and one request, next to curl.
    let server = sandbox(None, Duration::ZERO).await;
    let zip = home.path().join("acme-crm.zip");
    std::fs::write(&zip, tray_sandbox::sample_connector_zip("acme-crm", "1.0")).unwrap();
    let deploy = Command::new(&tray)
        .env("TRAY_API_URL", server.base_url())
        .env("TRAY_API_TOKEN", server.token())
        .args([
            "deployment",
            "create",
            zip.to_str().unwrap(),
            "--wait",
            "--interval",
            "50ms",
        ])
        .output()
        .unwrap();
    assert!(
        deploy.status.success(),
        "{}",
        String::from_utf8_lossy(&deploy.stderr)
    );

    let url = format!(
        "{}/cdk/v1/deployments/connectors/acme-crm/versions/1.0/latest",
        server.base_url()
    );
    let auth = format!("Authorization: Bearer {}", server.token());
    let (version, get, curl) = tokio::task::spawn_blocking({
        let tray = tray.clone();
        let base = server.base_url();
        let token = server.token().to_owned();
        move || {
            let version = time(RUNS, || {
                let mut c = Command::new(&tray);
                c.arg("--version");
                c
            });
            let get = time(RUNS, || {
                let mut c = Command::new(&tray);
                c.env("TRAY_API_URL", &base)
                    .env("TRAY_API_TOKEN", &token)
                    .args([
                        "-o",
                        "json",
                        "deployment",
                        "get",
                        "acme-crm",
                        "1.0",
                        "latest",
                    ]);
                c
            });
            let curl = time(RUNS, || {
                let mut c = Command::new("curl");
                c.args(["-sf", "-H", &auth, &url]);
                c
            });
            (version, get, curl)
        }
    })
    .await
    .unwrap();
    println!("start-up and one request (median of {RUNS} runs):");
    println!("  curl GET status           {}", ms(curl));
    println!(
        "  tray --version            {}  ({:.2}x curl)",
        ms(version),
        version.as_secs_f64() / curl.as_secs_f64()
    );
    println!(
        "  tray deployment get       {}  ({:.2}x curl)",
        ms(get),
        get.as_secs_f64() / curl.as_secs_f64()
    );

    // 2. Multi-region deploy with 300 ms latency per request.
    let latency = Some(Duration::from_millis(300));
    let regions = [
        sandbox(latency, Duration::from_secs(1)).await,
        sandbox(latency, Duration::from_secs(1)).await,
        sandbox(latency, Duration::from_secs(1)).await,
    ];
    let config = home.path().join("tray.toml");
    let mut text = String::new();
    for (i, region) in regions.iter().enumerate() {
        text.push_str(&format!(
            "[profiles.r{i}]\nbase_url = \"{}\"\ntoken_env = \"SANDBOX_TOKEN\"\n",
            region.base_url()
        ));
    }
    std::fs::write(&config, text).unwrap();
    let token = regions[0].token().to_owned();
    let run = move |profiles: &str, name: &str| {
        let zip = home.path().join(format!("{name}.zip"));
        std::fs::write(&zip, tray_sandbox::sample_connector_zip(name, "1.0")).unwrap();
        let start = Instant::now();
        let output = Command::new(tray_binary())
            .env("SANDBOX_TOKEN", &token)
            .args(["--config", config.to_str().unwrap(), "--profile", profiles])
            .args([
                "deployment",
                "create",
                zip.to_str().unwrap(),
                "--wait",
                "--interval",
                "250ms",
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        start.elapsed()
    };
    let (one, three) = tokio::task::spawn_blocking(move || {
        (run("r0", "one-region"), run("r0,r1,r2", "three-regions"))
    })
    .await
    .unwrap();
    println!("deploy --wait, 300 ms latency per request, 1 s deployment:");
    println!("  1 region                  {}", ms(one));
    println!(
        "  3 regions                 {}  ({:.2}x one region)",
        ms(three),
        three.as_secs_f64() / one.as_secs_f64()
    );
}
