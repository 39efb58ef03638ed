//! Solution slots: made from a project, changed by imports, compared
//! between releases (breaking-change detection).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tray_api_raw::solutions::types::{
    AuthSlot, AuthSlotChange, AuthSlotChanges, ConfigSlot, ConfigSlotChange, ConfigSlotChanges,
    CreatedAuthSlot, CreatedConfigSlot, UpdatedAuthSlot, UpdatedConfigSlot,
};
use tray_api_raw::{AuthSlotChangeCode, ConfigSlotChangeCode};
use uuid::Uuid;

use crate::state::{Authentication, Project, Slots};

/// The JSON type name of a value, used as a config slot's `valueType`.
pub(crate) fn value_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn title_of(key: &str) -> String {
    let mut title = String::new();
    for (i, c) in key.chars().enumerate() {
        if i == 0 {
            title.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            title.push(' ');
            title.extend(c.to_lowercase());
        } else {
            title.push(c);
        }
    }
    title
}

/// A config slot for a project config value: optional (it defaults to the
/// project's value).
pub(crate) fn config_slot(key: &str, value: &Value) -> ConfigSlot {
    ConfigSlot {
        id: Uuid::new_v4(),
        key: key.to_owned(),
        title: title_of(key),
        description: format!("Value of the project config key {key}"),
        external_id: Some(key.to_owned()),
        value_type: value_type(value).to_owned(),
        ddl: false,
        ddl_configuration: None,
        required: true,
        use_default_value: true,
        default_value: value.clone(),
        referenced_auth_slot_id: None,
        static_: false,
        hidden: false,
        has_custom_js: false,
        has_data_mapping: false,
        disabled_reset_type: false,
    }
}

/// An auth slot for an authentication: mandatory, filled by the end user.
pub(crate) fn auth_slot(auth: &Authentication) -> AuthSlot {
    AuthSlot {
        id: Uuid::new_v4(),
        title: auth.title.clone(),
        description: format!("{} account", auth.service.name),
        authentication_id: auth.id,
        service_id: Some(service_id(&auth.service.name)),
        service_environment_id: Some(auth.service_environment_id),
        scopes: auth.scopes.clone(),
        external_id: Some(auth.auth_export_id.clone()),
        static_: false,
        hidden: false,
        skip_cta: false,
        require_unique: false,
    }
}

/// The namespace of [`service_id`]: service ids are name-based (v5) UUIDs
/// in it, so the same service name always gets the same id.
const SERVICE_NAMESPACE: Uuid = Uuid::from_u128(0x7d1f_1a5e_3c2b_4e8d_9a6f_0b4c_2d8e_6f10);

/// A stable id per service name.
fn service_id(name: &str) -> Uuid {
    Uuid::new_v5(&SERVICE_NAMESPACE, name.as_bytes())
}

/// The slots of a solution embedding `project`: one per config key and one
/// per authentication.
pub(crate) fn derive_slots(project: &Project) -> Slots {
    Slots {
        auth_slots: project.authentications.iter().map(auth_slot).collect(),
        config_slots: project
            .config
            .iter()
            .map(|(key, value)| config_slot(key, value))
            .collect(),
    }
}

/// The draft after an import: config slots follow the new config (values
/// become defaults, removed keys lose their slot, new keys get an optional
/// slot); each newly added authentication gets a mandatory auth slot.
pub(crate) fn slots_after_import(
    before: &Slots,
    new_config: &Map<String, Value>,
    new_auths: &[Authentication],
) -> Slots {
    let mut config_slots = Vec::new();
    for slot in &before.config_slots {
        if let Some(value) = new_config.get(&slot.key) {
            let mut slot = slot.clone();
            slot.default_value = value.clone();
            slot.value_type = value_type(value).to_owned();
            config_slots.push(slot);
        }
    }
    for (key, value) in new_config {
        if !before.config_slots.iter().any(|slot| &slot.key == key) {
            let mut slot = config_slot(key, value);
            slot.required = false;
            config_slots.push(slot);
        }
    }
    let mut auth_slots = before.auth_slots.clone();
    for auth in new_auths {
        if !auth_slots
            .iter()
            .any(|slot| slot.authentication_id == auth.id)
        {
            auth_slots.push(auth_slot(auth));
        }
    }
    Slots {
        auth_slots,
        config_slots,
    }
}

