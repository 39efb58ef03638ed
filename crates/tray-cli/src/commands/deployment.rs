//! `tray deployment create|get`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use tokio::time::Instant;
use tray_api::types::DeploymentStatus;
use tray_api::{ConnectorZip, Deployment, IfBusy, WaitOptions};

use crate::cli::{CreateWaitArgs, DeploymentCreate, DeploymentGet, IfBusyArg, WaitArgs};
use crate::context::Context;
use crate::failure::{self, CmdResult, Failure};
use crate::output::Printer;

/// The parts of `connector.json` the CLI reads: the library's
/// [`tray_api::ConnectorManifest`], the one reader of `connector.json`.
pub type Manifest = tray_api::ConnectorManifest;

/// Name and version from the arguments, else from `./connector.json`.
pub fn name_and_version(
    name: Option<String>,
    version: Option<String>,
) -> CmdResult<(String, String)> {
    match (name, version) {
        (Some(name), Some(version)) => Ok((name, version)),
        (name, version) => {
            let manifest = Manifest::read(".").map_err(|e| {
                Failure::usage(format!(
                    "give the connector NAME and VERSION, or run this in a connector folder ({e})"
                ))
            })?;
            Ok((
                name.unwrap_or(manifest.name),
                version.unwrap_or(manifest.version),
            ))
        }
    }
}

/// Open the connector zip of a project folder or a zip path
/// ([`ConnectorZip::locate`]: the rule, the built zip, the stale-build
/// check), and check it against the --name/--version options.
pub fn locate_zip(
    path: &Path,
    name: Option<&str>,
    version: Option<&str>,
) -> CmdResult<ConnectorZip> {
    let zip = ConnectorZip::locate(path)?;
    zip.ensure_matches(name, version)?;
    Ok(zip)
}

/// While a wait shows no new state, a progress line at least this often.
pub const QUIET_LINE_EVERY: Duration = Duration::from_secs(30);

impl DeploymentCreate {
    /// `tray deployment create`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self {
            path,
            name,
            version,
            wait: args,
        } = self;
        let zip = locate_zip(&path, name.as_deref(), version.as_deref())?;
        let targets = ctx.targets().await?;
        let printer = ctx.printer;
        let wait = &args.wait;
        if targets.len() > 1 {
            return create_many(printer, targets, &zip, &args).await;
        }
        let Some(target) = targets.into_iter().next() else {
            return Err(Failure::usage("nothing to deploy to"));
        };
        let deployments = target.client.deployments();
        if !wait.wait {
            let progress = printer.progress(format!("deploying {} {}", zip.name(), zip.version()));
            let deployment = deployments.deploy(&zip).send().await?;
            progress.finish();
            if deployment.repeat {
                if !printer.quiet {
                    eprintln!(
                        "warning: Tray skipped this upload: deployment {} of {} {} is already in progress (repeatDeployment), so this zip was not deployed",
                        deployment.id, deployment.connector_name, deployment.connector_version
                    );
                    eprintln!(
                        "hint: deploy again once it has ended, or use --wait, which waits for it and uploads again"
                    );
                }
                printer.line(format!(
                    "Upload skipped: deployment {} of {} {} is already in progress",
                    deployment.id, deployment.connector_name, deployment.connector_version
                ))?;
            } else {
                printer.line(format!(
                    "Deployment {} of {} {} started ({})",
                    deployment.id,
                    deployment.connector_name,
                    deployment.connector_version,
                    deployment.status
                ))?;
            }
            return printer.json(&deployment);
        }
        let progress = printer.progress(format!("deploying {} {}", zip.name(), zip.version()));
        let lines = Lines::new(|text: &str| progress.event(&printer, text));
        lines.upload("", &zip);
        let states = deployments
            .deploy(&zip)
            .wait()
            .options(wait_options(wait, args.if_busy))
            .deadline(command_deadline(printer, wait))
            .watch();
        let outcome = lines.follow("", states, None).await;
        progress.finish();
        let resume = Resume::new(ctx, zip.name(), zip.version());
        finish(printer, outcome, &resume)
    }
}

fn wait_options(wait: &WaitArgs, if_busy: IfBusyArg) -> WaitOptions {
    WaitOptions::new(wait.interval, wait.timeout).with_if_busy(match if_busy {
        IfBusyArg::Wait => IfBusy::Wait,
        IfBusyArg::Fail => IfBusy::Fail,
    })
}

