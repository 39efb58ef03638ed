//! Which generated Rust type each spec schema becomes, so examples and
//! fixtures can be deserialized into the real types.
//!
//! A schema that carries an example (or is the body of a fixture) must be
//! listed here; the lint reports any that is not.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// Deserialize `value` as `T` and serialize it back.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

macro_rules! registry {
    ($($module:ident :: $schema:ident),* $(,)?) => {
        /// Every `(module, schema)` pair with a registered Rust type.
        pub const REGISTERED: &[(&str, &str)] = &[
            $((stringify!($module), stringify!($schema)),)*
        ];

        /// Round-trip `value` through the Rust type generated for `schema` of
        /// spec `module`: `None` if no type is registered, else the
        /// re-serialized JSON or the deserialization error.
        pub fn round_trip_as(module: &str, schema: &str, value: &Value) -> Option<Result<Value, String>> {
            match (module, schema) {
                (_, "ApiError") => Some(round_trip::<tray_api_raw::ApiError>(value)),
                $((stringify!($module), stringify!($schema)) =>
                    Some(round_trip::<tray_api_raw::$module::types::$schema>(value)),)*
                _ => None,
            }
        }
    };
}

registry! {
    deployments::DeployConnectorRequest,
    deployments::DeployConnectorResponse,
    deployments::Deployment,
    permissions::ShareWithEmailsRequest,
    permissions::ShareWithEmailsResponse,
    projects::CreateProjectVersionInput,
    projects::ProjectVersionResponse,
    projects::ProjectVersionPage,
    projects::ProjectExport,
    projects::PrepareProjectImportInput,
    projects::PrepareProjectImportResponse,
    projects::ProjectImportInput,
    projects::ProjectImportPreviewResponse,
    projects::ProjectImportResponse,
    solutions::PublishSolutionImpact,
}
