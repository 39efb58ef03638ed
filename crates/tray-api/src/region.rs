//! Tray's regions and their API hosts.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A Tray region. Regions are separate: a token from one region does not
/// work in another.
///
/// Tray may open regions: the enum is `#[non_exhaustive]` (a `match` needs a
/// `_` arm) and [`Region::all`] is a slice.
///
/// ```
/// use tray_api::Region;
/// let region: Region = "EU".parse().unwrap();
/// assert_eq!(region, Region::Eu);
/// assert_eq!(region.base_url(), "https://api.eu1.tray.io");
/// assert_eq!(region.to_string(), "eu");
/// assert!("mars".parse::<Region>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum Region {
    /// United States, `https://api.tray.io` (the default).
    #[default]
    Us,
    /// Europe, `https://api.eu1.tray.io`.
    Eu,
    /// Asia-Pacific, `https://api.ap1.tray.io`.
    Apac,
}

impl Region {
    /// Every region this version of the library knows, in the order `us`,
    /// `eu`, `apac` (a slice: a new region is not a breaking change).
    ///
    /// ```
    /// let names: Vec<_> = tray_api::Region::all().iter().map(|r| r.as_str()).collect();
    /// assert_eq!(names, ["us", "eu", "apac"]);
    /// ```
    pub const fn all() -> &'static [Region] {
        &[Region::Us, Region::Eu, Region::Apac]
    }

    /// The API base URL of the region (no trailing slash).
    ///
    /// ```
    /// assert_eq!(tray_api::Region::Apac.base_url(), "https://api.ap1.tray.io");
    /// ```
    pub const fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.tray.io",
            Region::Eu => "https://api.eu1.tray.io",
            Region::Apac => "https://api.ap1.tray.io",
        }
    }

    /// The short name: `us`, `eu` or `apac`.
    ///
    /// ```
    /// assert_eq!(tray_api::Region::Us.as_str(), "us");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Apac => "apac",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            "apac" => Ok(Region::Apac),
            _ => Err(Error::local(format!(
                "unknown region {text:?}: expected us, eu or apac"
            ))),
        }
    }
}

impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