/// `--timeout` counts from the start of the command.
fn command_deadline(printer: Printer, wait: &WaitArgs) -> Instant {
    Instant::now() + wait.timeout.saturating_sub(printer.started.elapsed())
}

/// What one wait (one region) ended with.
#[derive(Debug)]
pub struct Outcome {
    /// The final deployment (`Deployed` or `Failed`), or the error.
    pub result: Result<Deployment, tray_api::Error>,
    /// The id of the deployment of this command's zip, once known.
    pub own: Option<String>,
    /// Deployments in progress when Tray skipped an upload.
    pub skipped_for: Vec<String>,
}

/// What is known of one followed wait, for its lines.
#[derive(Debug, Default)]
struct Track {
    /// Ids Tray answered `repeatDeployment` with: not ours.
    skipped: Vec<String>,
    /// The deployment of our zip, once uploaded.
    own: Option<String>,
    /// The last state, or `None` while an upload is in flight.
    last: Option<Deployment>,
    /// The line prefix of an upload in flight.
    uploading: Option<String>,
    done: bool,
}

/// Progress lines of one or several waits: one line per new state, and a
/// line per unfinished wait after [`QUIET_LINE_EVERY`] without any.
pub struct Lines<E> {
    emit: E,
    every: Duration,
    state: Mutex<(Instant, BTreeMap<String, Track>)>,
}

impl<E: Fn(&str)> Lines<E> {
    /// Lines written by `emit`.
    pub fn new(emit: E) -> Self {
        Self::with_period(emit, QUIET_LINE_EVERY)
    }

    fn with_period(emit: E, every: Duration) -> Self {
        Self {
            emit,
            every,
            state: Mutex::new((Instant::now(), BTreeMap::new())),
        }
    }

    fn prefix(label: &str, d: &Deployment) -> String {
        if label.is_empty() {
            format!("{} {}", d.connector_name, d.connector_version)
        } else {
            format!("{label}  {} {}", d.connector_name, d.connector_version)
        }
    }

    /// Say that the zip is being uploaded (`zip` bytes) to `label`.
    pub fn upload(&self, label: &str, zip: &ConnectorZip) {
        let prefix = if label.is_empty() {
            format!("{} {}", zip.name(), zip.version())
        } else {
            format!("{label}  {} {}", zip.name(), zip.version())
        };
        if let Ok(mut guard) = self.state.lock() {
            guard.0 = Instant::now();
            let track = guard.1.entry(label.to_owned()).or_default();
            track.uploading = Some(prefix.clone());
            track.last = None;
        }
        (self.emit)(&format!("{prefix}  uploading ({} bytes)", zip.len()));
    }

    /// Record a state (an upload answer or a polled state) and print its
    /// line.
    pub fn state(&self, label: &str, d: &Deployment) {
        let text = {
            let Ok(mut guard) = self.state.lock() else {
                return;
            };
            let (last_line, tracks) = &mut *guard;
            *last_line = Instant::now();
            let track = tracks.entry(label.to_owned()).or_default();
            let prefix = Self::prefix(label, d);
            let text = if d.repeat {
                track.skipped.push(d.id.clone());
                format!(
                    "{prefix}  upload skipped: deployment {} is already in progress ({}); waiting for it to end, then uploading again",
                    d.id, d.status
                )
            } else if track.skipped.contains(&d.id) {
                let then = if d.is_terminal() {
                    // The next thing is an upload.
                    track.uploading = Some(prefix.clone());
                    "; uploading again"
                } else {
                    ""
                };
                format!(
                    "{prefix}  {} (deployment {}, in progress before ours){then}",
                    d.status, d.id
                )
            } else {
                let first = track.own.as_deref() != Some(d.id.as_str());
                track.own = Some(d.id.clone());
                track.done = d.is_terminal();
                if first {
                    format!("{prefix}  {} (deployment {})", d.status, d.id)
                } else {
                    format!("{prefix}  {}", d.status)
                }
            };
            track.last = (!(track.skipped.contains(&d.id) && d.is_terminal())).then(|| d.clone());
            text
        };
        (self.emit)(&text);
    }