/// The comparison of two sets of slots.
#[derive(Debug, Clone)]
pub(crate) struct SlotDiff {
    pub auth_slots: AuthSlotChanges,
    pub config_slots: ConfigSlotChanges,
    pub breaking_changes: bool,
    pub requires_new_user_input: bool,
    pub requires_new_system_input: bool,
}

/// Converts between types of the same JSON shape, adding and removing fields.
pub(crate) fn reshape<T: DeserializeOwned>(
    value: &impl Serialize,
    add: Vec<(&str, Value)>,
    remove: &[&str],
) -> Result<T, String> {
    let mut object = match serde_json::to_value(value).map_err(|e| e.to_string())? {
        Value::Object(object) => object,
        other => return Err(format!("expected an object, got {other}")),
    };
    for (key, value) in add {
        object.insert(key.to_owned(), value);
    }
    for key in remove {
        object.remove(*key);
    }
    serde_json::from_value(Value::Object(object)).map_err(|e| e.to_string())
}

/// A created-slot view (`Created{Auth,Config}Slot`): the slot plus its
/// changes, never recreated.
fn created_view<T: DeserializeOwned>(
    slot: &impl Serialize,
    changes: &impl Serialize,
    breaking: bool,
) -> Result<T, String> {
    reshape(
        slot,
        vec![
            ("hasBreakingChange", json!(breaking)),
            (
                "changes",
                serde_json::to_value(changes).map_err(|e| e.to_string())?,
            ),
            ("recreated", json!(false)),
        ],
        &[],
    )
}

/// An updated-slot view (`Updated{Auth,Config}Slot`): the slot, its changes
/// and what it was before.
fn updated_view<S: Serialize, T: DeserializeOwned>(
    slot: &S,
    previous: &S,
    changes: &impl Serialize,
    breaking: bool,
) -> Result<T, String> {
    reshape(
        slot,
        vec![
            ("hasBreakingChange", json!(breaking)),
            (
                "changes",
                serde_json::to_value(changes).map_err(|e| e.to_string())?,
            ),
            (
                "previously",
                serde_json::to_value(previous).map_err(|e| e.to_string())?,
            ),
        ],
        &[],
    )
}

/// The change code of a boolean flag that flipped: `on` when it became
/// true, `off` when it became false, `None` when it did not change.
fn flipped<C>(now: bool, before: bool, on: C, off: C) -> Option<C> {
    (now != before).then_some(if now { on } else { off })
}

fn auth_change(code: AuthSlotChangeCode, message: &str, breaking: bool) -> AuthSlotChange {
    AuthSlotChange {
        breaking_change: breaking,
        code,
        message: message.to_owned(),
    }
}

fn config_change(code: ConfigSlotChangeCode, message: &str, breaking: bool) -> ConfigSlotChange {
    ConfigSlotChange {
        breaking_change: breaking,
        code,
        message: message.to_owned(),
    }
}

