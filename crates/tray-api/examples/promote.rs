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

    // Each project id sits next to its client; each step is printed as it ends.
    let started = std::time::Instant::now();
    let mut promotion = Promotion::from(&staging, uuid(source_project)?, version.as_str())
        .to(&production, uuid(dest_project)?)
        .auth_resolutions(resolutions)
        .dry_run(dry_run);
    if let Some(solution) = solution {
        promotion = promotion.publish_solution(solution);
    }
    let result = promotion
        .run_with(|step| eprintln!("{:>4}s  {step}", started.elapsed().as_secs()))
        .await;
    match result {
        Ok(report) => match report.failed_step() {
            // A dry run reports failed checks instead of failing.
            Some(step) => {
                for auth in &report.unresolved_authentications {
                    eprintln!("resolve {auth} (EXPORT_ID=AUTH_UUID)");
                }
                Err(Error::Local {
                    message: format!("the promotion would fail: {step}"),
                })
            }
            None => Ok(()),
        },
        Err(Error::PromotionIncomplete { report, source }) => {
            if let Some(step) = report.unknown_step() {
                eprintln!(
                    "{} may have been applied: check before running again",
                    step.kind
                );
            }
            Err(Error::PromotionIncomplete { report, source })
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
