//! Benchmark of the deployment status endpoint.
//!
//! Starts a sandbox in-process, deploys one connector, then reads its
//! status with concurrent keep-alive clients and prints requests/s and
//! latency percentiles:
//!
//! ```text
//! cargo run --release -p tray-sandbox --example bench_status [-- REQUESTS CONCURRENCY]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use base64::Engine as _;
use tray_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let requests: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(50_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);

    let sandbox = Sandbox::builder()
        .deploy_time(Duration::ZERO)
        .start()
        .await?;
    let base_url = sandbox.base_url();
    let token = sandbox.token().to_owned();
    let source = base64::engine::general_purpose::STANDARD
        .encode(tray_sandbox::sample_connector_zip("bench", "1.0"));
    let deployed: serde_json::Value = tray_api_raw::http_client_builder()
        .build()?
        .post(format!(
            "{base_url}/cdk/v1/deployments/connectors/bench/versions/1.0/deploy-connector-from-source"
        ))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "connectorSourceCode": source }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = deployed["id"]
        .as_str()
        .ok_or("no deployment id")?
        .to_owned();
    let url = format!("{base_url}/cdk/v1/deployments/connectors/bench/versions/1.0/{id}");

    // Warm up the connections.
    let clients: Vec<reqwest::Client> = (0..concurrency)
        .map(|_| tray_api_raw::http_client_builder().build())
        .collect::<Result<_, _>>()?;
    for client in &clients {
        client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await?
            .bytes()
            .await?;
    }

    let started = Instant::now();
    let per_task = requests / concurrency;
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let url = url.clone();
            let token = token.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let begin = Instant::now();
                    let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
                    assert_eq!(response.status(), 200);
                    response.bytes().await.unwrap();
                    latencies.push(begin.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{} status requests, {concurrency} concurrent keep-alive clients, in {:.2?}",
        latencies.len(),
        elapsed
    );
    println!(
        "throughput: {:.0} requests/s",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        percentile(0.50),
        percentile(0.99),
        latencies[latencies.len() - 1]
    );

    // Baseline: one request through curl, when curl is there.
    let curl = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{time_total}", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(&url)
        .output();
    if let Ok(output) = curl
        && output.status.success()
    {
        println!(
            "curl, one request (new connection): {} s",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    Ok(())
}
