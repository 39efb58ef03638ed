//! Listing 10,000 project versions: counts the requests the paging stream
//! makes against a local mock that serves pages of up to `first` (at most
//! 1000) versions. Expect 10.
//!
//! ```text
//! cargo run -p tray-api --example bench_list_versions
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::TryStreamExt;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOTAL: usize = 10_000;

struct Versions(Arc<AtomicUsize>);

impl Respond for Versions {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.fetch_add(1, Ordering::SeqCst);
        let mut first = 20;
        let mut start = 0;
        for (key, value) in request.url.query_pairs() {
            match key.as_ref() {
                "first" => first = value.parse::<usize>().unwrap_or(20).min(1000),
                "cursor" => start = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        let end = (start + first).min(TOTAL);
        let elements: Vec<_> = (start..end)
            .map(|i| {
                json!({
                    "projectId": "6f9619ff-8b86-d011-b42d-00c04fc964ff",
                    "versionNumber": i.to_string(),
                    "title": format!("Version {i}"),
                    "description": "",
                    "created": "2024-05-25T18:56:09Z",
                    "creator": "bench"
                })
            })
            .collect();
        let next = (end < TOTAL).then(|| end.to_string());
        ResponseTemplate::new(200).set_body_json(json!({
            "elements": elements,
            "pageInfo": {"endCursor": next, "hasNextPage": next.is_some(), "hasPreviousPage": start > 0}
        }))
    }
}

#[tokio::main]
async fn main() -> Result<(), tray_api::Error> {
    let server = MockServer::start().await;
    let requests = Arc::new(AtomicUsize::new(0));
    Mock::given(wiremock::matchers::method("GET"))
        .respond_with(Versions(requests.clone()))
        .mount(&server)
        .await;
    let client = tray_api::Client::builder().base_url(server.uri()).build()?;
    let project = uuid::Uuid::from_u128(0x6f9619ff_8b86_d011_b42d_00c04fc964ff);
    let started = Instant::now();
    let versions: Vec<_> = client
        .projects()
        .versions(project)
        .stream()
        .try_collect()
        .await?;
    println!(
        "{} versions in {} requests ({:.2?})",
        versions.len(),
        requests.load(Ordering::SeqCst),
        started.elapsed()
    );
    Ok(())
}
