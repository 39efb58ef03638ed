//! Tray-style JSON responses and errors, and the extractors whose
//! rejections answer them: path parameters, query strings and bodies.

use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use tray_api_raw::ApiError;
use uuid::Uuid;

/// An error answered with Tray's body `{"message": "...", "code": null}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        json(self.status, &ApiError::new(self.message))
    }
}

/// A JSON response.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(error) => json_bytes(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "{{\"message\":{},\"code\":null}}",
                serde_json::Value::String(format!("cannot serialize the response: {error}"))
            )
            .into_bytes(),
        ),
    }
}

/// A response with a JSON body already serialized.
pub(crate) fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Parses a JSON request body into a generated request type: 400 with
/// distinct messages for an empty body, a body that is not JSON, and a
/// missing or wrongly typed field.
pub(crate) fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(HttpError::bad_request(
            "The request body is empty; expected a JSON object",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        HttpError::bad_request(format!("The request body is not valid JSON: {error}"))
    })?;
    if !value.is_object() {
        return Err(HttpError::bad_request(
            "Invalid request body: expected a JSON object",
        ));
    }
    serde_json::from_value(value)
        .map_err(|error| HttpError::bad_request(format!("Invalid request body: {error}")))
}

/// Path parameters deserialized into `T` (a struct named after the
/// template's `{param}`s); a value that does not fit is a 400 with Tray's
/// body and the parameter's own message.
#[derive(Debug)]
pub(crate) struct Params<T>(pub T);

impl<T, S> FromRequestParts<S> for Params<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Params(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => {
                use axum::extract::path::ErrorKind;
                let message = match error.kind() {
                    ErrorKind::DeserializeError { message, .. } | ErrorKind::Message(message) => {
                        message.clone()
                    }
                    ErrorKind::InvalidUtf8InPathParam { key } => {
                        format!("{key} is not valid UTF-8 once percent-decoded")
                    }
                    _ => error.body_text(),
                };
                Err(HttpError::new(
                    error.status().max(StatusCode::BAD_REQUEST),
                    message,
                ))
            }
            Err(other) => Err(HttpError::new(other.status(), other.body_text())),
        }
    }
}

/// The query string deserialized into `T`; a bad value is a 400 with
/// Tray's body and the field's own message.
#[derive(Debug)]
pub(crate) struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => {
                // `FIELD: message`; our messages name the field already.
                let message = std::error::Error::source(&rejection)
                    .map(ToString::to_string)
                    .map(|text| match text.split_once(": ") {
                        Some((field, rest)) if rest.starts_with(field) => rest.to_owned(),
                        _ => text,
                    })
                    .unwrap_or_else(|| rejection.body_text());
                let status = match rejection {
                    QueryRejection::FailedToDeserializeQueryString(_) => StatusCode::BAD_REQUEST,
                    other => other.status(),
                };
                Err(HttpError::new(status, message))
            }
        }
    }
}

/// The raw request body (its size was checked when it was logged).
#[derive(Debug)]
pub(crate) struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = HttpError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .map(RawBody)
            .map_err(|_| HttpError::bad_request("The request body could not be read"))
    }
}

/// A JSON body parsed into a generated request type by [`parse_body`]
/// (whatever the `Content-Type`, as Tray); a body that does not fit is a
/// 400 with Tray's body, never a framework 415 or 422.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(request, state).await?;
        parse_body(&bytes).map(JsonBody)
    }
}

/// A path parameter declared `format: uuid`, named `projectId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProjectId(pub Uuid);

/// A path parameter declared `format: uuid`, named `solutionId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SolutionId(pub Uuid);

/// Parses a path parameter declared `format: uuid`.
pub(crate) fn uuid_param(name: &str, value: &str) -> Result<Uuid, HttpError> {
    Uuid::parse_str(value)
        .map_err(|_| HttpError::bad_request(format!("{name} must be a UUID, got {value:?}")))
}

impl<'de> Deserialize<'de> for ProjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        uuid_param("projectId", &value)
            .map(ProjectId)
            .map_err(|error| serde::de::Error::custom(error.message))
    }
}

impl<'de> Deserialize<'de> for SolutionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        uuid_param("solutionId", &value)
            .map(SolutionId)
            .map_err(|error| serde::de::Error::custom(error.message))
    }
}

/// A project version number from the path: not blank, printable (no
/// control character such as NUL), no `/` or `\\`, and not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersionNumber(pub String);

impl VersionNumber {
    /// Checks a version number; the error is the 400 message.
    pub(crate) fn check(value: &str) -> Result<(), String> {
        if value.trim().is_empty() {
            return Err("versionNumber must not be empty".to_owned());
        }
        if value.chars().any(char::is_control) {
            return Err(format!(
                "versionNumber must be printable, got {value:?} (it has a control character)"
            ));
        }
        if value == "." || value == ".." || value.contains(['/', '\\']) {
            return Err(format!(
                "versionNumber must not be a path, got {value:?} (no `/`, `\\`, `.` or `..`)"
            ));
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for VersionNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        VersionNumber::check(&value).map_err(serde::de::Error::custom)?;
        Ok(VersionNumber(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_numbers() {
        for good in ["1", "2.0.1", "release 4", "v1-beta+7", "..1"] {
            assert_eq!(VersionNumber::check(good), Ok(()), "{good}");
        }
        for bad in ["", " ", ".", "..", "a/b", "a\\b", "1\u{0}", "1\n", "\u{7f}"] {
            assert!(VersionNumber::check(bad).is_err(), "{bad:?}");
        }
    }
}
