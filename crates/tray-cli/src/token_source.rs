//! Where a target's token and base URL come from, for `tray auth status` and
//! `tray config list`, described without ever showing the token. The token
//! rule itself is the library's ([`tray_api::config::Settings::token_source`],
//! [`Profile::token_source`]); this only adds the profile's name and the
//! sandbox.

use std::fmt;

use serde::Serialize;
use tray_api::Region;
use tray_api::config::TokenSource;

use crate::cli::Global;
use crate::config::Profile;
use crate::context;

/// Where a token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A variable or a file, and the profile that names it, if any.
    Token {
        /// The variable or file.
        from: TokenSource,
        /// The profile that names it, if any.
        profile: Option<String>,
    },
    /// A profile that names neither `token_env` nor `token_file`.
    Missing {
        /// The profile.
        profile: String,
    },
    /// The in-process sandbox's own token.
    Sandbox,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token {
                from,
                profile: None,
            } => write!(f, "{from}"),
            Self::Token {
                from,
                profile: Some(p),
            } => write!(f, "{from} (profile {p})"),
            Self::Missing { profile } => write!(f, "none (profile {profile})"),
            Self::Sandbox => f.write_str("sandbox"),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The token source of a target, by the library's rule: `profile` (with
/// its name), else `multi_region` (one region of several), else the global
/// options. `--sandbox` is the caller's business (it replaces every source).
pub fn source(
    global: &Global,
    profile: Option<(&str, &Profile)>,
    multi_region: Option<Region>,
) -> Source {
    if let Some((name, profile)) = profile {
        return match profile.token_source() {
            Some(from) => Source::Token {
                from,
                profile: Some(name.to_owned()),
            },
            None => Source::Missing {
                profile: name.to_owned(),
            },
        };
    }
    let settings = match multi_region {
        Some(region) => tray_api::config::Settings::default()
            .region(region)
            .several_regions(true),
        None => context::settings(global),
    };
    Source::Token {
        from: settings.token_source(&context::env),
        profile: None,
    }
}

/// The token of a source, read now (`Err` says why there is none). For
/// `tray auth status`, which reports a missing token instead of stopping.
pub fn read(source: &Source) -> Result<String, String> {
    match source {
        Source::Token { from, .. } => from.read(&context::env).map_err(|e| e.to_string()),
        Source::Missing { .. } => Err("the profile has no token_env or token_file".to_owned()),
        Source::Sandbox => Err("the sandbox has its own token".to_owned()),
    }
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