/// Compares `old` (the published release) with `new` (the draft).
///
/// Breaking: a new mandatory slot, a slot made mandatory, more scopes, a
/// changed authentication, service or service environment, a config key
/// or value type change. Slots are matched by id.
pub(crate) fn diff(old: &Slots, new: &Slots) -> Result<SlotDiff, String> {
    let mut out = SlotDiff {
        auth_slots: AuthSlotChanges {
            created: Vec::new(),
            updated: Vec::new(),
            removed: Vec::new(),
        },
        config_slots: ConfigSlotChanges {
            created: Vec::new(),
            updated: Vec::new(),
            removed: Vec::new(),
        },
        breaking_changes: false,
        requires_new_user_input: false,
        requires_new_system_input: false,
    };
    let needs_input = |out: &mut SlotDiff, is_static: bool, hidden: bool| {
        if is_static || hidden {
            out.requires_new_system_input = true;
        } else {
            out.requires_new_user_input = true;
        }
    };

    for slot in &new.auth_slots {
        match old.auth_slots.iter().find(|o| o.id == slot.id) {
            None => {
                let changes = vec![auth_change(
                    AuthSlotChangeCode::CreatedMandatorySlot,
                    "A new mandatory auth slot has been created",
                    true,
                )];
                out.breaking_changes = true;
                needs_input(&mut out, slot.static_, slot.hidden);
                let created: CreatedAuthSlot = created_view(slot, &changes, true)?;
                out.auth_slots.created.push(created);
            }
            Some(previous) if previous != slot => {
                let mut changes = Vec::new();
                let increased = slot.scopes.iter().any(|s| !previous.scopes.contains(s));
                let decreased = previous.scopes.iter().any(|s| !slot.scopes.contains(s));
                if increased {
                    changes.push(auth_change(
                        AuthSlotChangeCode::ScopesIncreased,
                        "The slot requires more scopes",
                        true,
                    ));
                    needs_input(&mut out, slot.static_, slot.hidden);
                }
                if decreased {
                    changes.push(auth_change(
                        AuthSlotChangeCode::ScopesDecreased,
                        "The slot requires fewer scopes",
                        false,
                    ));
                }
                if slot.title != previous.title {
                    changes.push(auth_change(
                        AuthSlotChangeCode::TitleUpdated,
                        "Title has been updated",
                        false,
                    ));
                }
                if slot.description != previous.description {
                    changes.push(auth_change(
                        AuthSlotChangeCode::DescriptionUpdated,
                        "Description has been updated",
                        false,
                    ));
                }
                if slot.external_id != previous.external_id {
                    changes.push(auth_change(
                        AuthSlotChangeCode::ExternalIdUpdated,
                        "External id has been updated",
                        false,
                    ));
                }
                if slot.authentication_id != previous.authentication_id {
                    changes.push(auth_change(
                        AuthSlotChangeCode::AuthenticationIdUpdated,
                        "The authentication has changed",
                        true,
                    ));
                }
                if slot.service_id != previous.service_id {
                    changes.push(auth_change(
                        AuthSlotChangeCode::ServiceIdUpdated,
                        "The service has changed",
                        true,
                    ));
                    needs_input(&mut out, slot.static_, slot.hidden);
                }
                if slot.service_environment_id != previous.service_environment_id {
                    changes.push(auth_change(
                        AuthSlotChangeCode::ServiceEnvironmentIdUpdated,
                        "The service environment has changed",
                        true,
                    ));
                }
                if let Some(code) = flipped(
                    slot.static_,
                    previous.static_,
                    AuthSlotChangeCode::SlotMadeStatic,
                    AuthSlotChangeCode::SlotMadeNotStatic,
                ) {
                    changes.push(auth_change(code, "Static flag has been changed", false));
                }
                if let Some(code) = flipped(
                    slot.hidden,
                    previous.hidden,
                    AuthSlotChangeCode::SlotMadeHidden,
                    AuthSlotChangeCode::SlotMadeNotHidden,
                ) {
                    changes.push(auth_change(code, "Hidden flag has been changed", false));
                }
                if let Some(code) = flipped(
                    slot.skip_cta,
                    previous.skip_cta,
                    AuthSlotChangeCode::SlotMadeToSkipCTA,
                    AuthSlotChangeCode::SlotMadeToNotSkipCTA,
                ) {
                    changes.push(auth_change(
                        code,
                        "Call to action flag has been changed",
                        false,
                    ));
                }
                if let Some(code) = flipped(
                    slot.require_unique,
                    previous.require_unique,
                    AuthSlotChangeCode::SlotMadeToRequireUnique,
                    AuthSlotChangeCode::SlotMadeToNotRequireUnique,
                ) {
                    changes.push(auth_change(
                        code,
                        "Unique authentication flag has been changed",
                        slot.require_unique,
                    ));
                }
                let breaking = changes.iter().any(|c| c.breaking_change);
                out.breaking_changes |= breaking;
                let updated: UpdatedAuthSlot = updated_view(slot, previous, &changes, breaking)?;
                out.auth_slots.updated.push(updated);
            }
            Some(_) => {}
        }
    }
    for slot in &old.auth_slots {
        if !new.auth_slots.iter().any(|n| n.id == slot.id) {
            out.auth_slots.removed.push(slot.clone());
        }
    }

    for slot in &new.config_slots {
        let mandatory = slot.required && !slot.use_default_value;
        match old.config_slots.iter().find(|o| o.id == slot.id) {
            None => {
                let (code, message) = if mandatory {
                    (
                        ConfigSlotChangeCode::CreatedMandatorySlot,
                        "A new mandatory config slot has been created",
                    )
                } else {
                    (
                        ConfigSlotChangeCode::CreatedOptionalSlot,
                        "A new optional config slot has been created",
                    )
                };
                if mandatory {
                    out.breaking_changes = true;
                    needs_input(&mut out, slot.static_, slot.hidden);
                }
                let changes = vec![config_change(code, message, mandatory)];
                let created: CreatedConfigSlot = created_view(slot, &changes, mandatory)?;
                out.config_slots.created.push(created);
            }
            Some(previous) if previous != slot => {
                let was_mandatory = previous.required && !previous.use_default_value;
                let mut changes = Vec::new();
                if mandatory && !was_mandatory {
                    changes.push(config_change(
                        ConfigSlotChangeCode::SlotMadeMandatory,
                        "The slot is now mandatory",
                        true,
                    ));
                    needs_input(&mut out, slot.static_, slot.hidden);
                }
                if !mandatory && was_mandatory {
                    changes.push(config_change(
                        ConfigSlotChangeCode::SlotMadeOptional,
                        "The slot is now optional",
                        false,
                    ));
                }
                if slot.key != previous.key {
                    changes.push(config_change(
                        ConfigSlotChangeCode::KeyUpdated,
                        "Key has been updated",
                        true,
                    ));
                }
                if slot.value_type != previous.value_type {
                    changes.push(config_change(
                        ConfigSlotChangeCode::ValueTypeUpdated,
                        "Value type has been updated",
                        true,
                    ));
                }
                if slot.title != previous.title {
                    changes.push(config_change(
                        ConfigSlotChangeCode::TitleUpdated,
                        "Title has been updated",
                        false,
                    ));
                }
                if slot.description != previous.description {
                    changes.push(config_change(
                        ConfigSlotChangeCode::DescriptionUpdated,
                        "Description has been updated",
                        false,
                    ));
                }
                if slot.external_id != previous.external_id {
                    changes.push(config_change(
                        ConfigSlotChangeCode::ExternalIdUpdated,
                        "External id has been updated",
                        false,
                    ));
                }
                if slot.default_value != previous.default_value {
                    changes.push(config_change(
                        ConfigSlotChangeCode::DefaultValueUpdated,
                        "Default value has been updated",
                        false,
                    ));
                }
                if let Some(code) = flipped(
                    slot.required,
                    previous.required,
                    ConfigSlotChangeCode::SlotMadeRequired,
                    ConfigSlotChangeCode::SlotMadeNotRequired,
                ) {
                    changes.push(config_change(code, "Required flag has been changed", false));
                }
                if let Some(code) = flipped(
                    slot.use_default_value,
                    previous.use_default_value,
                    ConfigSlotChangeCode::SlotMadeToUseDefaultValue,
                    ConfigSlotChangeCode::SlotMadeToNotUseDefaultValue,
                ) {
                    changes.push(config_change(
                        code,
                        "Default value flag has been changed",
                        false,
                    ));
                }
                if let Some(code) = flipped(
                    slot.static_,
                    previous.static_,
                    ConfigSlotChangeCode::SlotMadeStatic,
                    ConfigSlotChangeCode::SlotMadeNotStatic,
                ) {
                    changes.push(config_change(code, "Static flag has been changed", false));
                }
                if let Some(code) = flipped(
                    slot.hidden,
                    previous.hidden,
                    ConfigSlotChangeCode::SlotMadeHidden,
                    ConfigSlotChangeCode::SlotMadeNotHidden,
                ) {
                    changes.push(config_change(code, "Hidden flag has been changed", false));
                }
                if let Some(code) = flipped(
                    slot.ddl,
                    previous.ddl,
                    ConfigSlotChangeCode::SlotMadeDDL,
                    ConfigSlotChangeCode::SlotMadeNotDDL,
                ) {
                    changes.push(config_change(
                        code,
                        "Dropdown list flag has been changed",
                        false,
                    ));
                }
                let breaking = changes.iter().any(|c| c.breaking_change);
                out.breaking_changes |= breaking;
                let updated: UpdatedConfigSlot = updated_view(slot, previous, &changes, breaking)?;
                out.config_slots.updated.push(updated);
            }
            Some(_) => {}
        }
    }
    for slot in &old.config_slots {
        if !new.config_slots.iter().any(|n| n.id == slot.id) {
            out.config_slots.removed.push(slot.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_ids_are_stable_v5_uuids() {
        let salesforce = service_id("salesforce");
        assert_eq!(salesforce, service_id("salesforce"));
        assert_ne!(salesforce, service_id("slack"));
        assert_eq!(salesforce.get_version_num(), 5);
        assert_eq!(
            salesforce,
            Uuid::new_v5(&SERVICE_NAMESPACE, b"salesforce"),
            "the id is the v5 UUID of the name in the service namespace"
        );
    }
}
