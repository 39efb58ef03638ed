//! Where a client calls and which token it sends: the one rule the `tray`
//! CLI documents, for library users too ([`Client::from_env`]).
//!
//! # The region and token rule
//!
//! | place | the token is |
//! |---|---|
//! | one region `R` (`TRAY_REGION`, default `us`) | the token file, else `TRAY_API_TOKEN_<R>`, else `TRAY_API_TOKEN` |
//! | several regions at once (each region `R`) | only `TRAY_API_TOKEN_<R>` (or a profile) |
//! | a base URL (`TRAY_API_URL`) | the token file, else `TRAY_API_TOKEN` |
//! | a profile | its `token_file`, else its `token_env` variable |
//!
//! So a token is never sent to a region it was not given for: with several
//! regions, `TRAY_API_TOKEN` serves none of them; a per-region variable never
//! goes to a base URL. An empty or blank value, or `Bearer ` alone, counts as
//! unset. With no token at all, building fails with [`Error::NoToken`]
//! before any request.
//!
//! The environment is read through a lookup function (`|name| std::env::var(name).ok()`
//! in real use), so tests can pass a map.
//!
//! ```
//! use std::collections::HashMap;
//! use tray_api::{Region, config::Settings};
//! let env: HashMap<&str, &str> = [("TRAY_API_TOKEN_EU", "eu-token")].into();
//! let lookup = |name: &str| env.get(name).map(|v| v.to_string());
//! let settings = Settings::from_lookup(&lookup).unwrap().region(Region::Eu);
//! let client = settings.client_builder(&lookup).unwrap().build().unwrap();
//! assert_eq!(client.base_url(), "https://api.eu1.tray.io");
//! ```
//!
//! # Profiles (feature `config`)
//!
//! Named environments in a TOML file (default: the platform's config
//! directory, e.g. `~/.config/tray/config.toml`):
//!
//! ```toml
//! [profiles.prod-eu]
//! region = "eu"                       # or base_url = "https://..."
//! token_env = "TRAY_TOKEN_PROD_EU"    # or token_file = "/path/to/token"
//! ```

use std::path::{Path, PathBuf};

use crate::client::{Client, ClientBuilder, TOKEN_ENV, clean_token};
use crate::error::{Error, Result};
use crate::region::Region;

/// The environment variable naming the region (`us`, `eu`, `apac`).
pub const REGION_ENV: &str = "TRAY_REGION";
/// The environment variable holding an explicit base URL.
pub const URL_ENV: &str = "TRAY_API_URL";

/// The per-region token variable: `TRAY_API_TOKEN_EU` for [`Region::Eu`].
///
/// ```
/// assert_eq!(tray_api::config::region_token_env(tray_api::Region::Apac), "TRAY_API_TOKEN_APAC");
/// ```
pub fn region_token_env(region: Region) -> String {
    format!("{TOKEN_ENV}_{}", region.as_str().to_uppercase())
}

/// A token value as found, or `None` when it is unset, blank or a bare
/// `Bearer ` prefix.
fn usable(value: Option<String>) -> Option<String> {
    value
        .map(|v| clean_token(&v).to_owned())
        .filter(|v| !v.is_empty())
}

/// Reads a token file: trimmed, a leading `Bearer ` removed.
///
/// ```no_run
/// let token = tray_api::config::read_token_file("/run/secrets/tray-token".as_ref())?;
/// # Ok::<(), tray_api::Error>(())
/// ```
pub fn read_token_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    usable(Some(text)).ok_or_else(|| Error::NoToken {
        message: format!("the token file {} is empty", path.display()),
    })
}

/// Where a token comes from: an environment variable or a file.
///
/// ```
/// use tray_api::config::TokenSource;
/// assert_eq!(TokenSource::Env("TRAY_API_TOKEN_EU".into()).to_string(), "$TRAY_API_TOKEN_EU");
/// assert_eq!(TokenSource::File("/run/secrets/t".into()).to_string(), "file /run/secrets/t");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// An environment variable, by name.
    Env(String),
    /// A file holding the token.
    File(PathBuf),
}

