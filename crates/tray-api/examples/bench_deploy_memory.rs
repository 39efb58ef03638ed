//! Peak memory of deploying a 64 MiB connector zip.
//!
//! Writes a zip of random (incompressible) content with
//! `bench-connector/connector.json`, deploys it to a local server that
//! discards the body, and prints the peak resident memory above the
//! baseline as a multiple of the zip size (target: at most 2.5x).
//!
//! ```text
//! cargo run --release -p tray-api --example bench_deploy_memory            # this crate
//! cargo run --release -p tray-api --example bench_deploy_memory -- --naive # zip + base64 String + JSON via the raw client
//! cargo run --release -p tray-api --example bench_deploy_memory -- --mib 16
//! ```
//!
//! Linux only (reads `/proc/self/status`).

use std::io::Write;
use std::time::Instant;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A `/proc/self/status` field in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
}

/// Writes the zip in 1 MiB chunks so that creating it does not raise the
/// process's peak memory.
fn write_zip(path: &std::path::Path, size: usize) -> Result<(), BoxError> {
    let file = std::fs::File::create(path)?;
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file("bench-connector/connector.json", stored)?;
    writer.write_all(br#"{"name":"bench-connector","version":"1.0","title":"Bench"}"#)?;
    let options = stored.large_file(size as u64 >= u64::from(u32::MAX));
    writer.start_file("bench-connector/assets/blob.bin", options)?;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            // xorshift64*: fast, incompressible enough for deflate and zip.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        let n = left.min(chunk.len());
        writer.write_all(&chunk[..n])?;
        left -= n;
    }
    writer.finish()?.flush()?;
    Ok(())
}

/// A minimal HTTP/1.1 server: reads each request, discards its body, and
/// answers a deploy response.
async fn serve(listener: tokio::net::TcpListener) {
    while let Ok((mut socket, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match socket.read(&mut byte).await {
                    Ok(1) => head.push(byte[0]),
                    _ => return,
                }
            }
            let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let length: u64 = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let mut sink = tokio::io::sink();
            let mut body = (&mut socket).take(length);
            if tokio::io::copy(&mut body, &mut sink).await.is_err() {
                return;
            }
            let answer = r#"{"id":"bench-1","deploymentStatus":"Deploying","connectorName":"bench-connector","connectorVersion":"1.0"}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let naive = args.iter().any(|a| a == "--naive");
    let mib: usize = args
        .iter()
        .position(|a| a == "--mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("connector.zip");
    write_zip(&path, mib << 20)?;
    let zip_size = std::fs::metadata(&path)?.len();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(serve(listener));
    let client = tray_api::Client::builder()
        .base_url(&base_url)
        .token("bench-token-000000000000000000000000000000")
        .build()?;

    // Reset the high-water mark where the kernel allows it.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let baseline = status_kib("VmRSS:").ok_or("no /proc/self/status (Linux only)")?;
    let hwm_before = status_kib("VmHWM:").unwrap_or(0);

    let started = Instant::now();
    let id = if naive {
        // What a caller of the raw client would write.
        let bytes = std::fs::read(&path)?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let body = tray_api_raw::deployments::types::DeployConnectorRequest {
            connector_source_code: encoded,
        };
        let response = client
            .raw()
            .deployments
            .deploy_connector()
            .connector_name("bench-connector")
            .connector_version("1.0")
            .body(body)
            .send()
            .await?;
        response.into_inner().id.unwrap_or_default()
    } else {
        let zip = tray_api::ConnectorZip::open(&path)?;
        client.deployments().deploy(&zip).await?.id
    };
    let elapsed = started.elapsed();

    let peak = status_kib("VmHWM:").unwrap_or(0);
    let above = peak.saturating_sub(baseline) * 1024;
    let ratio = above as f64 / zip_size as f64;
    println!(
        "mode:              {}",
        if naive {
            "naive (raw client)"
        } else {
            "tray-api"
        }
    );
    println!("zip size:          {:.1} MiB", zip_size as f64 / 1048576.0);
    println!("deployment id:     {id} ({elapsed:.2?})");
    println!(
        "baseline RSS:      {:.1} MiB (peak before: {:.1} MiB, reset: {reset})",
        baseline as f64 / 1024.0,
        hwm_before as f64 / 1024.0
    );
    println!("peak RSS:          {:.1} MiB", peak as f64 / 1024.0);
    println!(
        "peak above base:   {:.1} MiB = {ratio:.2}x the zip (target <= 2.5x)",
        above as f64 / 1048576.0
    );
    Ok(())
}
