//! A CDK connector zip, checked locally before any request, and the
//! memory-lean deploy body built from it.

use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use crate::error::{Error, Result};

/// The largest `connector.json` read from a zip.
const MAX_MANIFEST: u64 = 1024 * 1024;

const BODY_PREFIX: &[u8] = b"{\"connectorSourceCode\":\"";
const BODY_SUFFIX: &[u8] = b"\"}";

#[derive(Clone)]
enum Source {
    File(PathBuf),
    Bytes(Bytes),
}

/// A connector zip (`tray-cdk connector build` writes `.tray/connector.zip`)
/// with the `name` and `version` read from its `connector.json`.
///
/// `connector.json` may sit at the root of the zip or under one top-level
/// folder (`my-connector/connector.json`, as the CDK builds it). A file that
/// is not a zip, or has no readable `connector.json`, is rejected with
/// [`Error::Local`] before any request.
///
/// A zip opened from a path is not held in memory: deploying streams it
/// through a base64 encoder into the request body.
///
/// ```
/// use std::io::Write;
/// let mut buffer = std::io::Cursor::new(Vec::new());
/// let mut writer = zip::ZipWriter::new(&mut buffer);
/// writer.start_file("my-connector/connector.json", zip::write::SimpleFileOptions::default()).unwrap();
/// writer.write_all(br#"{"name":"my-connector","version":"1.0"}"#).unwrap();
/// writer.finish().unwrap();
///
/// let zip = tray_api::ConnectorZip::from_bytes(buffer.into_inner()).unwrap();
/// assert_eq!((zip.name(), zip.version()), ("my-connector", "1.0"));
/// assert!(zip.ensure_matches(Some("my-connector"), None).is_ok());
/// assert!(zip.ensure_matches(Some("other"), None).is_err());
/// assert!(tray_api::ConnectorZip::from_bytes(b"not a zip".to_vec()).is_err());
/// ```
#[derive(Clone)]
pub struct ConnectorZip {
    source: Source,
    name: String,
    version: String,
    len: u64,
}

impl fmt::Debug for ConnectorZip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("ConnectorZip");
        if let Source::File(path) = &self.source {
            s.field("path", path);
        }
        s.field("name", &self.name)
            .field("version", &self.version)
            .field("len", &self.len)
            .finish()
    }
}

impl ConnectorZip {
    /// Open and check a zip on disk (only its directory and
    /// `connector.json` are read now).
    ///
    /// ```no_run
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// println!("{} {} ({} bytes)", zip.name(), zip.version(), zip.len());
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path)
            .map_err(|e| Error::local(format!("cannot open {}: {e}", path.display())))?;
        let len = file
            .metadata()
            .map_err(|e| Error::local(format!("cannot read {}: {e}", path.display())))?
            .len();
        let what = path.display().to_string();
        let (name, version) = read_manifest(std::io::BufReader::new(file), &what)?;
        Ok(Self {
            source: Source::File(path.to_owned()),
            name,
            version,
            len,
        })
    }

    /// Check a zip held in memory.
    ///
    /// ```
    /// assert!(tray_api::ConnectorZip::from_bytes(Vec::new()).is_err());
    /// ```
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Result<Self> {
        let bytes: Bytes = bytes.into();
        let (name, version) = read_manifest(std::io::Cursor::new(&bytes[..]), "the zip")?;
        Ok(Self {
            len: bytes.len() as u64,
            source: Source::Bytes(bytes),
            name,
            version,
        })
    }

    /// The connector name from `connector.json`.
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// println!("{}", zip.name());
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connector version from `connector.json`.
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// println!("{}", zip.version());
    /// ```
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The size of the zip in bytes.
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// println!("{} bytes", zip.len());
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the zip is empty (never true for a valid zip).
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// assert!(!zip.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file the zip was opened from, if any.
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// assert!(zip.path().is_some());
    /// ```
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(path) => Some(path),
            Source::Bytes(_) => None,
        }
    }

    /// Fail with [`Error::Local`] if a given name or version differs from
    /// the zip's `connector.json`.
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// zip.ensure_matches(Some("my-connector"), Some("1.0"))?;
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn ensure_matches(&self, name: Option<&str>, version: Option<&str>) -> Result<()> {
        if let Some(name) = name
            && name != self.name
        {
            return Err(Error::local(format!(
                "connector name mismatch: {name:?} was given but the zip's connector.json says {:?}",
                self.name
            )));
        }
        if let Some(version) = version
            && version != self.version
        {
            return Err(Error::local(format!(
                "connector version mismatch: {version:?} was given but the zip's connector.json says {:?}",
                self.version
            )));
        }
        Ok(())
    }

    /// The deploy body `{"connectorSourceCode":"<base64>"}`, built in one
    /// buffer of the exact size: peak memory is the body (4/3 of the zip),
    /// plus the zip itself only when it was given as bytes.
    pub(crate) async fn deploy_body(&self) -> Result<Bytes> {
        match &self.source {
            Source::Bytes(bytes) => encode_bytes(bytes),
            Source::File(path) => {
                let path = path.clone();
                let expected = self.len;
                tokio::task::spawn_blocking(move || encode_file(&path, expected))
                    .await
                    .map_err(|e| Error::local(format!("encoding the zip failed: {e}")))?
            }
        }
    }
}

