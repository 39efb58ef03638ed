//! Checks a deployed connector zip, and builds sample ones.

use std::io::{Cursor, Read, Write};

use base64::Engine as _;
use serde::Deserialize;

/// The version Tray accepts ("Currently, only version 1.0 is supported").
pub const SUPPORTED_VERSION: &str = "1.0";

/// The part of `connector.json` the sandbox reads.
#[derive(Debug, Deserialize)]
struct ConnectorJson {
    name: String,
    version: String,
}

/// Validates `connectorSourceCode` against the connector name and version
/// of the path; the error is the 400 message.
pub(crate) fn check_connector_source(
    source: &str,
    name: &str,
    version: &str,
) -> Result<(), String> {
    let compact: String = source
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|error| format!("connectorSourceCode is not valid base64: {error}"))?;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| format!("connectorSourceCode is not a zip archive: {error}"))?;
    let path = find_connector_json(&archive)?;
    let mut text = String::new();
    archive
        .by_name(&path)
        .map_err(|error| format!("connector.json could not be read: {error}"))?
        .read_to_string(&mut text)
        .map_err(|error| format!("connector.json could not be read: {error}"))?;
    let connector: ConnectorJson = serde_json::from_str(&text).map_err(|error| {
        format!("connector.json could not be read: {error} (expected a JSON object with string fields name and version)")
    })?;
    if connector.name != name {
        return Err(format!(
            "The connector name in the path ({name}) does not match the name in connector.json ({})",
            connector.name
        ));
    }
    if connector.version != version {
        return Err(format!(
            "The connector version in the path ({version}) does not match the version in connector.json ({})",
            connector.version
        ));
    }
    if version != SUPPORTED_VERSION {
        return Err(format!(
            "Connector version {version} is not supported. Only version {SUPPORTED_VERSION} is supported."
        ));
    }
    Ok(())
}

/// `connector.json` at the root, or under the single top-level folder.
fn find_connector_json<R: Read + std::io::Seek>(
    archive: &zip::ZipArchive<R>,
) -> Result<String, String> {
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect();
    if names.iter().any(|name| name == "connector.json") {
        return Ok("connector.json".to_owned());
    }
    let mut top: Vec<&str> = names
        .iter()
        .filter_map(|name| name.split_once('/').map(|(folder, _)| folder))
        .collect();
    top.sort_unstable();
    top.dedup();
    let no_json = "The connector zip has no connector.json (expected at the root of the zip or in its single top-level folder)";
    match top.as_slice() {
        [folder] => {
            let path = format!("{folder}/connector.json");
            if names.contains(&path) {
                Ok(path)
            } else {
                Err(no_json.to_owned())
            }
        }
        _ => Err(no_json.to_owned()),
    }
}

/// A small valid connector project zip in the layout `tray-cdk connector
/// build` writes (`<name>/connector.json`, `<name>/package.json`,
/// `<name>/tsconfig.json`, `<name>/src/...`).
///
/// Deploying it to the sandbox (base64 encoded, as `connectorSourceCode`)
/// with the same name and version succeeds when `version` is `1.0`.
///
/// ```
/// let zip = tray_sandbox::sample_connector_zip("my-connector", "1.0");
/// assert_eq!(&zip[..2], b"PK");
/// ```
pub fn sample_connector_zip(name: &str, version: &str) -> Vec<u8> {
    let connector_json = serde_json::json!({
        "name": name,
        "version": version,
        "title": title_case(name),
        "description": format!("Sample connector {name}, built for the Tray sandbox"),
        "isTrigger": false,
        "rawHttp": {"enabled": false},
        "tags": [],
    });
    let package_json = serde_json::json!({
        "name": format!("@sandbox/{name}"),
        "version": "0.1.0",
        "private": true,
        "scripts": {"compile": "tsc", "test": "jest"},
        "dependencies": {"@trayio/cdk-dsl": "^2.19.0"},
    });
    let files: Vec<(String, String)> = vec![
        (
            format!("{name}/connector.json"),
            pretty(&connector_json),
        ),
        (format!("{name}/package.json"), pretty(&package_json)),
        (
            format!("{name}/tsconfig.json"),
            "{\n  \"compilerOptions\": {\"target\": \"es2020\", \"module\": \"commonjs\", \"strict\": true}\n}\n"
                .to_owned(),
        ),
        (
            format!("{name}/src/GlobalConfig.ts"),
            "export const globalConfigHttp = {};\n".to_owned(),
        ),
        (
            format!("{name}/src/get_post/operation.json"),
            "{\n  \"name\": \"get_post\",\n  \"title\": \"Get post\",\n  \"description\": \"Gets a post by id\"\n}\n"
                .to_owned(),
        ),
        (
            format!("{name}/src/get_post/handler.ts"),
            "export const getPostHandler = {};\n".to_owned(),
        ),
    ];
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, content) in &files {
        // Writing to a Vec cannot fail for I/O reasons; a failure would only
        // drop the file, which the deploy check then reports.
        if writer.start_file(path.as_str(), options).is_ok() {
            let _ = writer.write_all(content.as_bytes());
        }
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn title_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn sample_passes() {
        let zip = sample_connector_zip("my-connector", "1.0");
        check_connector_source(&b64(&zip), "my-connector", "1.0").unwrap();
    }

    #[test]
    fn root_layout_passes() {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("connector.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        writer
            .write_all(br#"{"name":"flat","version":"1.0"}"#)
            .unwrap();
        let zip = writer.finish().unwrap().into_inner();
        check_connector_source(&b64(&zip), "flat", "1.0").unwrap();
    }

    #[test]
    fn errors_are_distinct() {
        let zip = sample_connector_zip("a", "2.0");
        let errors = [
            check_connector_source("%%%", "a", "1.0"),
            check_connector_source(&b64(b"not a zip"), "a", "1.0"),
            check_connector_source(&b64(&zip), "b", "2.0"),
            check_connector_source(&b64(&zip), "a", "3.0"),
            check_connector_source(&b64(&zip), "a", "2.0"),
        ];
        let messages: Vec<String> = errors.into_iter().map(|e| e.unwrap_err()).collect();
        assert!(messages[0].contains("base64"));
        assert!(messages[1].contains("not a zip"));
        assert!(messages[2].contains("name"));
        assert!(messages[3].contains("does not match the version"));
        assert!(messages[4].contains("not supported"));
    }
}