    /// The ids of a wait: ours, and those Tray skipped our upload for.
    fn ids(&self, label: &str) -> (Option<String>, Vec<String>) {
        match self.state.lock() {
            Ok(guard) => guard
                .1
                .get(label)
                .map(|t| (t.own.clone(), t.skipped.clone()))
                .unwrap_or_default(),
            Err(_) => (None, Vec::new()),
        }
    }

    /// Print a line for each unfinished wait whenever nothing was printed
    /// for [`QUIET_LINE_EVERY`] (a timer: a poll that hangs does not stop
    /// it); never returns.
    pub async fn remind(&self) -> std::convert::Infallible {
        loop {
            let due = match self.state.lock() {
                Ok(guard) => guard.0 + self.every,
                Err(_) => Instant::now() + self.every,
            };
            tokio::time::sleep_until(due).await;
            let mut texts = Vec::new();
            if let Ok(mut guard) = self.state.lock() {
                let (last_line, tracks) = &mut *guard;
                if Instant::now() < *last_line + self.every {
                    continue;
                }
                *last_line = Instant::now();
                for (label, track) in tracks.iter().filter(|(_, t)| !t.done) {
                    match (&track.last, &track.uploading) {
                        (Some(d), _) => texts.push(format!(
                            "{}  still {} (deployment {})",
                            Self::prefix(label, d),
                            d.status,
                            d.id
                        )),
                        (None, Some(prefix)) => texts.push(format!("{prefix}  still uploading")),
                        (None, None) => {}
                    }
                }
            }
            for text in texts {
                (self.emit)(&text);
            }
        }
    }

    /// Follow one wait's states to its end, printing lines, with reminders
    /// while nothing changes. `known` is the state a plain wait starts from
    /// (printed first), `label` the region of a multi-region deploy.
    pub async fn follow(
        &self,
        label: &str,
        mut states: BoxStream<'_, Result<Deployment, tray_api::Error>>,
        known: Option<&Deployment>,
    ) -> Outcome {
        if let Some(d) = known {
            self.state(label, d);
        }
        let work = async {
            let mut result = Err(tray_api::Error::Local {
                message: "the wait ended without a deployment".into(),
            });
            while let Some(state) = states.next().await {
                result = state.inspect(|d| self.state(label, d));
            }
            result
        };
        let result = tokio::select! {
            result = work => result,
            never = self.remind() => match never {},
        };
        let (own, skipped_for) = self.ids(label);
        Outcome {
            result,
            own,
            skipped_for,
        }
    }
}

/// How to resume or check after a timeout: the command to run, with the
/// `--region`/`--profile` used when not the default.
pub struct Resume {
    name: String,
    version: String,
    flags: String,
}

impl Resume {
    /// For the single target of a command.
    pub fn new(ctx: &Context, name: &str, version: &str) -> Self {
        let mut flags = String::new();
        if let [region] = ctx.global.region.as_slice()
            && *region != tray_api::Region::Us
        {
            flags.push_str(&format!(" --region {region}"));
        }
        if let [profile] = ctx.global.profile.as_slice() {
            flags.push_str(&format!(" --profile {profile}"));
        }
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            flags,
        }
    }

    /// For one target of a multi-region deploy.
    fn target(name: &str, version: &str, label: &str, profiles: bool) -> Self {
        let flags = if profiles {
            format!(" --profile {label}")
        } else if label == tray_api::Region::Us.to_string() {
            String::new()
        } else {
            format!(" --region {label}")
        };
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            flags,
        }
    }

    fn hint(&self, own: Option<&str>, skipped: &[String]) -> String {
        let Self {
            name,
            version,
            flags,
        } = self;
        match (own, skipped.last()) {
            (Some(id), _) => {
                format!(
                    "to resume waiting: tray deployment get {name} {version} {id} --wait{flags}"
                )
            }
            (None, Some(running)) => format!(
                "this zip was not deployed (Tray skipped the upload while deployment {running} ran): deploy again with `tray deployment create --wait{flags}`"
            ),
            (None, None) => format!(
                "the upload's outcome is unknown: check with `tray deployment get {name} {version} latest{flags}`"
            ),
        }
    }

    /// The JSON document of a timeout that saw no deployment.
    fn unseen(&self) -> serde_json::Value {
        serde_json::json!({
            "connectorName": self.name,
            "connectorVersion": self.version,
        })
    }
}

