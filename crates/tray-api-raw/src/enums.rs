//! Open enums: the enums of the specs, as types that keep values Tray adds
//! later instead of failing the whole response.

/// Defines an open string enum: known variants plus `Unknown(String)`, with
/// serde, `Display`, `FromStr` and `From<&str>`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        ///
        /// `#[non_exhaustive]`: a value the spec adds later becomes a new
        /// variant without breaking a `match` (which needs a `_` arm).
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the library does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value the spec documents, in spec order.
            pub const KNOWN: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// The value as Tray spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => stringify!($variant), )+
                    Self::Unknown(value) => value,
                }
            }

            /// Whether the value is one the spec documents.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( stringify!($variant) => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }

        crate::schema::open_enum_schema!($name);
    };
}

open_enum! {
    /// The status of a CDK connector deployment.
    ///
    /// Tray documents `Deploying`, `Deployed` and `Failed`; `Building` is seen
    /// in the wild. Any other value is kept as [`DeploymentStatus::Unknown`]
    /// and treated as still in progress.
    ///
    /// ```
    /// use tray_api_raw::DeploymentStatus;
    /// let status: DeploymentStatus = serde_json::from_str("\"Queued\"").unwrap();
    /// assert_eq!(status, DeploymentStatus::Unknown("Queued".into()));
    /// assert!(!status.is_terminal());
    /// assert!(DeploymentStatus::Failed.is_terminal());
    /// ```
    pub enum DeploymentStatus {
        /// Queued or deploying.
        Deploying,
        /// Being built (undocumented, in progress).
        Building,
        /// Live: the connector can be used and shared.
        Deployed,
        /// The deployment failed.
        Failed,
    }
}

impl DeploymentStatus {
    /// `Deployed` or `Failed`: polling can stop.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Deployed | Self::Failed)
    }
}

open_enum! {
    /// How an import changes the project's embedded solution.
    pub enum SolutionChangeType {
        /// The solution is created.
        Created,
        /// The solution is updated.
        Updated,
        /// The solution is deleted.
        Deleted,
    }
}

open_enum! {
    /// A change to an authentication slot of a solution.
    pub enum AuthSlotChangeCode {
        /// A mandatory slot was created.
        CreatedMandatorySlot,
        /// An optional slot was created.
        CreatedOptionalSlot,
        /// The slot became mandatory.
        SlotMadeMandatory,
        /// The slot became optional.
        SlotMadeOptional,
        /// More scopes are needed.
        ScopesIncreased,
        /// Fewer scopes are needed.
        ScopesDecreased,
        /// The title changed.
        TitleUpdated,
        /// The description changed.
        DescriptionUpdated,
        /// The external id changed.
        ExternalIdUpdated,
        /// The service changed.
        ServiceIdUpdated,
        /// The service environment changed.
        ServiceEnvironmentIdUpdated,
        /// The authentication changed.
        AuthenticationIdUpdated,
        /// The slot became static.
        SlotMadeStatic,
        /// The slot is no longer static.
        SlotMadeNotStatic,
        /// The slot became hidden.
        SlotMadeHidden,
        /// The slot is no longer hidden.
        SlotMadeNotHidden,
        /// The slot now skips the call to action.
        SlotMadeToSkipCTA,
        /// The slot no longer skips the call to action.
        SlotMadeToNotSkipCTA,
        /// The slot now requires a unique authentication.
        SlotMadeToRequireUnique,
        /// The slot no longer requires a unique authentication.
        SlotMadeToNotRequireUnique,
    }
}

open_enum! {
    /// A change to a config slot of a solution.
    pub enum ConfigSlotChangeCode {
        /// A mandatory slot was created.
        CreatedMandatorySlot,
        /// An optional slot was created.
        CreatedOptionalSlot,
        /// The slot became mandatory.
        SlotMadeMandatory,
        /// The slot became optional.
        SlotMadeOptional,
        /// The default value changed.
        DefaultValueUpdated,
        /// Custom JavaScript was added.
        CustomJavascriptAdded,
        /// Custom JavaScript was removed.
        CustomJavascriptRemoved,
        /// Custom JavaScript changed.
        CustomJavascriptUpdated,
        /// A data mapping was added.
        DataMappingAdded,
        /// A data mapping was removed.
        DataMappingRemoved,
        /// A data mapping changed.
        DataMappingUpdated,
        /// The key changed.
        KeyUpdated,
        /// The value type changed.
        ValueTypeUpdated,
        /// The title changed.
        TitleUpdated,
        /// The description changed.
        DescriptionUpdated,
        /// The external id changed.
        ExternalIdUpdated,
        /// The referenced authentication slot changed.
        ReferencedAuthSlotIdUpdated,
        /// A reference to an authentication slot was added.
        ReferenceToAuthSlotIdAdded,
        /// A reference to an authentication slot was removed.
        ReferenceToAuthSlotIdRemoved,
        /// The dropdown list now allows a custom value.
        SlotMadeToAllowSetCustomValueInDDL,
        /// The dropdown list no longer allows a custom value.
        SlotMadeToNotAllowSetCustomValueInDDL,
        /// The slot became a dropdown list.
        SlotMadeDDL,
        /// The slot is no longer a dropdown list.
        SlotMadeNotDDL,
        /// The slot became static.
        SlotMadeStatic,
        /// The slot is no longer static.
        SlotMadeNotStatic,
        /// The slot became required.
        SlotMadeRequired,
        /// The slot is no longer required.
        SlotMadeNotRequired,
        /// The slot now uses its default value.
        SlotMadeToUseDefaultValue,
        /// The slot no longer uses its default value.
        SlotMadeToNotUseDefaultValue,
        /// The slot became hidden.
        SlotMadeHidden,
        /// The slot is no longer hidden.
        SlotMadeNotHidden,
        /// The reset type was disabled.
        DisabledResetType,
        /// The reset type was enabled.
        EnabledResetType,
    }
}

open_enum! {
    /// Why an authentication slot was recreated.
    pub enum AuthSlotRecreationReasonCode {
        /// The authentication changed.
        AuthenticationIdChanged,
        /// More scopes are needed.
        ScopesIncreased,
        /// Fewer scopes are needed.
        ScopesDecreased,
        /// The service environment changed.
        ServiceEnvironmentChanged,
    }
}

open_enum! {
    /// Why a config slot was recreated.
    pub enum ConfigSlotRecreationReasonCode {
        /// The config key changed.
        ConfigVariableKeyChanged,
        /// The config value type changed.
        ConfigVariableTypeChanged,
        /// An authentication slot referenced by a dropdown field changed
        /// (Tray spells it `DLL`).
        AuthSlotReferencedByDLLFieldChanged,
        /// An incompatible dropdown-list change.
        IncompatibleDDLChanged,
    }
}
