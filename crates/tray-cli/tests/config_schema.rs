//! `tray config schema`: the JSON Schema of the config file, derived from the
//! structs `--config` is read into. The README's example config validates
//! against it (taken from the README itself, so the two cannot drift), and
//! what the loader rejects (a wrong type, an unknown key) the schema rejects
//! too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use serde_json::Value;

use common::{stderr, tray};

/// The schema `tray config schema` prints.
fn printed_schema(home: &Path) -> Value {
    let output = tray(home).args(["config", "schema"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The first ```toml block of the README's "Profiles (`--config`)" part.
fn readme_config() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let (_, after) = readme
        .split_once("Profiles (`--config`)")
        .expect("the README's profiles section");
    let (_, block) = after.split_once("```toml\n").expect("a ```toml block");
    let (block, _) = block.split_once("```").unwrap();
    block.to_owned()
}

/// Whether `toml` (as JSON) validates against `schema`; the errors if not.
fn validate(schema: &Value, toml: &str) -> Result<(), Vec<String>> {
    let instance: Value = toml::from_str(toml).unwrap();
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// `tray --config FILE config list` on `toml`: its exit code and stderr.
fn load(home: &Path, toml: &str) -> (Option<i32>, String) {
    let file = home.join("config.toml");
    std::fs::write(&file, toml).unwrap();
    let output = tray(home)
        .arg("--config")
        .arg(&file)
        .args(["config", "list"])
        .output()
        .unwrap();
    (output.status.code(), stderr(&output))
}

#[test]
fn the_readme_example_config_validates_and_loads() {
    let home = tempfile::tempdir().unwrap();
    let schema = printed_schema(home.path());
    let config = readme_config();
    assert!(config.contains("[profiles.prod-eu]"), "{config}");
    assert_eq!(validate(&schema, &config), Ok(()));
    let (code, stderr) = load(home.path(), &config);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_wrong_type_does_not_validate_nor_load() {
    let home = tempfile::tempdir().unwrap();
    let schema = printed_schema(home.path());
    let config = "[profiles.dev]\nregion = 3\ntoken_env = \"TRAY_TOKEN_DEV\"\n";
    let errors = validate(&schema, config).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("/profiles/dev/region: 3 is not of type"),
        "{errors:?}"
    );
    let (code, stderr) = load(home.path(), config);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("is invalid"), "{stderr}");
}

#[test]
fn unknown_keys_are_rejected_by_the_schema_as_by_the_loader() {
    let home = tempfile::tempdir().unwrap();
    let schema = printed_schema(home.path());
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["$defs"]["Profile"]["additionalProperties"], false);
    for config in [
        // A misspelt key of a profile.
        "[profiles.dev]\nregoin = \"eu\"\ntoken_env = \"TRAY_TOKEN_DEV\"\n",
        // A misspelt table.
        "[profile.dev]\nregion = \"eu\"\n",
    ] {
        let errors = validate(&schema, config).unwrap_err();
        assert_eq!(errors.len(), 1, "{config}: {errors:?}");
        assert!(
            errors[0].contains("Additional properties are not allowed"),
            "{errors:?}"
        );
        let (code, stderr) = load(home.path(), config);
        assert_ne!(code, Some(0), "{config}");
        assert!(stderr.contains("unknown field"), "{config}: {stderr}");
    }
}

#[test]
fn the_schema_is_draft_2020_12_with_the_profiles_documented() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args(["config", "schema"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // `-o json` prints the same document.
    let json = tray(home.path())
        .args(["-o", "json", "config", "schema"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(json.stdout).unwrap(), text);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    // Doc comments of the structs are the descriptions; the region lists
    // the library's regions.
    let profile = &schema["$defs"]["Profile"]["properties"];
    assert_eq!(
        profile["token_env"]["description"],
        "Name of the environment variable holding the token."
    );
    assert_eq!(
        profile["region"]["examples"],
        serde_json::json!(["us", "eu", "apac"])
    );
    insta::assert_snapshot!("config_schema", text);
}
