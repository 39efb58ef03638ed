//! A CDK connector zip, checked locally before any request, and the
//! memory-lean deploy body built from it. The connector zip rule is
//! documented on [`ConnectorZip`].

use std::fmt;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use crate::error::{Error, Result};

/// The largest total inflated size of a connector zip's entries: 256 MiB.
///
/// ```
/// assert_eq!(tray_api::MAX_INFLATED_SIZE, 256 * 1024 * 1024);
/// ```
pub const MAX_INFLATED_SIZE: u64 = 256 * 1024 * 1024;

/// The largest inflated `connector.json`: 1 MiB.
///
/// ```
/// assert_eq!(tray_api::MAX_MANIFEST_SIZE, 1024 * 1024);
/// ```
pub const MAX_MANIFEST_SIZE: u64 = 1024 * 1024;

/// Where a connector project keeps its built zip, in the order looked at.
///
/// ```
/// assert_eq!(tray_api::BUILT_ZIP_PATHS[0], ".tray/connector.zip");
/// ```
pub const BUILT_ZIP_PATHS: [&str; 2] = [".tray/connector.zip", "dist/connector.zip"];

const MANIFEST: &str = "connector.json";
const FINDER_FOLDER: &str = "__MACOSX";

const BODY_PREFIX: &[u8] = b"{\"connectorSourceCode\":\"";
const BODY_SUFFIX: &[u8] = b"\"}";

/// Why a connector zip (or a connector project folder) was rejected; the
/// `source` of [`Error::InvalidZip`]. The messages read after the file name
/// ("acme.zip has no acme/connector.json").
///
/// ```
/// let error = tray_api::ConnectorZip::from_bytes(b"not a zip".to_vec()).unwrap_err();
/// match error {
///     tray_api::Error::InvalidZip { source, .. } => assert_eq!(source.category(), "not-a-zip"),
///     other => panic!("{other}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// Not a zip archive, or a damaged one.
    #[error("is not a valid zip file ({source})")]
    NotAZip {
        /// What the zip reader found.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Inflates past [`MAX_INFLATED_SIZE`] in total, or `connector.json`
    /// past [`MAX_MANIFEST_SIZE`].
    #[error("is too large: {what} would inflate past {} MiB", limit / (1024 * 1024))]
    TooLarge {
        /// What is too large (`"its entries"`, `"acme/connector.json"`).
        what: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// An entry name that is absolute or has a `..` component.
    #[error("has an unsafe entry name {entry:?} (absolute, or with a `..` component)")]
    UnsafePath {
        /// The entry name.
        entry: String,
    },
    /// No `connector.json` at the root, and not exactly one top-level
    /// folder with nothing beside it.
    #[error(
        "holds {} at its top level: a connector zip has connector.json at its root, or one folder holding it and nothing beside that folder",
        entries.join(", ")
    )]
    Layout {
        /// The top-level folders (with a trailing `/`) and files.
        entries: Vec<String>,
    },
    /// No `connector.json` where the rule looks.
    #[error(
        "has no {expected}{}",
        found.as_ref().map(|f| format!(" (found {f}: connector.json must be at the root or in the one top-level folder)")).unwrap_or_default()
    )]
    MissingManifest {
        /// Where it was looked for.
        expected: String,
        /// A `connector.json` found elsewhere, if any.
        found: Option<String>,
    },
    /// `connector.json` is not JSON, or lacks `name` or `version` strings.
    #[error("has an invalid {entry}: {message}")]
    BadManifest {
        /// The entry (or file) read.
        entry: String,
        /// What is wrong with it.
        message: String,
    },
    /// A given name or version differs from the zip's `connector.json`.
    #[error("says {field} {zip:?} in its connector.json but {given:?} was given")]
    Mismatch {
        /// `"name"` or `"version"`.
        field: &'static str,
        /// The given value.
        given: String,
        /// The zip's value.
        zip: String,
    },
    /// A project folder's built zip holds another name or version than the
    /// folder's `connector.json`.
    #[error(
        "holds {zip_name} {zip_version} but the project's connector.json says {project_name} {project_version}: the build is stale"
    )]
    StaleBuild {
        /// Name in the zip.
        zip_name: String,
        /// Version in the zip.
        zip_version: String,
        /// Name in the project folder.
        project_name: String,
        /// Version in the project folder.
        project_version: String,
    },
    /// A folder without `connector.json`.
    #[error("is not a connector project: it has no connector.json")]
    NotAProject,
    /// A project folder without a built zip at [`BUILT_ZIP_PATHS`].
    #[error("has no connector zip: looked for .tray/connector.zip and dist/connector.zip")]
    NotBuilt,
    /// The path is neither a folder nor a file.
    #[error("does not exist (give a connector project folder or a .zip file)")]
    NotFound,
}