/// A deployment as printed by `-o json`: Tray's body (unknown fields
/// included), plus `"skippedFor"` (when Tray skipped an upload of this
/// command) and `"timedOut": true` (when the command gave up waiting).
fn document(
    deployment: &serde_json::Value,
    skipped: &[String],
    timed_out: bool,
) -> serde_json::Value {
    let mut document = deployment.clone();
    if let Some(map) = document.as_object_mut() {
        if !skipped.is_empty() {
            map.insert("skippedFor".into(), serde_json::json!(skipped));
        }
        if timed_out {
            map.insert("timedOut".into(), serde_json::Value::Bool(true));
        }
    }
    document
}

fn body(deployment: &Deployment) -> serde_json::Value {
    serde_json::to_value(deployment).unwrap_or(serde_json::Value::Null)
}

/// Print the end of a wait (or a read deployment) and pick the exit status.
fn finish(printer: Printer, outcome: Outcome, resume: &Resume) -> CmdResult {
    let skipped = &outcome.skipped_for;
    match outcome.result {
        Ok(deployment) if deployment.status != DeploymentStatus::Failed => {
            printer.line(format!(
                "{} {}: {} (deployment {})",
                deployment.connector_name,
                deployment.connector_version,
                deployment.status,
                deployment.id
            ))?;
            if !skipped.is_empty() {
                printer.line(format!(
                    "Tray skipped an upload while deployment {} ran; deployment {} holds the zip this command uploaded",
                    skipped.join(", "),
                    deployment.id
                ))?;
            }
            printer.json(&document(&body(&deployment), skipped, false))
        }
        Ok(deployment) => {
            printer.json(&document(&body(&deployment), skipped, false))?;
            Err(failed(&deployment))
        }
        Err(tray_api::Error::DeploymentFailed { deployment }) => {
            printer.json(&document(&body(&deployment), skipped, false))?;
            Err(failed(&deployment))
        }
        Err(error @ tray_api::Error::Timeout { .. }) => {
            let seen = match &error {
                tray_api::Error::Timeout {
                    last: Some(last), ..
                } => body(last),
                _ => resume.unseen(),
            };
            printer.json(&document(&seen, skipped, true))?;
            let mut failure = Failure::from_ref(&error);
            failure.hint = Some(resume.hint(outcome.own.as_deref(), skipped));
            Err(failure)
        }
        Err(error @ tray_api::Error::Busy { .. }) => Err(busy(&error)),
        Err(error) => Err(error.into()),
    }
}

fn busy(error: &tray_api::Error) -> Failure {
    let mut failure = Failure::from_ref(error);
    failure.hint = Some(
        "wait for it to end and deploy again, or use --if-busy wait (the default), which does that"
            .into(),
    );
    failure
}

fn failed(deployment: &Deployment) -> Failure {
    Failure::new(
        failure::DEPLOYMENT_FAILED,
        format!(
            "deployment {} of {} {} failed",
            deployment.id, deployment.connector_name, deployment.connector_version
        ),
    )
    .with_hint("check the connector builds and its tests pass (`tray-cdk connector build`)")
}