fn body_capacity(len: u64) -> Result<usize> {
    usize::try_from(len)
        .ok()
        .and_then(|len| base64::encoded_len(len, true))
        .and_then(|n| n.checked_add(BODY_PREFIX.len() + BODY_SUFFIX.len()))
        .ok_or_else(|| Error::local("the zip is too large to deploy"))
}

fn encode_bytes(bytes: &[u8]) -> Result<Bytes> {
    let capacity = body_capacity(bytes.len() as u64)?;
    let mut body = vec![0u8; capacity];
    body[..BODY_PREFIX.len()].copy_from_slice(BODY_PREFIX);
    let end = capacity - BODY_SUFFIX.len();
    let written = STANDARD
        .encode_slice(bytes, &mut body[BODY_PREFIX.len()..end])
        .map_err(|e| Error::local(format!("encoding the zip failed: {e}")))?;
    if BODY_PREFIX.len() + written != end {
        return Err(Error::local("encoding the zip failed: unexpected length"));
    }
    body[end..].copy_from_slice(BODY_SUFFIX);
    Ok(Bytes::from(body))
}

fn encode_file(path: &Path, expected: u64) -> Result<Bytes> {
    let io_error = |e: std::io::Error| Error::local(format!("cannot read {}: {e}", path.display()));
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let len = file.metadata().map_err(io_error)?.len();
    if len != expected {
        return Err(Error::local(format!(
            "{} changed since it was opened ({expected} bytes, now {len})",
            path.display()
        )));
    }
    let capacity = body_capacity(len)?;
    let mut body = Vec::with_capacity(capacity);
    body.extend_from_slice(BODY_PREFIX);
    {
        let mut encoder = base64::write::EncoderWriter::new(&mut body, &STANDARD);
        let copied = std::io::copy(&mut file, &mut encoder).map_err(io_error)?;
        encoder.finish().map_err(io_error)?;
        if copied != expected {
            return Err(Error::local(format!(
                "{} changed while it was read",
                path.display()
            )));
        }
    }
    body.write_all(BODY_SUFFIX).map_err(io_error)?;
    Ok(Bytes::from(body))
}

/// Finds and parses `connector.json` (at the root or under one top folder).
fn read_manifest<R: Read + Seek>(reader: R, what: &str) -> Result<(String, String)> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| {
        Error::local(format!(
            "{what} is not a valid zip file ({e}); build the connector with `tray-cdk connector build` (.tray/connector.zip)"
        ))
    })?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|n| n.into_owned()))
        .collect();
    let entry = if names.iter().any(|n| n == "connector.json") {
        "connector.json".to_owned()
    } else {
        let nested: Vec<&String> = names
            .iter()
            .filter(|n| {
                n.strip_suffix("/connector.json")
                    .is_some_and(|top| !top.is_empty() && !top.contains('/') && top != "__MACOSX")
            })
            .collect();
        match nested.as_slice() {
            [one] => (*one).clone(),
            [] => {
                return Err(Error::local(format!(
                    "{what} has no connector.json at its root or under one top-level folder: is it a CDK connector zip?"
                )));
            }
            several => {
                return Err(Error::local(format!(
                    "{what} has several connector.json files ({}): expected one",
                    several
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    };
    let file = archive
        .by_name(&entry)
        .map_err(|e| Error::local(format!("cannot read {entry} in {what}: {e}")))?;
    if file.size() > MAX_MANIFEST {
        return Err(Error::local(format!("{entry} in {what} is too large")));
    }
    let mut text = Vec::new();
    file.take(MAX_MANIFEST)
        .read_to_end(&mut text)
        .map_err(|e| Error::local(format!("cannot read {entry} in {what}: {e}")))?;
    let manifest: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| Error::local(format!("{entry} in {what} is not valid JSON: {e}")))?;
    let field = |key: &str| -> Result<String> {
        match manifest.get(key) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
            _ => Err(Error::local(format!(
                "{entry} in {what} has no \"{key}\" string"
            ))),
        }
    };
    Ok((field("name")?, field("version")?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buffer = std::io::Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut buffer);
        for (name, data) in entries {
            writer
                .start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap();
        buffer.into_inner()
    }

    #[test]
    fn body_is_json_with_base64() {
        let zip = zip_with(&[("connector.json", br#"{"name":"a","version":"1.0"}"#)]);
        let body = encode_bytes(&zip).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let text = json["connectorSourceCode"].as_str().unwrap_or_default();
        assert_eq!(STANDARD.decode(text).ok(), Some(zip));
    }

    #[test]
    fn several_top_folders_are_ambiguous() {
        let manifest: &[u8] = br#"{"name":"a","version":"1.0"}"#;
        let zip = zip_with(&[
            ("a/connector.json", manifest),
            ("b/connector.json", manifest),
        ]);
        assert!(ConnectorZip::from_bytes(zip).is_err());
        let zip = zip_with(&[("a/b/connector.json", manifest)]);
        assert!(ConnectorZip::from_bytes(zip).is_err());
    }
}
