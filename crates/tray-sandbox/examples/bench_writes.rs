//! Benchmark of writes: concurrent clients creating project versions,
//! with the state in memory and then with a state file (`--state`) in a
//! temporary folder, where every answer waits until its change is on disk
//! (one writer task, group commit: write + fsync + rename + folder fsync).
//!
//! While the writers run, a few readers list the versions of another
//! project, to show that reads do not wait behind the disk. Prints writes/s
//! and latency percentiles for both modes:
//!
//! ```text
//! cargo run --release -p tray-sandbox --example bench_writes [-- WRITES CLIENTS]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tray_sandbox::{DESTINATION_PROJECT_ID, SOURCE_PROJECT_ID, Sandbox, SandboxHandle};

/// Readers running beside the writers.
const READERS: usize = 4;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let writes: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let clients: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200);

    let memory = Sandbox::builder().start().await?;
    run("in memory", &memory, writes, clients).await?;
    drop(memory);

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("state.json");
    let persistent = Sandbox::builder().state_file(&path).start().await?;
    run("with --state", &persistent, writes, clients).await?;
    println!(
        "state file: {} bytes after the run",
        std::fs::metadata(&path)?.len()
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

async fn run(
    label: &str,
    sandbox: &SandboxHandle,
    writes: usize,
    clients: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let base_url = sandbox.base_url();
    let token = sandbox.token().to_owned();
    let http = tray_api_raw::http_client_builder().build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));

    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (http, token, done) = (http.clone(), token.clone(), Arc::clone(&done));
            let url =
                format!("{base_url}/core/v1/projects/{DESTINATION_PROJECT_ID}/versions?first=5");
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let begin = Instant::now();
                    let response = http.get(&url).bearer_auth(&token).send().await.unwrap();
                    assert_eq!(response.status(), 200);
                    response.bytes().await.unwrap();
                    latencies.push(begin.elapsed());
                }
                latencies
            })
        })
        .collect();

    let started = Instant::now();
    let writers: Vec<_> = (0..clients)
        .map(|_| {
            let (http, token, next) = (http.clone(), token.clone(), Arc::clone(&next));
            let base_url = base_url.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= writes {
                        break;
                    }
                    let begin = Instant::now();
                    let response = http
                        .post(format!(
                            "{base_url}/core/v1/projects/{SOURCE_PROJECT_ID}/versions/bench-{i}"
                        ))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({ "title": format!("Bench {i}") }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201);
                    response.bytes().await.unwrap();
                    latencies.push(begin.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(writes);
    for writer in writers {
        latencies.extend(writer.await?);
    }
    let elapsed = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let mut reads = Vec::new();
    for reader in readers {
        reads.extend(reader.await?);
    }
    latencies.sort_unstable();
    reads.sort_unstable();
    println!(
        "{label}: {} version creations, {clients} concurrent clients, in {elapsed:.2?}",
        latencies.len()
    );
    println!(
        "  writes: {:.0}/s, latency p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );
    if !reads.is_empty() {
        println!(
            "  {} reads by {READERS} readers meanwhile: p50 {:.2?}, p99 {:.2?}",
            reads.len(),
            percentile(&reads, 0.50),
            percentile(&reads, 0.99)
        );
    }
    Ok(())
}