async fn create_many(
    printer: Printer,
    targets: Vec<crate::context::Target>,
    zip: &ConnectorZip,
    args: &CreateWaitArgs,
) -> CmdResult {
    let wait = &args.wait;
    let labels: Vec<String> = targets.iter().map(|t| t.label.clone()).collect();
    // Labels are profile names when the targets came from --profile.
    let profiles = targets.iter().any(|t| {
        tray_api::Region::all()
            .iter()
            .all(|r| r.to_string() != t.label)
    });
    printer.note(format!(
        "deploying {} {} to {}",
        zip.name(),
        zip.version(),
        labels.join(", ")
    ));
    let progress = printer.progress(format!("deploying to {}", labels.join(", ")));
    let lines = Lines::new(|text: &str| progress.event(&printer, text));
    // `--timeout` counts from the start of the command.
    let options = wait.wait.then(|| {
        wait_options(wait, args.if_busy)
            .with_timeout(command_deadline(printer, wait).saturating_duration_since(Instant::now()))
    });
    if wait.wait {
        for label in &labels {
            lines.upload(label, zip);
        }
    }
    let run = tray_api::deploy_to_regions(
        targets.into_iter().map(|t| (t.label, t.client)).collect(),
        zip,
        options,
        |region: &str, d: &Deployment| {
            if wait.wait {
                lines.state(region, d);
            }
        },
    );
    let outcomes = tokio::select! {
        outcomes = run => outcomes,
        never = lines.remind(), if wait.wait => match never {},
    };
    progress.finish();
    let mut first_failure: Option<Failure> = None;
    for outcome in &outcomes {
        let resume = Resume::target(zip.name(), zip.version(), &outcome.region, profiles);
        match &outcome.result {
            Ok(deployment) => {
                let note = if deployment.repeat {
                    if !printer.quiet {
                        eprintln!(
                            "warning: {}: Tray skipped this upload: deployment {} is already in progress (repeatDeployment), so this zip was not deployed there",
                            outcome.region, deployment.id
                        );
                    }
                    " (upload skipped: already in progress)".to_owned()
                } else if !outcome.skipped_for.is_empty() {
                    format!(" (uploaded again after {})", outcome.skipped_for.join(", "))
                } else {
                    String::new()
                };
                printer.line(format!(
                    "{}: {} {} {} (deployment {}){note}",
                    outcome.region,
                    deployment.connector_name,
                    deployment.connector_version,
                    deployment.status,
                    deployment.id
                ))?;
                if deployment.status == DeploymentStatus::Failed && first_failure.is_none() {
                    first_failure = Some(failed(deployment));
                }
            }
            Err(error) => {
                if let tray_api::Error::DeploymentFailed { deployment } = error {
                    printer.line(format!(
                        "{}: Failed (deployment {})",
                        outcome.region, deployment.id
                    ))?;
                } else {
                    printer.line(format!("{}: error: {error}", outcome.region))?;
                }
                if first_failure.is_none() {
                    let failure = match error {
                        tray_api::Error::DeploymentFailed { deployment } => failed(deployment),
                        tray_api::Error::Busy { .. } => busy(error),
                        tray_api::Error::Timeout { last, .. } => {
                            let own = last
                                .as_ref()
                                .filter(|d| !outcome.skipped_for.contains(&d.id) && !d.repeat)
                                .map(|d| d.id.as_str());
                            let mut failure = Failure::from_ref(error);
                            failure.hint = Some(resume.hint(own, &outcome.skipped_for));
                            failure
                        }
                        _ => Failure::from_ref(error),
                    };
                    first_failure = Some(failure.in_region(&outcome.region));
                }
            }
        }
    }
    // One shape, defined by the library: `RegionOutcome`'s `Serialize`.
    printer.json(&outcomes)?;
    first_failure.map_or(Ok(()), Err)
}