impl ZipError {
    /// The category of the shared table of cases: `not-a-zip`, `too-large`,
    /// `unsafe-path`, `layout`, `missing-manifest`, `bad-manifest`,
    /// `mismatch` (also a stale build), `not-a-project`, `not-built`,
    /// `not-found`.
    ///
    /// ```
    /// let error = tray_api::ZipError::UnsafePath { entry: "../x".into() };
    /// assert_eq!(error.category(), "unsafe-path");
    /// ```
    pub fn category(&self) -> &'static str {
        match self {
            Self::NotAZip { .. } => "not-a-zip",
            Self::TooLarge { .. } => "too-large",
            Self::UnsafePath { .. } => "unsafe-path",
            Self::Layout { .. } => "layout",
            Self::MissingManifest { .. } => "missing-manifest",
            Self::BadManifest { .. } => "bad-manifest",
            Self::Mismatch { .. } | Self::StaleBuild { .. } => "mismatch",
            Self::NotAProject => "not-a-project",
            Self::NotBuilt => "not-built",
            Self::NotFound => "not-found",
        }
    }

    /// What to do about it, for people.
    ///
    /// ```
    /// assert!(tray_api::ZipError::NotBuilt.hint().contains("tray-cdk connector build"));
    /// ```
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NotAProject | Self::NotFound => {
                "give a connector project folder (made by `tray-cdk connector init`) or a .zip file"
            }
            Self::NotBuilt => "build it first with `tray-cdk connector build`",
            Self::StaleBuild { .. } => "rebuild with `tray-cdk connector build`",
            Self::Mismatch { .. } => {
                "deploy the name and version of the zip's connector.json, or rebuild the zip"
            }
            _ => {
                "build the connector with `tray-cdk connector build` (it writes .tray/connector.zip)"
            }
        }
    }
}

fn invalid(path: Option<&Path>, source: ZipError) -> Error {
    Error::InvalidZip {
        path: path.map(Path::to_owned),
        source,
    }
}

/// The `name` and `version` of a connector's `connector.json`.
///
/// ```
/// let manifest = tray_api::ConnectorManifest::parse(br#"{"name":"acme","version":"1.0"}"#).unwrap();
/// assert_eq!((manifest.name.as_str(), manifest.version.as_str()), ("acme", "1.0"));
/// assert!(tray_api::ConnectorManifest::parse(br#"{"name":"acme","version":1.0}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectorManifest {
    /// The connector name.
    pub name: String,
    /// The connector version.
    pub version: String,
}

impl ConnectorManifest {
    /// Parse `connector.json`: a JSON object whose `name` and `version` are
    /// non-empty strings (other fields are not read).
    ///
    /// ```
    /// let error = tray_api::ConnectorManifest::parse(b"{").unwrap_err();
    /// assert_eq!(error.category(), "bad-manifest");
    /// ```
    pub fn parse(json: &[u8]) -> std::result::Result<Self, ZipError> {
        parse_manifest(json, MANIFEST)
    }

    /// Read `<dir>/connector.json` of a connector project folder.
    ///
    /// ```no_run
    /// let manifest = tray_api::ConnectorManifest::read(".")?;
    /// println!("{} {}", manifest.name, manifest.version);
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn read(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let path = dir.join(MANIFEST);
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(invalid(Some(dir), ZipError::NotAProject));
            }
            Err(e) => {
                return Err(Error::local(format!("cannot read {}: {e}", path.display())));
            }
        };
        let mut text = Vec::new();
        file.take(MAX_MANIFEST_SIZE + 1)
            .read_to_end(&mut text)
            .map_err(|e| Error::local(format!("cannot read {}: {e}", path.display())))?;
        if text.len() as u64 > MAX_MANIFEST_SIZE {
            return Err(invalid(
                Some(dir),
                ZipError::TooLarge {
                    what: MANIFEST.to_owned(),
                    limit: MAX_MANIFEST_SIZE,
                },
            ));
        }
        parse_manifest(&text, MANIFEST).map_err(|e| invalid(Some(dir), e))
    }
}

#[derive(Clone)]
enum Source {
    File(PathBuf),
    Bytes(Bytes),
}

