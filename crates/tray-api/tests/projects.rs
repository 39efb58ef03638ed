//! Projects: versions and paging, export to memory/writer/file, imports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use futures::TryStreamExt;
use serde_json::{Value, json};
use tray_api::types::ConnectorRef;
use tray_api::{AuthResolution, ConnectorMapping, Error, ImportInput, ServiceMapping};
use uuid::Uuid;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn project() -> Uuid {
    Uuid::parse_str(PROJECT).unwrap()
}

fn dest() -> Uuid {
    Uuid::parse_str(DEST_PROJECT).unwrap()
}

/// Serves `total` versions in pages of `first` (capped at 1000), with the
/// cursor being the index of the next element.
struct Versions {
    total: usize,
    requests: Arc<AtomicUsize>,
}

impl Respond for Versions {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let query: std::collections::HashMap<String, String> =
            request.url.query_pairs().into_owned().collect();
        let first: usize = query
            .get("first")
            .map(|f| f.parse().unwrap())
            .unwrap_or(20)
            .min(1000);
        let start: usize = query.get("cursor").map(|c| c.parse().unwrap()).unwrap_or(0);
        let end = (start + first).min(self.total);
        let elements: Vec<Value> = (start..end)
            .map(|i| version(&i.to_string(), PROJECT))
            .collect();
        let next = (end < self.total).then(|| end.to_string());
        ResponseTemplate::new(200).set_body_json(page(elements, next.as_deref()))
    }
}

