//! Typed inputs of a project import: the exported document plus connector
//! and service mappings, auth resolutions and config overrides.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};
use tray_api_raw::projects::types as raw;
use uuid::Uuid;

use crate::error::{Error, Result};

pub use raw::{ConnectorRef, ServiceRef};

/// Parses `NAME@VERSION` (split at the last `@`).
fn parse_ref(text: &str, what: &str) -> Result<(String, String)> {
    let text = text.trim();
    match text.rsplit_once('@') {
        Some((name, version)) if !name.trim().is_empty() && !version.trim().is_empty() => {
            Ok((name.trim().to_owned(), version.trim().to_owned()))
        }
        _ => Err(Error::local(format!(
            "invalid {what} {text:?}: expected NAME@VERSION"
        ))),
    }
}

fn parse_pair<'a>(text: &'a str, what: &str, syntax: &str) -> Result<(&'a str, &'a str)> {
    text.split_once('=')
        .filter(|(a, b)| !a.trim().is_empty() && !b.trim().is_empty())
        .ok_or_else(|| Error::local(format!("invalid {what} {text:?}: expected {syntax}")))
}

/// Parses `FROM_NAME@VERSION=TO_NAME@VERSION` into `(from, to)` name and
/// version pairs; `what` names the mapping in errors.
fn parse_mapping(text: &str, what: &str) -> Result<((String, String), (String, String))> {
    let (from, to) = parse_pair(text, what, "FROM_NAME@VERSION=TO_NAME@VERSION")?;
    Ok((
        parse_ref(from, &format!("{what} source"))?,
        parse_ref(to, &format!("{what} target"))?,
    ))
}

/// Writes a mapping as `FROM_NAME@VERSION=TO_NAME@VERSION`.
fn fmt_mapping(f: &mut fmt::Formatter<'_>, from: (&str, &str), to: (&str, &str)) -> fmt::Result {
    write!(f, "{}@{}={}@{}", from.0, from.1, to.0, to.1)
}

/// Use connector `to` in the destination wherever the export uses `from`.
/// Parses from `FROM_NAME@VERSION=TO_NAME@VERSION`.
///
/// ```
/// let mapping: tray_api::ConnectorMapping = "slack@1.0=slack-eu@1.1".parse().unwrap();
/// assert_eq!(mapping.to.name, "slack-eu");
/// assert_eq!(mapping.to_string(), "slack@1.0=slack-eu@1.1");
/// assert!("slack=slack".parse::<tray_api::ConnectorMapping>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ConnectorMapping {
    /// The connector in the exported project.
    pub from: ConnectorRef,
    /// The connector to use in the destination.
    pub to: ConnectorRef,
}

impl ConnectorMapping {
    /// Use connector `to` wherever the export uses `from`.
    ///
    /// ```
    /// use tray_api::types::ConnectorRef;
    /// let mapping = tray_api::ConnectorMapping::new(
    ///     ConnectorRef { name: "crm".into(), version: "1.0".into() },
    ///     ConnectorRef { name: "crm".into(), version: "1.1".into() },
    /// );
    /// assert_eq!(mapping.to_string(), "crm@1.0=crm@1.1");
    /// ```
    pub fn new(from: ConnectorRef, to: ConnectorRef) -> Self {
        Self { from, to }
    }
}

impl FromStr for ConnectorMapping {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        let ((from_name, from_version), (to_name, to_version)) =
            parse_mapping(text, "connector mapping")?;
        Ok(Self {
            from: ConnectorRef {
                name: from_name,
                version: from_version,
            },
            to: ConnectorRef {
                name: to_name,
                version: to_version,
            },
        })
    }
}

impl fmt::Display for ConnectorMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_mapping(
            f,
            (&self.from.name, &self.from.version),
            (&self.to.name, &self.to.version),
        )
    }
}

impl From<ConnectorMapping> for raw::ConnectorMappingInput {
    fn from(value: ConnectorMapping) -> Self {
        Self {
            from: value.from,
            to: value.to,
        }
    }
}