impl TokenSource {
    /// The token this source holds now ([`Error::NoToken`] when it is
    /// unset, blank or a bare `Bearer `; [`Error::Io`] for an unreadable
    /// file).
    pub fn read(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String> {
        match self {
            Self::File(path) => read_token_file(path),
            Self::Env(var) => usable(lookup(var)).ok_or_else(|| Error::NoToken {
                message: format!("no API token: {var} is not set or empty"),
            }),
        }
    }
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env(var) => write!(f, "${var}"),
            Self::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// Where to call and where the token comes from, before the rule is
/// applied: what the CLI's `--region`, `--base-url` and `--token-file`
/// (and `TRAY_REGION`, `TRAY_API_URL`) say.
///
/// ```
/// use tray_api::{Region, config::Settings};
/// let settings = Settings::default().region(Region::Eu).several_regions(true);
/// let lookup = |name: &str| (name == "TRAY_API_TOKEN").then(|| "global".to_string());
/// // With several regions, TRAY_API_TOKEN serves none of them.
/// let error = settings.client_builder(&lookup).unwrap_err();
/// assert!(error.to_string().contains("TRAY_API_TOKEN_EU"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// The region (default `us`).
    pub region: Option<Region>,
    /// An explicit base URL; wins over the region.
    pub base_url: Option<String>,
    /// A file holding the token.
    pub token_file: Option<PathBuf>,
    /// Whether this is one of several regions called at once (then only the
    /// region's own variable serves).
    pub several_regions: bool,
}

impl Settings {
    /// `TRAY_REGION` and `TRAY_API_URL` from `lookup` (blank values are
    /// ignored).
    ///
    /// ```
    /// let lookup = |name: &str| (name == "TRAY_REGION").then(|| "apac".to_string());
    /// let settings = tray_api::config::Settings::from_lookup(&lookup).unwrap();
    /// assert_eq!(settings.region, Some(tray_api::Region::Apac));
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let region = match lookup(REGION_ENV).filter(|v| !v.trim().is_empty()) {
            Some(text) => Some(
                text.trim()
                    .parse::<Region>()
                    .map_err(|e| Error::config(format!("{REGION_ENV}: {e}")))?,
            ),
            None => None,
        };
        let base_url = lookup(URL_ENV).filter(|v| !v.trim().is_empty());
        Ok(Self {
            region,
            base_url,
            token_file: None,
            several_regions: false,
        })
    }

    /// Set the region.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Set the base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Set the token file.
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// Mark this as one of several regions called at once.
    pub fn several_regions(mut self, several: bool) -> Self {
        self.several_regions = several;
        self
    }

    /// Where the rule takes the token from (see the [module docs](self)),
    /// without reading a file: for one region, its own variable when it
    /// holds a token, else `TRAY_API_TOKEN`. `tray auth status` reports it.
    ///
    /// ```
    /// use tray_api::{Region, config::{Settings, TokenSource}};
    /// let lookup = |name: &str| (name == "TRAY_API_TOKEN_EU").then(|| "eu".to_string());
    /// let eu = Settings::default().region(Region::Eu);
    /// assert_eq!(eu.token_source(&lookup), TokenSource::Env("TRAY_API_TOKEN_EU".into()));
    /// assert_eq!(Settings::default().token_source(&lookup), TokenSource::Env("TRAY_API_TOKEN".into()));
    /// ```
    pub fn token_source(&self, lookup: &dyn Fn(&str) -> Option<String>) -> TokenSource {
        let region_var = region_token_env(self.region.unwrap_or_default());
        if self.base_url.is_none() && self.several_regions {
            return TokenSource::Env(region_var);
        }
        if let Some(file) = &self.token_file {
            return TokenSource::File(file.clone());
        }
        if self.base_url.is_none() && usable(lookup(&region_var)).is_some() {
            return TokenSource::Env(region_var);
        }
        TokenSource::Env(TOKEN_ENV.to_owned())
    }

