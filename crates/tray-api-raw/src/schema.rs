//! JSON Schemas of the hand-written types (feature `schemars`).
//!
//! The generated types derive `schemars::JsonSchema` themselves (tray-codegen
//! adds `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`
//! to each); [`ApiError`](crate::ApiError) derives it too. The open enums
//! implement it here, with `open_enum_schema!`, which `open_enum_common!`
//! invokes: their schema is `type: string` accepting **any** string (a value
//! Tray adds later is kept, not rejected), with the values the spec documents
//! listed as `examples` and in the description, never as a closed `enum`.

/// Implements `schemars::JsonSchema` for an open enum (a type with
/// `KNOWN: &[&str]`, the values the spec documents). Expands to nothing
/// without the `schemars` feature.
#[cfg(feature = "schemars")]
macro_rules! open_enum_schema {
    ($name:ident) => {
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                concat!("tray_api_raw::", stringify!($name)).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::schema::open_enum(stringify!($name), $name::KNOWN)
            }
        }
    };
}

/// Without the `schemars` feature: nothing.
#[cfg(not(feature = "schemars"))]
macro_rules! open_enum_schema {
    ($name:ident) => {};
}

pub(crate) use open_enum_schema;

/// The schema of an open enum: any string, the known values as `examples`.
#[cfg(feature = "schemars")]
pub(crate) fn open_enum(name: &str, known: &[&str]) -> schemars::Schema {
    use serde_json::{Map, Value};

    let listed = known
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut schema = Map::new();
    schema.insert("type".into(), Value::from("string"));
    schema.insert(
        "description".into(),
        Value::from(format!(
            "{name}: an open set of values. The spec documents {listed}; any other string is \
             accepted too (a value Tray adds later is kept as it is)."
        )),
    );
    schema.insert(
        "examples".into(),
        Value::Array(known.iter().map(|value| Value::from(*value)).collect()),
    );
    schemars::Schema::from(schema)
}

/// The JSON Schema of `T` (what each generated module's `JSON_SCHEMAS`
/// lists, as a function so the table is a constant).
#[cfg(feature = "schemars")]
pub fn schema_of<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::schema_for!(T)
}