/// Use service `to` in the destination wherever the export uses `from`.
/// Parses from `FROM_NAME@VERSION=TO_NAME@VERSION`.
///
/// ```
/// let mapping: tray_api::ServiceMapping = "slack@1=slack@2".parse().unwrap();
/// assert_eq!(mapping.to.version, "2");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ServiceMapping {
    /// The service in the exported project.
    pub from: ServiceRef,
    /// The service to use in the destination.
    pub to: ServiceRef,
}

impl ServiceMapping {
    /// Use service `to` wherever the export uses `from`.
    ///
    /// ```
    /// use tray_api::types::ServiceRef;
    /// let mapping = tray_api::ServiceMapping::new(
    ///     ServiceRef { name: "slack".into(), version: "1".into() },
    ///     ServiceRef { name: "slack".into(), version: "2".into() },
    /// );
    /// assert_eq!(mapping.to_string(), "slack@1=slack@2");
    /// ```
    pub fn new(from: ServiceRef, to: ServiceRef) -> Self {
        Self { from, to }
    }
}

impl FromStr for ServiceMapping {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        let ((from_name, from_version), (to_name, to_version)) =
            parse_mapping(text, "service mapping")?;
        Ok(Self {
            from: ServiceRef {
                name: from_name,
                version: from_version,
            },
            to: ServiceRef {
                name: to_name,
                version: to_version,
            },
        })
    }
}

impl fmt::Display for ServiceMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_mapping(
            f,
            (&self.from.name, &self.from.version),
            (&self.to.name, &self.to.version),
        )
    }
}

impl From<ServiceMapping> for raw::ServiceMappingInput {
    fn from(value: ServiceMapping) -> Self {
        Self {
            from: value.from,
            to: value.to,
        }
    }
}

/// Use destination authentication `authentication_id` for the exported
/// authentication `auth_export_id`. Parses from `EXPORT_ID=UUID`.
///
/// ```
/// let resolution: tray_api::AuthResolution =
///     "auth-1=6f9619ff-8b86-d011-b42d-00c04fc964ff".parse().unwrap();
/// assert_eq!(resolution.auth_export_id, "auth-1");
/// assert!("auth-1=not-a-uuid".parse::<tray_api::AuthResolution>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AuthResolution {
    /// The export id of the source authentication.
    pub auth_export_id: String,
    /// The destination authentication to use.
    pub authentication_id: Uuid,
}

impl AuthResolution {
    /// Use destination authentication `authentication_id` for the exported
    /// authentication `auth_export_id`.
    ///
    /// ```
    /// let resolution = tray_api::AuthResolution::new("auth-1", uuid::Uuid::nil());
    /// assert_eq!(resolution.to_string(), "auth-1=00000000-0000-0000-0000-000000000000");
    /// ```
    pub fn new(auth_export_id: impl Into<String>, authentication_id: Uuid) -> Self {
        Self {
            auth_export_id: auth_export_id.into(),
            authentication_id,
        }
    }
}

impl FromStr for AuthResolution {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        let (id, uuid) = parse_pair(text, "auth resolution", "EXPORT_ID=AUTHENTICATION_UUID")?;
        let authentication_id = Uuid::parse_str(uuid.trim()).map_err(|e| {
            Error::local(format!(
                "invalid auth resolution {text:?}: {uuid:?} is not a UUID ({e})"
            ))
        })?;
        Ok(Self {
            auth_export_id: id.trim().to_owned(),
            authentication_id,
        })
    }
}

impl fmt::Display for AuthResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.auth_export_id, self.authentication_id)
    }
}

impl From<AuthResolution> for raw::AuthImportInput {
    fn from(value: AuthResolution) -> Self {
        Self {
            auth_export_id: value.auth_export_id,
            authentication_id: value.authentication_id,
        }
    }
}

