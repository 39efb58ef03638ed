//! Promote a project version from staging to production (possibly in
//! another region), resolving authentications, and optionally publish the
//! embedded solution.
//!
//! ```text
//! STAGING_TOKEN=... PROD_TOKEN=... cargo run -p tray-api --example promote -- \
//!     SOURCE_PROJECT VERSION DEST_PROJECT [EXPORT_ID=AUTH_UUID ...] [--solution UUID] [--dry-run]
//! ```

use tray_api::promote::Promotion;
use tray_api::{AuthResolution, Client, Error, Region};
use uuid::Uuid;

fn uuid(text: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(text).map_err(|e| Error::Local {
        message: format!("{text:?} is not a UUID: {e}"),
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source_project, version, dest_project, rest @ ..] = args.as_slice() else {
        return Err(Error::Local {
            message: "usage: promote SOURCE_PROJECT VERSION DEST_PROJECT [EXPORT_ID=AUTH_UUID ...] [--solution UUID] [--dry-run]".into(),
        });
    };
    let token = |var: &str| std::env::var(var).unwrap_or_default();
    let staging = Client::builder()
        .region(Region::Us)
        .token(token("STAGING_TOKEN"))
        .build()?;
    let production = Client::builder()
        .region(Region::Eu)
        .token(token("PROD_TOKEN"))
        .build()?;

    let mut resolutions = Vec::new();
    let mut solution = None;
    let mut dry_run = false;
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--dry-run" => dry_run = true,
            "--solution" => solution = rest.next().map(|s| uuid(s)).transpose()?,
            other => resolutions.push(other.parse::<AuthResolution>()?),
        }
    }

    let result = Promotion::new(
        staging,
        production,
        uuid(source_project)?,
        version,
        uuid(dest_project)?,
    )
    .auth_resolutions(resolutions)
    .publish_solution(solution)
    .dry_run(dry_run)
    .run()
    .await;
    match result {
        Ok(report) => {
            for step in &report.steps {
                println!("{step}");
            }
            Ok(())
        }
        Err(Error::UnresolvedAuthentications { list }) => {
            eprintln!("resolve these authentications (EXPORT_ID=AUTH_UUID):");
            for auth in &list {
                eprintln!("  {auth}");
            }
            Err(Error::UnresolvedAuthentications { list })
        }
        Err(error) => Err(error),
    }
}
