//! The one place responses become values or [`Error`]s: the generated
//! calls' results, the hand-built requests' responses (deploy, streamed
//! export), and the two rules every call shares:
//!
//! - an error names what the call was about (its [`Subject`]);
//! - a write that failed after its request was sent (a timeout, a lost
//!   connection, a 5xx, an answer that is not Tray's JSON) is
//!   [`Error::OutcomeUnknown`]: the change may have been applied.
//!
//! The transport ([`crate::transport`]) reads every buffered body to its
//! end and retries what the spec allows; what reaches this module is the
//! final answer.

use std::cell::Cell;
use std::future::Future;

use serde::de::DeserializeOwned;

use crate::error::{ApiErrorDetails, Error, Result, Subject, describe_reqwest};

/// One call: its operation id, what it is about, and whether it changes
/// anything at Tray.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) operation: &'static str,
    pub(crate) subject: Subject,
    write: bool,
}

impl Op {
    /// A call without side effects (reads and previews).
    pub(crate) fn read(operation: tray_api_raw::Operation, subject: Subject) -> Self {
        Self {
            operation: operation.id(),
            subject,
            write: false,
        }
    }

    /// A call that changes something at Tray.
    pub(crate) fn write(operation: tray_api_raw::Operation, subject: Subject) -> Self {
        Self {
            operation: operation.id(),
            subject,
            write: true,
        }
    }

    /// The final error of this call: about its subject and, for a write
    /// whose request was sent, [`Error::OutcomeUnknown`].
    pub(crate) fn fail(&self, error: Error) -> Error {
        let error = error.about(&self.subject);
        if self.write && error.after_sending() {
            Error::OutcomeUnknown {
                source: Box::new(error),
            }
        } else {
            error
        }
    }
}

tokio::task_local! {
    /// The status of the last response the transport handed to the
    /// generated code in this call: progenitor's "invalid payload" error
    /// does not carry it, and an HTML page answered with a 502 must still be
    /// reported as a 502.
    static STATUS: Cell<Option<u16>>;
}

/// Called by the transport with the status of each final response.
pub(crate) fn observe_status(status: u16) {
    let _ = STATUS.try_with(|cell| cell.set(Some(status)));
}

/// Runs a generated call and decodes its result.
pub(crate) async fn call<T, F>(op: &Op, fut: F) -> Result<T>
where
    T: DeserializeOwned,
    F: Future<
        Output = std::result::Result<
            tray_api_raw::ResponseValue<T>,
            tray_api_raw::Error<tray_api_raw::ApiError>,
        >,
    >,
{
    let (result, status) = STATUS
        .scope(Cell::new(None), async move {
            let result = fut.await;
            (result, STATUS.with(Cell::get))
        })
        .await;
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(error) => raw_error(op.operation, status, error)
            .await
            .map_err(|e| op.fail(e)),
    }
}

/// Decodes the response of a hand-built request: a 2xx body as `T`, any
/// other status as its error.
pub(crate) async fn response<T: DeserializeOwned>(
    op: &Op,
    response: reqwest::Response,
) -> Result<T> {
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| op.fail(Error::transport(op.operation, e)))?;
    if !(200..300).contains(&status) {
        return Err(op.fail(Error::from_status(op.operation, status, &body)));
    }
    json(op.operation, status, &body).map_err(|e| op.fail(e))
}

/// The error of a non-2xx response to a hand-built request (its body is
/// read here), or `Ok(response)` for a 2xx one, whose body the caller
/// streams.
pub(crate) async fn success(op: &Op, response: reqwest::Response) -> Result<reqwest::Response> {
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let body = response.bytes().await.unwrap_or_default();
    Err(op.fail(Error::from_status(op.operation, status, &body)))
}

fn json<T: DeserializeOwned>(operation: &'static str, status: u16, body: &[u8]) -> Result<T> {
    serde_json::from_slice::<T>(body).map_err(|e| {
        let what = if e.is_eof() {
            "the answer is cut off"
        } else {
            "malformed JSON"
        };
        Error::invalid_response(operation, Some(status), format!("{what}: {e}"), body)
    })
}

/// Maps a raw error; a 2xx the spec does not list (say 200 where 201 is
/// documented) is parsed as `T` and accepted.
async fn raw_error<T: DeserializeOwned>(
    operation: &'static str,
    status: Option<u16>,
    error: tray_api_raw::Error<tray_api_raw::ApiError>,
) -> Result<T> {
    use tray_api_raw::Error as Raw;
    Err(match error {
        Raw::ErrorResponse(value) => {
            let status = value.status().as_u16();
            let api = value.into_inner();
            let mut details = ApiErrorDetails::new(operation, status);
            details.message = api.message;
            details.code = api.code;
            Error::from_details(details)
        }
        Raw::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(e) => return Err(Error::transport(operation, e)),
            };
            if (200..300).contains(&status) {
                return json(operation, status, &body);
            }
            Error::from_status(operation, status, &body)
        }
        Raw::InvalidResponsePayload(body, e) => match status {
            Some(code) if code >= 400 => Error::from_status(operation, code, &body),
            _ => {
                let what = if e.is_eof() {
                    "the answer is cut off"
                } else {
                    "malformed JSON"
                };
                Error::invalid_response(operation, status, format!("{what}: {e}"), &body)
            }
        },
        Raw::ResponseBodyError(e) | Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) => {
            Error::transport(operation, e)
        }
        Raw::InvalidRequest(message) => Error::local(format!("{operation}: {message}")),
        Raw::Custom(message) => Error::Transport {
            operation,
            subject: None,
            message,
            source: None,
        },
    })
}

/// A body lost mid-way while the caller streamed it.
pub(crate) fn body_error(operation: &'static str, written: u64, error: reqwest::Error) -> Error {
    Error::Transport {
        operation,
        subject: None,
        message: format!(
            "the connection was lost after {written} bytes of the answer: {}",
            describe_reqwest(&error)
        ),
        source: Some(error),
    }
}
