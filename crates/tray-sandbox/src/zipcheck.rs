//! Checks a deployed connector zip, and builds sample ones.
//!
//! This is the sandbox's own implementation of the connector zip rule (the
//! client's is `tray_api::ConnectorZip`): the two are independent, and both
//! are held to the shared table `tests/fixtures/zips/cases.json`.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Seek, Write};

use base64::Engine as _;
use serde::Deserialize;

/// The version Tray accepts ("Currently, only version 1.0 is supported").
pub const SUPPORTED_VERSION: &str = "1.0";

/// The largest total inflated size of a deployed zip's files (256 MiB).
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;

/// The largest inflated `connector.json` (1 MiB).
pub const MAX_CONNECTOR_JSON_BYTES: u64 = 1024 * 1024;

/// The part of `connector.json` the sandbox reads.
#[derive(Debug, Deserialize)]
struct ConnectorJson {
    name: String,
    version: String,
}

/// Validates `connectorSourceCode` against the connector name and version
/// of the path; the error is the 400 message.
///
/// In order: base64; a zip; the files inflate to at most
/// [`MAX_INFLATED_BYTES`] (the sizes the zip declares, then counted while
/// inflating, so a zip that lies about them is caught too, without holding
/// anything in memory); no absolute file name and no `..` component;
/// `connector.json` at the root, or in the one top-level folder with
/// nothing beside it (`__MACOSX/` ignored); `connector.json` at most
/// [`MAX_CONNECTOR_JSON_BYTES`] with non-empty string `name` and
/// `version`; those equal the path's; the version is supported.
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
    let too_large = || {
        format!(
            "The connector zip is too large: its files inflate to more than {MAX_INFLATED_BYTES} bytes"
        )
    };
    if archive
        .decompressed_size()
        .is_some_and(|size| size > u128::from(MAX_INFLATED_BYTES))
    {
        return Err(too_large());
    }
    let names: Vec<String> = archive
        .file_names()
        .map(|name| name.map(|name| name.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|error| format!("connectorSourceCode is not a zip archive: {error}"))?;
    if let Some(unsafe_name) = names.iter().find(|name| escapes(name)) {
        return Err(format!(
            "The connector zip has an unsafe file name {unsafe_name:?} (absolute, or with a .. component)"
        ));
    }
    let path = find_connector_json(&names)?;
    inflate_all(&mut archive, too_large)?;
    let mut text = Vec::new();
    let entry = archive
        .by_name(&path)
        .map_err(|error| format!("connector.json could not be read: {error}"))?;
    let declared = entry.size();
    entry
        .take(MAX_CONNECTOR_JSON_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|error| format!("connector.json could not be read: {error}"))?;
    if declared > MAX_CONNECTOR_JSON_BYTES || text.len() as u64 > MAX_CONNECTOR_JSON_BYTES {
        return Err(format!(
            "The connector zip is too large: connector.json is larger than {MAX_CONNECTOR_JSON_BYTES} bytes"
        ));
    }
    let connector: ConnectorJson = serde_json::from_slice(&text).map_err(|error| {
        format!("connector.json could not be read: {error} (expected a JSON object with string fields name and version)")
    })?;
    if connector.name.is_empty() || connector.version.is_empty() {
        return Err(
            "connector.json could not be read: name and version must not be empty".to_owned(),
        );
    }
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

/// An absolute name (`/x`, `\x`, `C:x`) or one with a `..` component.
fn escapes(name: &str) -> bool {
    let slashed = name.replace('\\', "/");
    let mut chars = name.chars();
    let drive = matches!((chars.next(), chars.next()), (Some(letter), Some(':')) if letter.is_ascii_alphabetic());
    drive || slashed.starts_with('/') || slashed.split('/').any(|part| part == "..")
}

/// Inflates every file into nothing, counting, and stops past the cap.
fn inflate_all<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    too_large: impl Fn() -> String,
) -> Result<(), String> {
    let mut left = MAX_INFLATED_BYTES;
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|error| format!("connectorSourceCode is not a zip archive: {error}"))?;
        let copied = std::io::copy(&mut (&mut file).take(left + 1), &mut std::io::sink()).map_err(
            |error| {
                format!(
                    "connectorSourceCode is not a zip archive: {} is damaged: {error}",
                    String::from_utf8_lossy(file.name_raw())
                )
            },
        )?;
        left = left.checked_sub(copied).ok_or_else(&too_large)?;
    }
    Ok(())
}

/// `connector.json` at the root, or under the single top-level folder
/// (entries under `__MACOSX/`, which macOS Finder adds, do not count).
fn find_connector_json(names: &[String]) -> Result<String, String> {
    let names: Vec<&String> = names
        .iter()
        .filter(|name| *name != "__MACOSX" && !name.starts_with("__MACOSX/"))
        .collect();
    if names.iter().any(|name| *name == "connector.json") {
        return Ok("connector.json".to_owned());
    }
    let folders: BTreeSet<&str> = names
        .iter()
        .filter_map(|name| name.split_once('/').map(|(folder, _)| folder))
        .collect();
    let loose = names.iter().filter(|name| !name.contains('/')).count();
    let no_json = "The connector zip has no connector.json (expected at the root of the zip or in its single top-level folder)";
    match (folders.first(), folders.len(), loose) {
        (None, _, _) => Err(no_json.to_owned()),
        (Some(folder), 1, 0) => {
            let path = format!("{folder}/connector.json");
            if names.iter().any(|name| **name == path) {
                Ok(path)
            } else {
                Err(no_json.to_owned())
            }
        }
        (Some(_), count, _) => Err(format!(
            "The connector zip must hold connector.json at its root, or one top-level folder with it and nothing beside that folder; it holds {count} folders and {loose} files at its top level"
        )),
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
