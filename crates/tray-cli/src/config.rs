//! Profiles from the TOML config file: the library's
//! ([`tray_api::config`], feature `config`), so a Rust program reads the
//! same file the same way.
//!
//! ```toml
//! [profiles.prod-eu]
//! region = "eu"                       # or base_url = "https://..."
//! token_env = "TRAY_TOKEN_PROD_EU"    # or token_file = "/path/to/token"
//! ```

pub use tray_api::config::{Config, Profile, default_path};
