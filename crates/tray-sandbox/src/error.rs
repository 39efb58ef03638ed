//! Errors of starting and configuring a sandbox.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a sandbox could not start, or a sandbox option was rejected.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The state file exists but could not be read or parsed.
    #[error("bad state file {}: {message}", path.display())]
    StateFile {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The seed file could not be read or parsed.
    #[error("bad seed file {}: {message}", path.display())]
    SeedFile {
        /// The seed file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A `ROUTE=KIND[@RATE]` fault specification could not be parsed.
    #[error("bad fault spec {spec:?}: {message}")]
    FaultSpec {
        /// The specification as given.
        spec: String,
        /// What is wrong with it.
        message: String,
    },
    /// Any other I/O failure (e.g. reading the local address).
    #[error("sandbox I/O error: {0}")]
    Io(#[from] std::io::Error),
}