/// The mapping, resolution and override setters shared by [`ImportInput`]
/// and [`Promotion`](crate::promote::Promotion): both keep them in an
/// `options: ImportOptions` field. `$setup` is the doctest line that makes
/// an `x` of the type.
macro_rules! import_option_setters {
    ($setup:literal) => {
        /// Map connector `from` (in the export) to `to` (in the destination).
        ///
        #[doc = concat!("```\n", $setup, "\nuse tray_api::types::ConnectorRef;\nlet x = x.connector_mapping(\n    ConnectorRef { name: \"a\".into(), version: \"1.0\".into() },\n    ConnectorRef { name: \"b\".into(), version: \"1.0\".into() },\n);\n```")]
        pub fn connector_mapping(
            mut self,
            from: $crate::types::ConnectorRef,
            to: $crate::types::ConnectorRef,
        ) -> Self {
            self.options
                .connector_mapping
                .push($crate::ConnectorMapping { from, to });
            self
        }

        /// Add parsed connector mappings (`FROM@VER=TO@VER`).
        ///
        #[doc = concat!("```\n", $setup, "\nlet x = x.connector_mappings([\"a@1.0=b@1.0\".parse().unwrap()]);\n```")]
        pub fn connector_mappings(
            mut self,
            mappings: impl IntoIterator<Item = $crate::ConnectorMapping>,
        ) -> Self {
            self.options.connector_mapping.extend(mappings);
            self
        }

        /// Map service `from` (in the export) to `to` (in the destination).
        ///
        #[doc = concat!("```\n", $setup, "\nuse tray_api::types::ServiceRef;\nlet x = x.service_mapping(\n    ServiceRef { name: \"slack\".into(), version: \"1\".into() },\n    ServiceRef { name: \"slack\".into(), version: \"2\".into() },\n);\n```")]
        pub fn service_mapping(
            mut self,
            from: $crate::types::ServiceRef,
            to: $crate::types::ServiceRef,
        ) -> Self {
            self.options
                .service_mapping
                .push($crate::ServiceMapping { from, to });
            self
        }

        /// Add parsed service mappings (`FROM@VER=TO@VER`).
        ///
        #[doc = concat!("```\n", $setup, "\nlet x = x.service_mappings([\"slack@1=slack@2\".parse().unwrap()]);\n```")]
        pub fn service_mappings(
            mut self,
            mappings: impl IntoIterator<Item = $crate::ServiceMapping>,
        ) -> Self {
            self.options.service_mapping.extend(mappings);
            self
        }

        /// Use destination authentication `authentication_id` for the
        /// exported authentication `auth_export_id`.
        ///
        #[doc = concat!("```\n", $setup, "\nlet x = x.auth_resolution(\"auth-1\", uuid::Uuid::nil());\n```")]
        pub fn auth_resolution(
            mut self,
            auth_export_id: impl Into<String>,
            authentication_id: uuid::Uuid,
        ) -> Self {
            self.options.auth_resolution.push($crate::AuthResolution {
                auth_export_id: auth_export_id.into(),
                authentication_id,
            });
            self
        }

        /// Add parsed auth resolutions (`EXPORT_ID=UUID`).
        ///
        #[doc = concat!("```\n", $setup, "\nlet x = x.auth_resolutions([\"a=6f9619ff-8b86-d011-b42d-00c04fc964ff\".parse().unwrap()]);\n```")]
        pub fn auth_resolutions(
            mut self,
            resolutions: impl IntoIterator<Item = $crate::AuthResolution>,
        ) -> Self {
            self.options.auth_resolution.extend(resolutions);
            self
        }

        /// Override project config values (same keys and types as the
        /// exported config); merged into earlier overrides.
        ///
        #[doc = concat!("```\n", $setup, "\nlet mut config = serde_json::Map::new();\nconfig.insert(\"region\".into(), \"eu\".into());\nlet x = x.config_override(config);\n```")]
        pub fn config_override(
            mut self,
            config: serde_json::Map<String, serde_json::Value>,
        ) -> Self {
            self.options.config_override.extend(config);
            self
        }
    };
}

/// Mappings, resolutions and overrides of an import, without the export
/// document (shared by [`ImportInput`] and
/// [`Promotion`](crate::promote::Promotion)).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ImportOptions {
    pub(crate) connector_mapping: Vec<ConnectorMapping>,
    pub(crate) service_mapping: Vec<ServiceMapping>,
    pub(crate) auth_resolution: Vec<AuthResolution>,
    pub(crate) config_override: Map<String, Value>,
}