/// A connector zip (`tray-cdk connector build` writes `.tray/connector.zip`)
/// with the `name` and `version` read from its `connector.json`.
///
/// Opening checks the zip against the connector zip rule below (layout,
/// entry names, sizes, `connector.json`) without inflating more than
/// `connector.json`; a zip that breaks it is [`Error::InvalidZip`], before
/// any request.
///
/// A zip opened from a path is not held in memory: deploying streams it
/// through a base64 encoder into the request body.
///
/// # The connector zip rule
///
/// This is the one rule the library, the CLI and the sandbox hold (the
/// shared table of cases is `tests/fixtures/zips/cases.json`). Checks run in
/// this order, and the first that fails gives the [`ZipError`]:
///
/// 1. The file is a zip archive ([`ZipError::NotAZip`]).
/// 2. Its entries inflate to at most [`MAX_INFLATED_SIZE`] (256 MiB) in
///    total ([`ZipError::TooLarge`]). Sizes are read from the zip's
///    directory; nothing is inflated for this check.
/// 3. No entry name is absolute (`/…`, `\…`, `C:…`) or has a `..`
///    component, with `/` or `\` as separators ([`ZipError::UnsafePath`]).
/// 4. Entries under a top-level `__MACOSX/` folder (what macOS Finder adds)
///    are ignored. The project is then the zip's root if `connector.json`
///    is there; otherwise the zip must hold exactly one top-level folder and
///    nothing beside it ([`ZipError::Layout`] when a folder has company),
///    and `connector.json` must be in that folder
///    ([`ZipError::MissingManifest`], also for an empty zip or loose files;
///    a `connector.json` deeper down does not count).
/// 5. `connector.json` inflates to at most [`MAX_MANIFEST_SIZE`] (1 MiB)
///    ([`ZipError::TooLarge`]) and is a JSON object whose `name` and
///    `version` are non-empty strings, taken as they are
///    ([`ZipError::BadManifest`]).
/// 6. A name or version given for the deploy (or the project folder's own
///    `connector.json`) equals the zip's ([`ZipError::Mismatch`],
///    [`ZipError::StaleBuild`]).
///
/// Tray itself only accepts version `1.0` at the moment; that is Tray's
/// answer to the deploy, not a local check.
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
        let manifest =
            read_manifest(std::io::BufReader::new(file)).map_err(|e| invalid(Some(path), e))?;
        Ok(Self {
            source: Source::File(path.to_owned()),
            name: manifest.name,
            version: manifest.version,
            len,
        })
    }

    /// The connector zip of a project folder or a zip file: for a folder,
    /// its `connector.json` is read, its built zip is the first of
    /// [`BUILT_ZIP_PATHS`] that exists, and a zip holding another name or
    /// version than the folder's `connector.json` is a stale build
    /// ([`ZipError::StaleBuild`]); a file is opened with
    /// [`ConnectorZip::open`].
    ///
    /// ```no_run
    /// let zip = tray_api::ConnectorZip::locate(".")?; // ./.tray/connector.zip, else ./dist/connector.zip
    /// let same = tray_api::ConnectorZip::locate("./.tray/connector.zip")?;
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn locate(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if path.is_file() {
            return Self::open(path);
        }
        if !path.is_dir() {
            return Err(invalid(Some(path), ZipError::NotFound));
        }
        let manifest = ConnectorManifest::read(path)?;
        let Some(file) = BUILT_ZIP_PATHS
            .iter()
            .map(|relative| path.join(relative))
            .find(|candidate| candidate.is_file())
        else {
            return Err(invalid(Some(path), ZipError::NotBuilt));
        };
        let zip = Self::open(&file)?;
        if zip.name != manifest.name || zip.version != manifest.version {
            return Err(invalid(
                Some(&file),
                ZipError::StaleBuild {
                    zip_name: zip.name,
                    zip_version: zip.version,
                    project_name: manifest.name,
                    project_version: manifest.version,
                },
            ));
        }
        Ok(zip)
    }

    /// Check a zip held in memory.
    ///
    /// ```
    /// assert!(tray_api::ConnectorZip::from_bytes(Vec::new()).is_err());
    /// ```
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Result<Self> {
        let bytes: Bytes = bytes.into();
        let manifest =
            read_manifest(std::io::Cursor::new(&bytes[..])).map_err(|e| invalid(None, e))?;
        Ok(Self {
            len: bytes.len() as u64,
            source: Source::Bytes(bytes),
            name: manifest.name,
            version: manifest.version,
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

    /// Fail with [`Error::InvalidZip`] ([`ZipError::Mismatch`]) if a given
    /// name or version differs from the zip's `connector.json`.
    ///
    /// ```no_run
    /// # let zip = tray_api::ConnectorZip::open("c.zip").unwrap();
    /// zip.ensure_matches(Some("my-connector"), Some("1.0"))?;
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn ensure_matches(&self, name: Option<&str>, version: Option<&str>) -> Result<()> {
        for (field, given, zip) in [
            ("name", name, &self.name),
            ("version", version, &self.version),
        ] {
            if let Some(given) = given
                && given != zip
            {
                return Err(invalid(
                    self.path(),
                    ZipError::Mismatch {
                        field,
                        given: given.to_owned(),
                        zip: zip.clone(),
                    },
                ));
            }
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

/// Whether an entry name is absolute or has a `..` component.
fn is_unsafe(name: &str) -> bool {
    let drive = name.as_bytes().get(1) == Some(&b':')
        && name.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
    name.starts_with(['/', '\\']) || drive || name.split(['/', '\\']).any(|part| part == "..")
}

/// Applies the rule to the entry names: the path of `connector.json`.
fn manifest_entry(names: &[String]) -> std::result::Result<String, ZipError> {
    if let Some(entry) = names.iter().find(|name| is_unsafe(name)) {
        return Err(ZipError::UnsafePath {
            entry: entry.clone(),
        });
    }
    let content: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| name.split('/').next() != Some(FINDER_FOLDER))
        .collect();
    if content.contains(&MANIFEST) {
        return Ok(MANIFEST.to_owned());
    }
    let mut top: Vec<String> = content
        .iter()
        .map(|name| match name.split_once('/') {
            Some((folder, _)) => format!("{folder}/"),
            None => (*name).to_owned(),
        })
        .collect();
    top.sort_unstable();
    top.dedup();
    let deeper = || {
        content
            .iter()
            .find(|name| name.ends_with("/connector.json"))
            .map(|name| (*name).to_owned())
    };
    match top.as_slice() {
        [] => Err(ZipError::MissingManifest {
            expected: MANIFEST.to_owned(),
            found: None,
        }),
        [folder] if folder.ends_with('/') => {
            let expected = format!("{folder}{MANIFEST}");
            if content.contains(&expected.as_str()) {
                Ok(expected)
            } else {
                Err(ZipError::MissingManifest {
                    expected,
                    found: deeper(),
                })
            }
        }
        [_file] => Err(ZipError::MissingManifest {
            expected: MANIFEST.to_owned(),
            found: deeper(),
        }),
        _ if top.iter().all(|entry| !entry.ends_with('/')) => Err(ZipError::MissingManifest {
            expected: MANIFEST.to_owned(),
            found: None,
        }),
        _ => Err(ZipError::Layout { entries: top }),
    }
}

/// Checks a zip against the rule and reads its `connector.json`.
fn read_manifest<R: Read + Seek>(reader: R) -> std::result::Result<ConnectorManifest, ZipError> {
    let not_a_zip = |e: zip::result::ZipError| ZipError::NotAZip {
        source: Box::new(e),
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(not_a_zip)?;
    let mut names = Vec::with_capacity(archive.len());
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(not_a_zip)?;
        total = total.saturating_add(entry.size());
        names.push(String::from_utf8_lossy(entry.name_raw()).into_owned());
    }
    if total > MAX_INFLATED_SIZE {
        return Err(ZipError::TooLarge {
            what: "its entries".to_owned(),
            limit: MAX_INFLATED_SIZE,
        });
    }
    let entry = manifest_entry(&names)?;
    let too_large = || ZipError::TooLarge {
        what: entry.clone(),
        limit: MAX_MANIFEST_SIZE,
    };
    let file = archive.by_name(&entry).map_err(not_a_zip)?;
    if file.size() > MAX_MANIFEST_SIZE {
        return Err(too_large());
    }
    let mut text = Vec::new();
    file.take(MAX_MANIFEST_SIZE + 1)
        .read_to_end(&mut text)
        .map_err(|e| ZipError::NotAZip {
            source: Box::new(e),
        })?;
    if text.len() as u64 > MAX_MANIFEST_SIZE {
        return Err(too_large());
    }
    parse_manifest(&text, &entry)
}

fn parse_manifest(json: &[u8], entry: &str) -> std::result::Result<ConnectorManifest, ZipError> {
    let bad = |message: String| ZipError::BadManifest {
        entry: entry.to_owned(),
        message,
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| bad(format!("not JSON ({e})")))?;
    let field = |key: &str| match manifest.get(key) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(bad(format!("\"{key}\" is not a non-empty string"))),
    };
    Ok(ConnectorManifest {
        name: field("name")?,
        version: field("version")?,
    })
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
