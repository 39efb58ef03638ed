//! Tracing output: one span per attempt with the operation, never the
//! token. Alone in its binary: tracing caches callsite interest per process,
//! so a test subscriber must not race with tests that run without one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;
use tray_api::Error;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `MakeWriter` into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn token_is_absent_from_traces_and_errors() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(429).set_body_json(json!({"message": "Limit exceeded"})),
            ResponseTemplate::new(401)
                .set_body_json(json!({"message": "The request is unauthorized"})),
        ]))
        .mount(&server)
        .await;
    let error = client(&server)
        .deployments()
        .get("my-connector", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)));
    let error_text = format!("{error} {error:?}");
    assert!(!error_text.contains(TOKEN));

    let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(output.contains("get_deployment"), "{output}");
    assert!(output.contains("tray.request"), "{output}");
    assert!(output.contains("attempt=2"), "{output}");
    assert!(output.contains("status=401"), "{output}");
    assert!(output.contains("duration_ms"), "{output}");
    assert!(!output.contains(TOKEN), "{output}");
}
