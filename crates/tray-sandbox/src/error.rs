//! Errors of starting and configuring a sandbox.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a sandbox could not start, or a sandbox option was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The state file exists but could not be read or parsed, or its folder
    /// does not exist.
    #[error("bad state file {}: {message}", path.display())]
    StateFile {
        /// The state file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The state file could not be written at start (its folder is read-only,
    /// full, …): the sandbox refuses to start rather than acknowledge
    /// changes it cannot keep.
    #[error("cannot write the state file {}: {source}", path.display())]
    StateWrite {
        /// The state file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
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
