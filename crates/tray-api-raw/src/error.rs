//! The error body shared by every Tray endpoint.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Tray's JSON error body, `{"message": "...", "code": null}`.
///
/// Tray declares several error schemas (`RequestFailed` for the CDK
/// endpoints; `InvalidInput`, `Unauthorized`, `Forbidden`,
/// `ResourceNotFound`, `TooManyRequestsError`, `InternalError` for Projects
/// and Solutions). They all carry a `message` and, except the 429 one, a
/// `code` that is `null` in practice, so one type serves every module.
/// Both fields are optional: an error body with neither still parses.
///
/// ```
/// let error: tray_api_raw::ApiError =
///     serde_json::from_str(r#"{"message":"Not found","code":null}"#).unwrap();
/// assert_eq!(error.message.as_deref(), Some("Not found"));
/// assert_eq!(error.to_string(), "Not found");
/// ```
///
/// `#[non_exhaustive]` (Tray may add fields): build one with
/// [`ApiError::new`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(
        description = "Tray's JSON error body: a message and a machine-readable code (null in \
                       practice). Both are optional: an error body with neither still parses."
    )
)]
#[non_exhaustive]
pub struct ApiError {
    /// What went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A machine-readable code; `null` in practice (serialized as `null`
    /// when absent, as Tray does).
    #[serde(default)]
    pub code: Option<String>,
}

impl ApiError {
    /// An error body with this message and no code.
    ///
    /// ```
    /// let error = tray_api_raw::ApiError::new("Not found");
    /// assert_eq!(serde_json::to_string(&error).unwrap(), r#"{"message":"Not found","code":null}"#);
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: Some(message.into()),
            code: None,
        }
    }

    /// The same body with a machine-readable code.
    ///
    /// ```
    /// let error = tray_api_raw::ApiError::new("Slow down").with_code("RATE_LIMIT");
    /// assert_eq!(error.to_string(), "Slow down (RATE_LIMIT)");
    /// ```
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.message, &self.code) {
            (Some(message), Some(code)) => write!(f, "{message} ({code})"),
            (Some(message), None) => f.write_str(message),
            (None, Some(code)) => write!(f, "error code {code}"),
            (None, None) => f.write_str("no error message"),
        }
    }
}