#[tokio::test]
async fn list_versions_follows_three_pages() {
    let server = MockServer::start().await;
    let base = format!("/core/v1/projects/{PROJECT}/versions");
    Mock::given(method("GET"))
        .and(path(base.as_str()))
        .and(query_param("cursor", "c2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![version("3", PROJECT)], None)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(base.as_str()))
        .and(query_param("cursor", "c1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![version("2", PROJECT)], Some("c2"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(base.as_str()))
        .and(query_param("first", "1000"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![version("1", PROJECT)], Some("c1"))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let versions: Vec<_> = client(&server)
        .projects()
        .versions(project())
        .stream()
        .try_collect()
        .await
        .unwrap();
    let numbers: Vec<_> = versions.iter().map(|v| v.version_number.as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3"]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    assert!(requests[0].url.query_pairs().all(|(k, _)| k != "cursor"));
    for request in &requests {
        assert!(
            request
                .url
                .query_pairs()
                .any(|(k, v)| k == "first" && v == "1000")
        );
    }
}

#[tokio::test]
async fn listing_10000_versions_takes_10_requests() {
    let server = MockServer::start().await;
    let requests = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions")))
        .respond_with(Versions {
            total: 10_000,
            requests: requests.clone(),
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let count = client
        .projects()
        .versions(project())
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(count, 10_000);
    assert_eq!(requests.load(Ordering::SeqCst), 10);
}

#[tokio::test]
async fn single_page_and_page_size_checks() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("first", "2"))
        .and(query_param("cursor", "abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![version("1", PROJECT), version("2", PROJECT)],
            Some("def"),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let page = client
        .projects()
        .versions(project())
        .page_size(2)
        .after("abc")
        .page()
        .await
        .unwrap();
    assert_eq!(page.elements.len(), 2);
    assert_eq!(page.page_info.end_cursor.as_deref(), Some("def"));
    for bad in [0, 1001] {
        let error = client
            .projects()
            .versions(project())
            .page_size(bad)
            .page()
            .await
            .unwrap_err();
        assert!(error.is_local());
    }
}

#[tokio::test]
async fn versions_stream_takes_the_page_size_and_start_cursor() {
    let server = MockServer::start().await;
    let requests = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions")))
        .respond_with(Versions {
            total: 10,
            requests: requests.clone(),
        })
        .mount(&server)
        .await;
    let numbers: Vec<String> = client(&server)
        .projects()
        .versions(project())
        .page_size(3)
        .after("4")
        .stream()
        .map_ok(|v| v.version_number)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(numbers, ["4", "5", "6", "7", "8", "9"]);
    // Pages 4-6 and 7-9: the second says there is no next page.
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    let received = server.received_requests().await.unwrap();
    assert!(
        received
            .iter()
            .all(|r| r.url.query_pairs().any(|(k, v)| k == "first" && v == "3"))
    );
}

#[tokio::test]
async fn create_version_without_a_title_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let projects_client = client(&server);
    let missing = projects_client
        .projects()
        .create_version(project(), "4")
        .await
        .unwrap_err();
    assert!(missing.is_local(), "{missing:?}");
    assert!(missing.to_string().contains("title"), "{missing}");
    let blank = projects_client
        .projects()
        .create_version(project(), "4")
        .title("  ")
        .send()
        .await
        .unwrap_err();
    assert!(blank.is_local(), "{blank:?}");
    let no_number = projects_client
        .projects()
        .create_version(project(), " ")
        .title("Release")
        .await
        .unwrap_err();
    assert!(
        no_number.to_string().contains("version number"),
        "{no_number}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn create_version_without_a_description_sends_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions/5")))
        .and(body_json(json!({"title": "Release 5"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(version("5", PROJECT)))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .projects()
        .create_version(project(), "5")
        .title("Release 5")
        .set_description(None)
        .send()
        .await
        .unwrap();
    assert_eq!(created.version_number, "5");
}

#[tokio::test]
async fn create_version_sends_title_and_description() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions/4")))
        .and(body_json(
            json!({"title": "Release 4", "description": "EU flows"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(version("4", PROJECT)))
        .expect(1)
        .mount(&server)
        .await;
    let created = client(&server)
        .projects()
        .create_version(project(), "4")
        .title("Release 4")
        .description("EU flows")
        .await
        .unwrap();
    assert_eq!(created.version_number, "4");
}

#[tokio::test]
async fn export_to_memory_writer_and_file() {
    let server = MockServer::start().await;
    let export = json!({"projects": [{"id": "p"}], "big": "x".repeat(100_000)});
    let raw = serde_json::to_vec(&export).unwrap();
    Mock::given(method("GET"))
        .and(path(format!(
            "/core/v1/projects/{PROJECT}/versions/3/export"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_raw(raw.clone(), "application/json"))
        .mount(&server)
        .await;
    let client = client(&server);
    let map = client.projects().export(project(), "3").await.unwrap();
    assert_eq!(Value::Object(map), export);

    let mut buffer = Vec::new();
    let written = client
        .projects()
        .export_to_writer(project(), "3", &mut buffer)
        .await
        .unwrap();
    assert_eq!(written, raw.len() as u64);
    assert_eq!(buffer, raw);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let written = client
        .projects()
        .export_to_file(project(), "3", &file)
        .await
        .unwrap();
    assert_eq!(written, raw.len() as u64);
    assert_eq!(std::fs::read(&file).unwrap(), raw);
    // Only the final file is left.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn failed_export_leaves_no_file() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"message": "Version not found"})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let error = client(&server)
        .projects()
        .export_to_file(project(), "9", &file)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(error.message(), Some("Version not found"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn import_calls_send_typed_inputs() {
    let server = MockServer::start().await;
    let auth = Uuid::parse_str(SOLUTION).unwrap();
    let mut export = serde_json::Map::new();
    export.insert("projects".into(), json!([]));
    let mut config = serde_json::Map::new();
    config.insert("region".into(), json!("eu"));
    let input = ImportInput::new(export.clone())
        .connector_mapping(
            ConnectorRef {
                name: "crm".into(),
                version: "1.0".into(),
            },
            ConnectorRef {
                name: "crm".into(),
                version: "1.1".into(),
            },
        )
        .service_mappings(["slack@1=slack@2".parse::<ServiceMapping>().unwrap()])
        .auth_resolution("slack-auth", auth)
        .config_override(config);
    let mappings = json!({
        "exportedProjectJson": {"projects": []},
        "connectorMapping": [{"from": {"name": "crm", "version": "1.0"}, "to": {"name": "crm", "version": "1.1"}}],
        "serviceMapping": [{"from": {"name": "slack", "version": "1"}, "to": {"name": "slack", "version": "2"}}],
    });
    let mut full = mappings.clone();
    full["authenticationResolution"] =
        json!([{"authExportId": "slack-auth", "authenticationId": SOLUTION}]);
    full["configOverride"] = json!({"region": "eu"});

    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/requirements"
        )))
        .and(body_json(mappings))
        .respond_with(ResponseTemplate::new(200).set_body_json(requirements(false)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/previews"
        )))
        .and(body_json(full.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(preview()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{DEST_PROJECT}/imports")))
        .and(body_json(full))
        .respond_with(ResponseTemplate::new(200).set_body_json(import_result()))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let needs = client
        .projects()
        .import_requirements(dest(), &input)
        .await
        .unwrap();
    assert!(!needs.unresolved_authentications);
    let preview = client
        .projects()
        .import_preview(dest(), &input)
        .await
        .unwrap();
    assert_eq!(preview.project_impact.workflows.created.len(), 1);
    let imported = client.projects().import(dest(), &input).await.unwrap();
    assert_eq!(imported.import_metadata.project_name, "Destination");
}

#[test]
fn parse_helpers_reject_bad_syntax() {
    let mapping: ConnectorMapping = "my-conn@1.0=my-conn-eu@1.1".parse().unwrap();
    assert_eq!(mapping.from.name, "my-conn");
    assert_eq!(mapping.to.version, "1.1");
    for bad in ["", "a@1", "a=b", "@1=b@2", "a@=b@2", "a@1=b@"] {
        let error = bad.parse::<ConnectorMapping>().unwrap_err();
        assert!(error.is_local(), "{bad}");
        assert!(bad.parse::<ServiceMapping>().is_err(), "{bad}");
    }
    let resolution: AuthResolution = format!("slack-auth={SOLUTION}").parse().unwrap();
    assert_eq!(resolution.authentication_id.to_string(), SOLUTION);
    assert!(
        "slack-auth=nope"
            .parse::<AuthResolution>()
            .unwrap_err()
            .is_local()
    );
    assert!("slack-auth".parse::<AuthResolution>().is_err());
    assert!(format!("={SOLUTION}").parse::<AuthResolution>().is_err());
}

#[tokio::test]
async fn unknown_fields_in_responses_are_accepted() {
    let server = MockServer::start().await;
    let mut v = version("1", PROJECT);
    v["newField"] = json!({"anything": true});
    let mut body = page(vec![v], None);
    body["extra"] = json!(1);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let versions: Vec<_> = client(&server)
        .projects()
        .versions(project())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 1);
}

/// A server answering every export with `body`.
async fn export_server(body: &[u8]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/core/v1/projects/{PROJECT}/versions/3/export"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"))
        .mount(&server)
        .await;
    server
}

/// Names in `dir` starting with `.tray-export-`.
fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".tray-export-"))
        .collect()
}

#[cfg(unix)]
#[tokio::test]
async fn export_to_a_symlink_replaces_the_file_it_points_to() {
    use std::os::unix::fs::PermissionsExt;
    let raw = br#"{"projects": [{"id": "p"}]}"#;
    let server = export_server(raw).await;
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("exports");
    std::fs::create_dir(&real_dir).unwrap();
    let target = real_dir.join("current.json");
    std::fs::write(&target, b"old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    // A chain: link -> exports/middle -> current.json (relative targets).
    std::os::unix::fs::symlink("current.json", real_dir.join("middle")).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("exports/middle", &link).unwrap();

    let written = client(&server)
        .projects()
        .export_to_file(project(), "3", &link)
        .await
        .unwrap();

    assert_eq!(written, raw.len() as u64);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        std::path::Path::new("exports/middle")
    );
    assert!(
        std::fs::symlink_metadata(real_dir.join("middle"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), raw);
    // The replaced file keeps its permissions.
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(temp_files(dir.path()).is_empty());
    assert!(temp_files(&real_dir).is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn export_to_a_dangling_symlink_creates_its_target() {
    let raw = br#"{"projects": []}"#;
    let server = export_server(raw).await;
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("new.json", &link).unwrap();
    client(&server)
        .projects()
        .export_to_file(project(), "3", &link)
        .await
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(dir.path().join("new.json")).unwrap(), raw);
    assert!(temp_files(dir.path()).is_empty());
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_new_export_file_gets_the_umask_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let umask = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("Umask:"))
        .map(|mask| u32::from_str_radix(mask.trim(), 8).unwrap())
        .unwrap();
    let server = export_server(b"{}").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.json");
    client(&server)
        .projects()
        .export_to_file(project(), "3", &file)
        .await
        .unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o666 & !umask);
}

#[cfg(unix)]
#[tokio::test]
async fn export_to_a_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let raw = br#"{"projects": [{"id": "fifo"}]}"#;
    let server = export_server(raw).await;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let written = client(&server)
        .projects()
        .export_to_file(project(), "3", &fifo)
        .await
        .unwrap();
    assert_eq!(written, raw.len() as u64);
    assert_eq!(reader.join().unwrap(), raw);
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(temp_files(dir.path()).is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn export_to_dev_null_leaves_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let server = export_server(br#"{"projects": []}"#).await;
    let written = client(&server)
        .projects()
        .export_to_file(project(), "3", "/dev/null")
        .await
        .unwrap();
    assert_eq!(written, 16);
    let metadata = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(metadata.file_type().is_char_device());
}

#[tokio::test]
async fn export_to_a_directory_is_a_local_error() {
    let server = export_server(b"{}").await;
    let dir = tempfile::tempdir().unwrap();
    let error = client(&server)
        .projects()
        .export_to_file(project(), "3", dir.path())
        .await
        .unwrap_err();
    assert!(error.is_local(), "{error:?}");
    assert!(error.to_string().contains("directory"), "{error}");
    // Nothing was requested.
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dropped_export_to_file_leaves_no_temporary_file() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(b"{}".to_vec(), "application/json")
                .set_delay(std::time::Duration::from_secs(3600)),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let client = client(&server);
    let projects = client.projects();
    // Boxed, so that `drop` drops the future itself.
    let mut export = Box::pin(projects.export_to_file(project(), "3", &file));
    // Bounded: the server holds the answer, so the temporary file stays.
    let mut seen = false;
    for _ in 0..1000 {
        tokio::select! {
            result = &mut export => panic!("the export ended: {result:?}"),
            () = tokio::time::sleep(std::time::Duration::from_millis(5)) => {}
        }
        if !temp_files(dir.path()).is_empty() {
            seen = true;
            break;
        }
    }
    assert!(seen, "no temporary file appeared");
    drop(export);
    assert!(temp_files(dir.path()).is_empty());
    assert!(!file.exists());
}