    /// The token the rule picks (see the [module docs](self)).
    ///
    /// ```
    /// use tray_api::{Region, config::Settings};
    /// let lookup = |name: &str| match name {
    ///     "TRAY_API_TOKEN" => Some("global".to_string()),
    ///     "TRAY_API_TOKEN_EU" => Some("Bearer ".to_string()),
    ///     _ => None,
    /// };
    /// // A bare "Bearer " counts as unset: TRAY_API_TOKEN serves.
    /// assert_eq!(Settings::default().region(Region::Eu).token(&lookup).unwrap(), "global");
    /// ```
    pub fn token(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String> {
        match self.token_source(lookup) {
            TokenSource::Env(var) => usable(lookup(&var)).ok_or_else(|| Error::NoToken {
                message: self.missing_token(),
            }),
            source => source.read(lookup),
        }
    }

    /// Why no token was found, naming what would serve.
    fn missing_token(&self) -> String {
        let region = self.region.unwrap_or_default();
        let var = region_token_env(region);
        match &self.base_url {
            None if self.several_regions => format!(
                "no API token for region {region}: set {var} (with several regions each needs its own token; {TOKEN_ENV} and token files serve none of them)"
            ),
            Some(url) => format!(
                "no API token for {url}: set {TOKEN_ENV} or use a token file (per-region variables never go to a base URL)"
            ),
            None => format!(
                "no API token for region {region}: set {var} or {TOKEN_ENV}, or use a token file"
            ),
        }
    }

    /// A [`ClientBuilder`] for this place with the token the rule picks
    /// (add a user agent, timeouts, ... before building).
    pub fn client_builder(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<ClientBuilder> {
        let token = self.token(lookup)?;
        let builder = Client::builder().token(token);
        Ok(match &self.base_url {
            Some(url) => builder.base_url(url),
            None => builder.region(self.region.unwrap_or_default()),
        })
    }
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Client {
    /// A client configured from the environment, as the `tray` CLI is:
    /// `TRAY_API_URL` or `TRAY_REGION` (default `us`), and the token by the
    /// [rule](crate::config): `TRAY_API_TOKEN_<REGION>`, else
    /// `TRAY_API_TOKEN` (only `TRAY_API_TOKEN` with `TRAY_API_URL`).
    ///
    /// ```no_run
    /// let client = tray_api::Client::from_env()?;
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        Self::from_lookup(&process_env)
    }

    /// [`Client::from_env`] with another source of variables (tests, a
    /// secrets store).
    ///
    /// ```
    /// let lookup = |name: &str| match name {
    ///     "TRAY_API_URL" => Some("http://127.0.0.1:9".to_string()),
    ///     "TRAY_API_TOKEN" => Some("local-token".to_string()),
    ///     _ => None,
    /// };
    /// let client = tray_api::Client::from_lookup(&lookup).unwrap();
    /// assert_eq!(client.base_url(), "http://127.0.0.1:9");
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Client> {
        Settings::from_lookup(lookup)?
            .client_builder(lookup)?
            .build()
    }
}

#[cfg(feature = "config")]
pub use profiles::{Config, Profile, default_path};

#[cfg(feature = "config")]
mod profiles {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use serde::Deserialize;

    use super::{Settings, TokenSource, usable};
    use crate::client::{Client, ClientBuilder};
    use crate::error::{Error, Result};
    use crate::region::Region;

    /// The config file: named [`Profile`]s.
    ///
    /// ```
    /// let config: tray_api::config::Config = toml::from_str(r#"
    ///     [profiles.prod-eu]
    ///     region = "eu"
    ///     token_env = "TRAY_TOKEN_PROD_EU"
    /// "#).unwrap();
    /// assert!(config.profile("prod-eu").is_ok());
    /// assert!(config.profile("nope").is_err());
    /// ```
    ///
    /// With the `schemars` feature it has a JSON Schema
    /// ([`Config::json_schema`]): unknown keys are rejected by the schema as
    /// they are when loading (`additionalProperties: false`).
    #[derive(Debug, Clone, Default, Deserialize)]
    #[cfg_attr(
        feature = "schemars",
        derive(schemars::JsonSchema),
        schemars(
            title = "tray config file",
            description = "The config file of the `tray` command (TOML): named profiles under \
                           [profiles.NAME], chosen with --profile NAME."
        )
    )]
    #[serde(deny_unknown_fields)]
    #[non_exhaustive]
    pub struct Config {
        /// Profiles by name.
        #[serde(default)]
        pub profiles: BTreeMap<String, Profile>,
    }

    /// One environment: where to call and where its token comes from.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
    #[serde(deny_unknown_fields)]
    #[non_exhaustive]
    pub struct Profile {
        /// `us`, `eu` or `apac`.
        #[cfg_attr(feature = "schemars", schemars(transform = region_examples))]
        pub region: Option<String>,
        /// Base URL (wins over region).
        pub base_url: Option<String>,
        /// Name of the environment variable holding the token.
        pub token_env: Option<String>,
        /// File holding the token.
        pub token_file: Option<PathBuf>,
    }

    /// The region names [`Region`] knows, as the `examples` of the `region`
    /// key (not a closed list: a region is checked when it is used, and
    /// its spelling is not case-sensitive).
    #[cfg(feature = "schemars")]
    fn region_examples(schema: &mut schemars::Schema) {
        let names = Region::all()
            .iter()
            .map(|region| serde_json::Value::from(region.as_str()))
            .collect();
        schema.insert("examples".into(), serde_json::Value::Array(names));
    }

