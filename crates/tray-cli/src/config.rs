//! Profiles from the TOML config file.
//!
//! ```toml
//! [profiles.prod-eu]
//! region = "eu"                       # or base_url = "https://..."
//! token_env = "TRAY_TOKEN_PROD_EU"    # or token_file = "/path/to/token"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::failure::{CmdResult, Failure};

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One environment: where to call and where its token comes from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `us`, `eu` or `apac`.
    pub region: Option<String>,
    /// Base URL (wins over region).
    pub base_url: Option<String>,
    /// Name of the environment variable holding the token.
    pub token_env: Option<String>,
    /// File holding the token.
    pub token_file: Option<PathBuf>,
}

/// The default config file location.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("io", "tray", "tray").map(|d| d.config_dir().join("config.toml"))
}

impl Config {
    /// Load the config file: `explicit` must exist; the default may be missing.
    pub fn load(explicit: Option<&Path>) -> CmdResult<Self> {
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
            Err(error) => {
                return Err(Failure::usage(format!(
                    "cannot read config file {}: {error}",
                    path.display()
                )));
            }
        };
        toml::from_str(&text).map_err(|error| {
            Failure::usage(format!(
                "config file {} is invalid: {}",
                path.display(),
                error.message()
            ))
        })
    }

    /// A profile by name.
    pub fn profile(&self, name: &str) -> CmdResult<&Profile> {
        self.profiles.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            Failure::usage(format!("no profile named {name:?} in the config file")).with_hint(
                if known.is_empty() {
                    "define profiles under [profiles.NAME] in the config file (see --config)"
                        .to_owned()
                } else {
                    format!("known profiles: {}", known.join(", "))
                },
            )
        })
    }
}
