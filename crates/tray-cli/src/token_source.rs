//! Where a target's token and base URL come from, for `tray auth status` and
//! `tray config list`, described without ever showing the token.
//!
//! This follows the rule of `Context::token` (context.rs): a profile's
//! `token_file`, else its `token_env`; else, for one region of several,
//! `TRAY_API_TOKEN_<REGION>`; else `--token-file`; else `TRAY_API_TOKEN`.
//! TODO(lead): once the token rule lives in tray-api, describe it from there
//! instead of restating it here.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use tray_api::Region;

use crate::cli::Global;
use crate::config::Profile;

/// Where a token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An environment variable (`TRAY_API_TOKEN`, `TRAY_API_TOKEN_EU`, or a
    /// profile's `token_env`).
    Env {
        /// The variable.
        var: String,
        /// The profile that names it, if any.
        profile: Option<String>,
    },
    /// A file (`--token-file` or a profile's `token_file`).
    File {
        /// The file.
        path: PathBuf,
        /// The profile that names it, if any.
        profile: Option<String>,
    },
    /// The in-process sandbox's own token.
    Sandbox,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env { var, profile: None } => write!(f, "${var}"),
            Self::Env {
                var,
                profile: Some(p),
            } => write!(f, "${var} (profile {p})"),
            Self::File {
                path,
                profile: None,
            } => write!(f, "file {}", path.display()),
            Self::File {
                path,
                profile: Some(p),
            } => write!(f, "file {} (profile {p})", path.display()),
            Self::Sandbox => f.write_str("sandbox"),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The token source of a target: `profile` (with its name), else
/// `multi_region` (one region of several), else the global options.
/// `--sandbox` is the caller's business (it replaces every source).
pub fn source(
    global: &Global,
    profile: Option<(&str, &Profile)>,
    multi_region: Option<Region>,
) -> Source {
    if let Some((name, profile)) = profile {
        if let Some(path) = &profile.token_file {
            return Source::File {
                path: path.clone(),
                profile: Some(name.to_owned()),
            };
        }
        if let Some(var) = &profile.token_env {
            return Source::Env {
                var: var.clone(),
                profile: Some(name.to_owned()),
            };
        }
    }
    if let Some(region) = multi_region {
        return Source::Env {
            var: format!("TRAY_API_TOKEN_{}", region.to_string().to_uppercase()),
            profile: None,
        };
    }
    match &global.token_file {
        Some(path) => Source::File {
            path: path.clone(),
            profile: None,
        },
        None => Source::Env {
            var: tray_api::TOKEN_ENV.to_owned(),
            profile: None,
        },
    }
}

/// The token of a source, read now (`Err` says why there is none). For
/// `tray auth status`, which reports a missing token instead of stopping.
pub fn read(source: &Source) -> Result<String, String> {
    let token = match source {
        Source::Sandbox => return Err("the sandbox has its own token".to_owned()),
        Source::Env { var, .. } => std::env::var(var).map_err(|_| format!("${var} is not set"))?,
        Source::File { path, .. } => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
    };
    let token = tray_api::clean_token(&token).to_owned();
    if token.is_empty() {
        return Err(format!("{source} is empty"));
    }
    Ok(token)
}

/// The last 4 characters of a long token (`…ab12`), nothing for a short one:
/// enough to tell two tokens apart, never enough to use one.
pub fn hint(token: &str) -> Option<String> {
    let chars: Vec<char> = token.chars().collect();
    (chars.len() >= 16).then(|| format!("…{}", chars[chars.len() - 4..].iter().collect::<String>()))
}

/// The base URL a profile (or, with `None`, the global options) calls, as
/// `Context::client_for` picks it: a profile that names a place wins.
pub fn base_url(global: &Global, profile: Option<&Profile>, region: Option<Region>) -> String {
    if let Some(profile) = profile {
        if let Some(url) = &profile.base_url {
            return url.trim_end_matches('/').to_owned();
        }
        if let Some(region) = profile
            .region
            .as_deref()
            .and_then(|r| r.parse::<Region>().ok())
        {
            return region.base_url().to_owned();
        }
    }
    if region.is_none()
        && let Some(url) = &global.base_url
    {
        return url.trim_end_matches('/').to_owned();
    }
    region
        .or_else(|| global.region.first().copied())
        .unwrap_or(Region::Us)
        .base_url()
        .to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn hints_show_at_most_four_characters_of_long_tokens() {
        assert_eq!(hint("0123456789abcdefWXYZ").as_deref(), Some("…WXYZ"));
        assert_eq!(hint("short-token"), None);
    }
}