impl ImportOptions {
    pub(crate) fn resolves(&self, auth_export_id: &str) -> bool {
        self.auth_resolution
            .iter()
            .any(|r| r.auth_export_id == auth_export_id)
    }

    fn connector_mapping_input(&self) -> Vec<raw::ConnectorMappingInput> {
        self.connector_mapping
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    }

    fn service_mapping_input(&self) -> Vec<raw::ServiceMappingInput> {
        self.service_mapping
            .iter()
            .cloned()
            .map(Into::into)
            .collect()
    }

    pub(crate) fn prepare_input(
        &self,
        export: &Map<String, Value>,
    ) -> raw::PrepareProjectImportInput {
        raw::PrepareProjectImportInput {
            exported_project_json: export.clone(),
            connector_mapping: self.connector_mapping_input(),
            service_mapping: self.service_mapping_input(),
        }
    }

    pub(crate) fn import_input(&self, export: &Map<String, Value>) -> raw::ProjectImportInput {
        raw::ProjectImportInput {
            exported_project_json: export.clone(),
            connector_mapping: self.connector_mapping_input(),
            service_mapping: self.service_mapping_input(),
            authentication_resolution: self
                .auth_resolution
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            config_override: self.config_override.clone(),
        }
    }
}

/// Everything an import needs: the exported project (from
/// [`Projects::export`](crate::projects::Projects::export)) and how to map
/// it onto the destination.
///
/// ```
/// use serde_json::{json, Map};
/// use tray_api::{ImportInput, types::ConnectorRef};
/// let export = Map::new();
/// let input = ImportInput::new(export)
///     .connector_mapping(
///         ConnectorRef { name: "crm".into(), version: "1.0".into() },
///         ConnectorRef { name: "crm".into(), version: "1.1".into() },
///     )
///     .auth_resolution("auth-1", uuid::Uuid::nil())
///     .connector_mappings(["old@1.0=new@2.0".parse().unwrap()])
///     .config_override(json!({"region": "eu"}).as_object().unwrap().clone());
/// assert_eq!(input.connector_mapping_list().len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportInput {
    export: Map<String, Value>,
    pub(crate) options: ImportOptions,
}

impl ImportInput {
    /// An import of `export` with no mappings.
    ///
    /// ```
    /// let input = tray_api::ImportInput::new(serde_json::Map::new());
    /// assert!(input.export().is_empty());
    /// ```
    pub fn new(export: Map<String, Value>) -> Self {
        Self {
            export,
            options: ImportOptions::default(),
        }
    }

    /// The exported project.
    ///
    /// ```
    /// let input = tray_api::ImportInput::new(serde_json::Map::new());
    /// assert!(input.export().is_empty());
    /// ```
    pub fn export(&self) -> &Map<String, Value> {
        &self.export
    }

    import_option_setters!("let x = tray_api::ImportInput::new(Default::default());");

    /// The connector mappings so far.
    ///
    /// ```
    /// assert!(tray_api::ImportInput::new(Default::default()).connector_mapping_list().is_empty());
    /// ```
    pub fn connector_mapping_list(&self) -> &[ConnectorMapping] {
        &self.options.connector_mapping
    }

    /// The service mappings so far.
    ///
    /// ```
    /// assert!(tray_api::ImportInput::new(Default::default()).service_mapping_list().is_empty());
    /// ```
    pub fn service_mapping_list(&self) -> &[ServiceMapping] {
        &self.options.service_mapping
    }

    /// The auth resolutions so far.
    ///
    /// ```
    /// assert!(tray_api::ImportInput::new(Default::default()).auth_resolution_list().is_empty());
    /// ```
    pub fn auth_resolution_list(&self) -> &[AuthResolution] {
        &self.options.auth_resolution
    }

    pub(crate) fn with_options(mut self, options: ImportOptions) -> Self {
        self.options = options;
        self
    }

    pub(crate) fn prepare_input(&self) -> raw::PrepareProjectImportInput {
        self.options.prepare_input(&self.export)
    }

    pub(crate) fn import_input(&self) -> raw::ProjectImportInput {
        self.options.import_input(&self.export)
    }
}
