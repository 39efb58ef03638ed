//! `tray config path`, `tray config list` and `tray config schema`.

use serde_json::json;

use crate::config::{self, Config};
use crate::context::Context;
use crate::failure::{CmdResult, Failure};
use crate::token_source;

/// `tray config path`: the config file this run reads (`--config`,
/// `TRAY_CONFIG`, else the platform default), whether it exists or not.
pub fn path(ctx: &mut Context) -> CmdResult {
    let path = match &ctx.global.config {
        Some(path) => path.clone(),
        None => config::default_path().ok_or_else(|| {
            Failure::usage("no config directory on this system: pass --config PATH")
        })?,
    };
    let exists = path.exists();
    ctx.printer.line(path.display().to_string())?;
    if !exists {
        ctx.printer.note("(the file does not exist yet)");
    }
    ctx.printer
        .json(&json!({"path": path.display().to_string(), "exists": exists}))
}

/// `tray config list`: the profiles, their region or base URL, and where
/// their token comes from.
pub fn list(ctx: &mut Context) -> CmdResult {
    let config = Config::load(ctx.global.config.as_deref())?;
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for (name, profile) in &config.profiles {
        let region = profile.region.clone().unwrap_or_default();
        let base_url = token_source::base_url(&ctx.global, Some(profile), None);
        // What the profile would use without --sandbox.
        let source = token_source::source(&ctx.global, Some((name, profile)), None);
        rows.push(vec![
            name.clone(),
            if region.is_empty() {
                "-".to_owned()
            } else {
                region.clone()
            },
            base_url.clone(),
            source.to_string(),
        ]);
        json_rows.push(json!({
            "name": name,
            "region": profile.region,
            "baseUrl": base_url,
            "tokenSource": source,
        }));
    }
    if rows.is_empty() {
        ctx.printer.line("No profiles (define them under [profiles.NAME] in the config file; see `tray config path`)")?;
    } else {
        for line in crate::table::lines(&["PROFILE", "REGION", "BASE URL", "TOKEN FROM"], &rows) {
            ctx.printer.line(line)?;
        }
    }
    ctx.printer.json(&json_rows)
}

/// `tray config schema`: the JSON Schema of the config file, derived from
/// the structs `--config` is read into ([`Config::json_schema`]), as one
/// pretty JSON document on stdout (whatever `-o` says; `--jq` applies).
pub fn schema(ctx: &mut Context) -> CmdResult {
    let mut text = serde_json::to_vec_pretty(&Config::json_schema())
        .map_err(|e| Failure::usage(format!("cannot write the schema: {e}")))?;
    text.push(b'\n');
    ctx.printer.document(text)
}