    #[cfg(feature = "schemars")]
    impl Config {
        /// The JSON Schema (draft 2020-12) of the config file, derived from
        /// these structs: editors that read TOML through JSON Schema (Taplo,
        /// Even Better TOML) complete and check it. `tray config schema`
        /// prints it.
        ///
        /// ```
        /// let schema = tray_api::config::Config::json_schema();
        /// assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        /// assert_eq!(schema["additionalProperties"], false);
        /// assert_eq!(schema["$defs"]["Profile"]["additionalProperties"], false);
        /// ```
        pub fn json_schema() -> serde_json::Value {
            schemars::schema_for!(Config).to_value()
        }
    }

    /// The default config file location (e.g. `~/.config/tray/config.toml`).
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("io", "tray", "tray")
            .map(|d| d.config_dir().join("config.toml"))
    }

    impl Config {
        /// Load the config file: `explicit` must exist; the default may be
        /// missing (then there are no profiles).
        pub fn load(explicit: Option<&Path>) -> Result<Self> {
            let (path, required) = match explicit {
                Some(path) => (path.to_path_buf(), true),
                None => match default_path() {
                    Some(path) => (path, false),
                    None => return Ok(Self::default()),
                },
            };
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(Self::default());
                }
                Err(source) => return Err(Error::Io { path, source }),
            };
            toml::from_str(&text).map_err(|error| {
                Error::config(format!(
                    "config file {} is invalid: {}",
                    path.display(),
                    error.message()
                ))
            })
        }

        /// A profile by name; the error lists the known ones.
        pub fn profile(&self, name: &str) -> Result<&Profile> {
            self.profiles.get(name).ok_or_else(|| {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                Error::config(if known.is_empty() {
                    format!(
                        "no profile named {name:?}: the config file defines none (add [profiles.NAME])"
                    )
                } else {
                    format!(
                        "no profile named {name:?} in the config file (known: {})",
                        known.join(", ")
                    )
                })
            })
        }

        /// The names of the profiles.
        pub fn names(&self) -> impl Iterator<Item = &str> {
            self.profiles.keys().map(String::as_str)
        }
    }

    impl Profile {
        /// The profile's region, if it names one.
        pub fn region(&self) -> Result<Option<Region>> {
            self.region
                .as_deref()
                .map(|text| {
                    text.parse::<Region>()
                        .map_err(|e| Error::config(format!("profile: {e}")))
                })
                .transpose()
        }

        /// Where the profile's token comes from: its `token_file`, else its
        /// `token_env` variable (`None` when it names neither).
        pub fn token_source(&self) -> Option<TokenSource> {
            match (&self.token_file, &self.token_env) {
                (Some(file), _) => Some(TokenSource::File(file.clone())),
                (None, Some(var)) => Some(TokenSource::Env(var.clone())),
                (None, None) => None,
            }
        }

        /// The profile's token: its `token_file`, else its `token_env`
        /// variable.
        pub fn token(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String> {
            match self.token_source() {
                Some(TokenSource::Env(var)) => usable(lookup(&var)).ok_or_else(|| Error::NoToken {
                    message: format!(
                        "no API token: the profile reads it from {var}, which is not set or empty"
                    ),
                }),
                Some(source) => source.read(lookup),
                None => Err(Error::NoToken {
                    message: "no API token: the profile has no token_env or token_file".into(),
                }),
            }
        }

        /// A [`ClientBuilder`] for the profile's place and token. A profile
        /// that names no place calls what `fallback` names.
        pub fn client_builder(
            &self,
            fallback: &Settings,
            lookup: &dyn Fn(&str) -> Option<String>,
        ) -> Result<ClientBuilder> {
            let token = self.token(lookup)?;
            let builder = Client::builder().token(token);
            Ok(match (&self.base_url, self.region()?) {
                (Some(url), _) => builder.base_url(url),
                (None, Some(region)) => builder.region(region),
                (None, None) => match &fallback.base_url {
                    Some(url) => builder.base_url(url),
                    None => builder.region(fallback.region.unwrap_or_default()),
                },
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    #[test]
    fn the_source_named_is_the_one_the_token_comes_from() {
        let eu_only = env(&[("TRAY_API_TOKEN_EU", "eu-token")]);
        let both = env(&[("TRAY_API_TOKEN_EU", "eu"), ("TRAY_API_TOKEN", "all")]);
        let eu = Settings::default().region(Region::Eu);
        assert_eq!(
            eu.token_source(&eu_only),
            TokenSource::Env("TRAY_API_TOKEN_EU".into())
        );
        assert_eq!(
            eu.token_source(&eu_only).read(&eu_only).unwrap(),
            "eu-token"
        );
        // A base URL never takes a per-region variable.
        let url = eu.clone().base_url("http://127.0.0.1:9");
        assert_eq!(
            url.token_source(&both),
            TokenSource::Env("TRAY_API_TOKEN".into())
        );
        assert_eq!(url.token(&both).unwrap(), "all");
        // Several regions: only the region's own variable, even with a file.
        let several = eu.clone().token_file("/nonexistent").several_regions(true);
        assert_eq!(
            several.token_source(&both),
            TokenSource::Env("TRAY_API_TOKEN_EU".into())
        );
        assert_eq!(
            eu.token_file("/run/t").token_source(&both),
            TokenSource::File("/run/t".into())
        );
    }

    #[test]
    fn one_region_prefers_its_own_variable_then_the_global_one() {
        let both = env(&[("TRAY_API_TOKEN_EU", "eu"), ("TRAY_API_TOKEN", "all")]);
        let eu = Settings::default().region(Region::Eu);
        assert_eq!(eu.token(&both).unwrap(), "eu");
        let us = Settings::default();
        assert_eq!(us.token(&both).unwrap(), "all");
        let only_eu = env(&[("TRAY_API_TOKEN_EU", "eu")]);
        assert_eq!(eu.token(&only_eu).unwrap(), "eu");
        assert!(matches!(us.token(&only_eu), Err(Error::NoToken { .. })));
    }

    #[test]
    fn several_regions_take_only_their_own_variable() {
        let global = env(&[("TRAY_API_TOKEN", "all"), ("TRAY_API_TOKEN_US", "us")]);
        let us = Settings::default().region(Region::Us).several_regions(true);
        assert_eq!(us.token(&global).unwrap(), "us");
        let eu = Settings::default().region(Region::Eu).several_regions(true);
        let error = eu.token(&global).unwrap_err();
        assert!(error.to_string().contains("TRAY_API_TOKEN_EU"), "{error}");
        assert!(error.is_local());
    }

    #[test]
    fn a_base_url_takes_only_the_global_variable() {
        let regional = env(&[("TRAY_API_TOKEN_US", "us")]);
        let url = Settings::default().base_url("http://127.0.0.1:1");
        assert!(matches!(url.token(&regional), Err(Error::NoToken { .. })));
        let global = env(&[("TRAY_API_TOKEN", "all"), ("TRAY_API_TOKEN_US", "us")]);
        assert_eq!(url.token(&global).unwrap(), "all");
    }

    #[test]
    fn blank_and_bare_bearer_tokens_are_no_token() {
        for value in ["", "  ", "Bearer ", "Bearer", "bearer  \n"] {
            let lookup = env(&[("TRAY_API_TOKEN", value)]);
            let error = Settings::default().token(&lookup).unwrap_err();
            assert_eq!(error.kind(), "no_token", "{value:?}");
        }
    }

    #[test]
    fn the_token_file_wins_for_one_place_but_not_for_several_regions() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "Bearer from-file\n").unwrap();
        let lookup = env(&[("TRAY_API_TOKEN_EU", "eu"), ("TRAY_API_TOKEN", "all")]);
        let one = Settings::default().region(Region::Eu).token_file(&file);
        assert_eq!(one.token(&lookup).unwrap(), "from-file");
        let several = one.clone().several_regions(true);
        assert_eq!(several.token(&lookup).unwrap(), "eu");
        std::fs::write(&file, "Bearer \n").unwrap();
        assert_eq!(one.token(&lookup).unwrap_err().kind(), "no_token");
    }

    #[test]
    fn from_lookup_reads_region_and_url() {
        let lookup = env(&[("TRAY_REGION", "eu"), ("TRAY_API_TOKEN_EU", "eu")]);
        let client = Client::from_lookup(&lookup).unwrap();
        assert_eq!(client.region(), Some(Region::Eu));
        let bad = env(&[("TRAY_REGION", "mars"), ("TRAY_API_TOKEN", "t")]);
        assert!(Client::from_lookup(&bad).unwrap_err().is_local());
    }
}