impl DeploymentGet {
    /// `tray deployment get`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self {
            name,
            version,
            id,
            wait,
        } = self;
        let (name, version) = name_and_version(name, version)?;
        let client = ctx.client().await?;
        let printer = ctx.printer;
        let resume = Resume::new(ctx, &name, &version);
        let deployments = client.deployments();
        let read = |result| Outcome {
            result,
            own: Some(id.clone()),
            skipped_for: Vec::new(),
        };
        if !wait.wait {
            let deployment = deployments.get(&name, &version, &id).await?;
            return finish(printer, read(Ok(deployment)), &resume);
        }
        let deadline = command_deadline(printer, &wait);
        let first =
            match tokio::time::timeout_at(deadline, deployments.get(&name, &version, &id)).await {
                Ok(result) => result,
                Err(_) => Err(tray_api::Error::Timeout {
                    what: format!("deployment {id} of {name}@{version}"),
                    elapsed: printer.started.elapsed(),
                    last: None,
                }),
            };
        let deployment = match first {
            Ok(deployment) if !deployment.is_terminal() => deployment,
            other => return finish(printer, read(other), &resume),
        };
        let progress = printer.progress(format!("{name} {version}: {}", deployment.status));
        let lines = Lines::new(|text: &str| progress.event(&printer, text));
        let states = deployments
            .wait(&deployment)
            .interval(wait.interval)
            .deadline(deadline)
            .watch();
        let outcome = lines.follow("", states, Some(&deployment)).await;
        progress.finish();
        finish(printer, outcome, &resume)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn d(id: &str, status: DeploymentStatus) -> Deployment {
        Deployment::new(id, status, "acme-crm", "1.0")
    }

    /// What [`timed_lines`] printed.
    type Seen = Arc<Mutex<Vec<String>>>;

    /// Lines that record what they print as `"{seconds since start}s {text}"`.
    fn timed_lines(start: Instant) -> (Seen, Lines<impl Fn(&str)>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let lines = Lines::new(move |text: &str| {
            sink.lock()
                .unwrap()
                .push(format!("{}s {text}", start.elapsed().as_secs()));
        });
        (seen, lines)
    }

    /// A reminder line comes every 30 s while nothing changes, even when
    /// the next state takes minutes (a hanging poll), and not when states
    /// keep coming.
    #[tokio::test(start_paused = true)]
    async fn quiet_waits_get_a_line_every_30_seconds() {
        let start = Instant::now();
        let (seen, lines) = timed_lines(start);
        let states = futures::stream::iter(vec![
            (0, d("d-1", DeploymentStatus::Deploying)),
            (10, d("d-1", DeploymentStatus::Unknown("Queued".into()))),
            (95, d("d-1", DeploymentStatus::Building)),
            (100, d("d-1", DeploymentStatus::Deployed)),
        ])
        .then(move |(at, state)| async move {
            tokio::time::sleep_until(start + Duration::from_secs(at)).await;
            Ok(state)
        })
        .boxed();
        let outcome = lines.follow("", states, None).await;
        assert_eq!(outcome.result.unwrap().status, DeploymentStatus::Deployed);
        assert_eq!(outcome.own.as_deref(), Some("d-1"));
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "0s acme-crm 1.0  Deploying (deployment d-1)",
                "10s acme-crm 1.0  Queued",
                "40s acme-crm 1.0  still Queued (deployment d-1)",
                "70s acme-crm 1.0  still Queued (deployment d-1)",
                "95s acme-crm 1.0  Building",
                "100s acme-crm 1.0  Deployed",
            ]
        );
    }

    /// An upload that hangs gets reminders too.
    #[tokio::test(start_paused = true)]
    async fn a_hanging_upload_gets_a_line_every_30_seconds() {
        let start = Instant::now();
        let (seen, lines) = timed_lines(start);
        let zip = ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip("acme-crm", "1.0"))
            .unwrap();
        lines.upload("us", &zip);
        let states = futures::stream::once(async move {
            tokio::time::sleep_until(start + Duration::from_secs(65)).await;
            Ok(d("d-1", DeploymentStatus::Deployed))
        })
        .boxed();
        lines.follow("us", states, None).await;
        assert_eq!(
            *seen.lock().unwrap(),
            [
                format!("0s us  acme-crm 1.0  uploading ({} bytes)", zip.len()),
                "30s us  acme-crm 1.0  still uploading".to_owned(),
                "60s us  acme-crm 1.0  still uploading".to_owned(),
                "65s us  acme-crm 1.0  Deployed (deployment d-1)".to_owned(),
            ]
        );
    }

    /// A skipped upload: the running deployment's states are marked as not
    /// ours, and the ids come back in the outcome.
    #[tokio::test(start_paused = true)]
    async fn skipped_uploads_are_told_apart_from_ours() {
        let seen = Mutex::new(Vec::new());
        let lines = Lines::new(|text: &str| seen.lock().unwrap().push(text.to_owned()));
        let mut skipped = d("old", DeploymentStatus::Building);
        skipped.repeat = true;
        let states = futures::stream::iter(vec![
            Ok(skipped),
            Ok(d("old", DeploymentStatus::Deployed)),
            Ok(d("new", DeploymentStatus::Deploying)),
            Ok(d("new", DeploymentStatus::Deployed)),
        ])
        .boxed();
        let outcome = lines.follow("eu", states, None).await;
        assert_eq!(outcome.own.as_deref(), Some("new"));
        assert_eq!(outcome.skipped_for, ["old"]);
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "eu  acme-crm 1.0  upload skipped: deployment old is already in progress (Building); waiting for it to end, then uploading again",
                "eu  acme-crm 1.0  Deployed (deployment old, in progress before ours); uploading again",
                "eu  acme-crm 1.0  Deploying (deployment new)",
                "eu  acme-crm 1.0  Deployed",
            ]
        );
    }
}
