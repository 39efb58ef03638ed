//! Faults injected on demand (`--fault ROUTE=KIND[@RATE]`) and Tray's rate limit.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::SandboxError;

/// The endpoint (or all of them) a [`Fault`] applies to.
///
/// | name | endpoint |
/// |---|---|
/// | `*` | every request, including unknown paths |
/// | `deploy` | `POST /cdk/v1/deployments/connectors/{name}/versions/{version}/deploy-connector-from-source` |
/// | `status` | `GET /cdk/v1/deployments/connectors/{name}/versions/{version}/{id}` |
/// | `share` | `POST /cdk/v1/permissions/connectors/{name}/versions/{version}/share-with-emails` |
/// | `create-version` | `POST /core/v1/projects/{projectId}/versions/{versionNumber}` |
/// | `list-versions` | `GET /core/v1/projects/{projectId}/versions` |
/// | `export` | `GET /core/v1/projects/{projectId}/versions/{versionNumber}/export` |
/// | `import-requirements` | `POST /core/v1/projects/{projectId}/imports/requirements` |
/// | `import-preview` | `POST /core/v1/projects/{projectId}/imports/previews` |
/// | `import` | `POST /core/v1/projects/{projectId}/imports` |
/// | `release-preview` | `POST /core/v1/solutions/{solutionId}/releases/previews` |
/// | `release` | `POST /core/v1/solutions/{solutionId}/releases` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// Every request.
    All,
    /// Deploy a connector.
    Deploy,
    /// Read a deployment status.
    Status,
    /// Share a connector version with emails.
    Share,
    /// Create a project version.
    CreateVersion,
    /// List project versions.
    ListVersions,
    /// Export a project version.
    Export,
    /// Import requirements.
    ImportRequirements,
    /// Import preview.
    ImportPreview,
    /// Import.
    Import,
    /// Solution release preview.
    ReleasePreview,
    /// Solution release.
    Release,
}

impl Route {
    /// Every route, in the order of the table above.
    pub const ALL: &'static [Route] = &[
        Route::All,
        Route::Deploy,
        Route::Status,
        Route::Share,
        Route::CreateVersion,
        Route::ListVersions,
        Route::Export,
        Route::ImportRequirements,
        Route::ImportPreview,
        Route::Import,
        Route::ReleasePreview,
        Route::Release,
    ];

    /// The name used in fault specifications.
    ///
    /// ```
    /// assert_eq!(tray_sandbox::Route::CreateVersion.as_str(), "create-version");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Route::All => "*",
            Route::Deploy => "deploy",
            Route::Status => "status",
            Route::Share => "share",
            Route::CreateVersion => "create-version",
            Route::ListVersions => "list-versions",
            Route::Export => "export",
            Route::ImportRequirements => "import-requirements",
            Route::ImportPreview => "import-preview",
            Route::Import => "import",
            Route::ReleasePreview => "release-preview",
            Route::Release => "release",
        }
    }

    /// Whether a fault on `self` applies to a request of `route` (`None`:
    /// a path the sandbox does not serve).
    pub(crate) fn covers(self, route: Option<Route>) -> bool {
        self == Route::All || Some(self) == route
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Route {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .iter()
            .copied()
            .find(|route| route.as_str() == value)
            .ok_or_else(|| {
                let names: Vec<&str> = Route::ALL.iter().map(|route| route.as_str()).collect();
                format!(
                    "unknown route {value:?} (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// The name of every [`FaultKind`] in the `--fault` syntax, in the order
/// of its variants (`DUR` stands for a duration such as `300ms`).
///
/// ```
/// for name in tray_sandbox::FAULT_KINDS {
///     let name = name.replace("DUR", "300ms");
///     assert!(name.parse::<tray_sandbox::FaultKind>().is_ok(), "{name}");
/// }
/// ```
pub const FAULT_KINDS: &[&str] = &[
    "latency:DUR",
    "429",
    "500",
    "html502",
    "reset",
    "truncated",
    "unknown-status",
];

/// What a [`Fault`] does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Waits this long, then answers normally (`latency:300ms`).
    Latency(Duration),
    /// Answers 429 with Tray's error body and no `Retry-After` (`429`).
    TooManyRequests,
    /// Answers 500 with Tray's error body (`500`).
    InternalError,
    /// Answers 502 with an HTML page, as a load balancer does (`html502`).
    Html502,
    /// Closes the connection without answering (`reset`).
    Reset,
    /// Handles the request, then answers 200 with the JSON body cut in
    /// half (`truncated`).
    Truncated,
    /// Deployment status reads (and deploy answers) report `Queued`, a
    /// status Tray does not document (`unknown-status`).
    UnknownStatus,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::Latency(duration) => {
                write!(f, "latency:{}", humantime::format_duration(*duration))
            }
            FaultKind::TooManyRequests => f.write_str("429"),
            FaultKind::InternalError => f.write_str("500"),
            FaultKind::Html502 => f.write_str("html502"),
            FaultKind::Reset => f.write_str("reset"),
            FaultKind::Truncated => f.write_str("truncated"),
            FaultKind::UnknownStatus => f.write_str("unknown-status"),
        }
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if let Some(duration) = value.strip_prefix("latency:") {
            return humantime::parse_duration(duration)
                .map(FaultKind::Latency)
                .map_err(|error| format!("bad latency {duration:?}: {error}"));
        }
        match value {
            "429" => Ok(FaultKind::TooManyRequests),
            "500" => Ok(FaultKind::InternalError),
            "html502" | "502" => Ok(FaultKind::Html502),
            "reset" => Ok(FaultKind::Reset),
            "truncated" => Ok(FaultKind::Truncated),
            "unknown-status" | "unknown" => Ok(FaultKind::UnknownStatus),
            other => Err(format!(
                "unknown fault kind {other:?} (expected latency:DUR, 429, 500, html502, reset, truncated or unknown-status)"
            )),
        }
    }
}

/// A fault injected into the requests of one route (or all of them).
///
/// Parsed from the `--fault` syntax `ROUTE=KIND[@RATE]`: `ROUTE` is a
/// [`Route`] name, `KIND` one of `latency:DUR`, `429`, `500`, `html502`,
/// `reset`, `truncated`, `unknown-status`, and `RATE` the fraction of
/// matching requests affected (default `1.0`). The rate is applied
/// deterministically: with `@0.5` exactly every second matching request is
/// affected, starting with the second.
///
/// ```
/// use std::time::Duration;
/// use tray_sandbox::{Fault, FaultKind, Route};
///
/// let fault: Fault = "status=latency:300ms".parse().unwrap();
/// assert_eq!(fault.route, Route::Status);
/// assert_eq!(fault.kind, FaultKind::Latency(Duration::from_millis(300)));
/// assert_eq!(fault.rate, 1.0);
///
/// let fault: Fault = "*=html502@0.5".parse().unwrap();
/// assert_eq!((fault.route, fault.kind, fault.rate), (Route::All, FaultKind::Html502, 0.5));
/// assert_eq!(fault.to_string(), "*=html502@0.5");
/// assert!("deploy=teapot".parse::<Fault>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    /// The route it applies to.
    pub route: Route,
    /// What it does.
    pub kind: FaultKind,
    /// The fraction of matching requests it affects, in `0.0..=1.0`.
    pub rate: f64,
}

impl Fault {
    /// A fault affecting every matching request.
    pub fn new(route: Route, kind: FaultKind) -> Self {
        Fault {
            route,
            kind,
            rate: 1.0,
        }
    }

    /// The same fault affecting only a fraction of matching requests
    /// (clamped to `0.0..=1.0`).
    pub fn with_rate(mut self, rate: f64) -> Self {
        self.rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.route, self.kind)?;
        if self.rate < 1.0 {
            write!(f, "@{}", self.rate)?;
        }
        Ok(())
    }
}

impl FromStr for Fault {
    type Err = SandboxError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let error = |message: String| SandboxError::FaultSpec {
            spec: spec.to_owned(),
            message,
        };
        let (route, rest) = spec
            .split_once('=')
            .ok_or_else(|| error("expected ROUTE=KIND[@RATE]".to_owned()))?;
        let route: Route = route.trim().parse().map_err(error)?;
        let (kind, rate) = match rest.rsplit_once('@') {
            Some((kind, rate)) => {
                let rate: f64 = rate
                    .trim()
                    .parse()
                    .map_err(|_| error(format!("bad rate {rate:?}")))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err(error(format!("rate {rate} is not between 0 and 1")));
                }
                (kind, rate)
            }
            None => (rest, 1.0),
        };
        let kind: FaultKind = kind.trim().parse().map_err(error)?;
        Ok(Fault { route, kind, rate })
    }
}

/// A fault and how many matching requests it has seen.
#[derive(Debug)]
struct ActiveFault {
    fault: Fault,
    seen: AtomicU64,
}

impl ActiveFault {
    /// Whether this matching request is affected: exactly `rate` of them are.
    fn fires(&self) -> bool {
        let n = self.seen.fetch_add(1, Ordering::Relaxed) as f64;
        ((n + 1.0) * self.fault.rate).floor() > (n * self.fault.rate).floor()
    }
}

/// What the faults decided for one request.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct FaultPlan {
    /// Total added latency.
    pub latency: Duration,
    /// The first non-latency fault that fired.
    pub action: Option<FaultKind>,
}

/// The faults in force, changeable at run time.
#[derive(Debug, Default)]
pub(crate) struct FaultSet {
    faults: std::sync::RwLock<Vec<ActiveFault>>,
}

impl FaultSet {
    pub(crate) fn new(faults: Vec<Fault>) -> Self {
        let set = FaultSet::default();
        set.replace(faults);
        set
    }

    pub(crate) fn replace(&self, faults: Vec<Fault>) {
        let active = faults
            .into_iter()
            .map(|fault| ActiveFault {
                fault,
                seen: AtomicU64::new(0),
            })
            .collect();
        match self.faults.write() {
            Ok(mut guard) => *guard = active,
            Err(poisoned) => *poisoned.into_inner() = active,
        }
    }

    pub(crate) fn plan(&self, route: Option<Route>) -> FaultPlan {
        let guard = match self.faults.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut plan = FaultPlan::default();
        for active in guard
            .iter()
            .filter(|active| active.fault.route.covers(route))
        {
            if !active.fires() {
                continue;
            }
            match active.fault.kind {
                FaultKind::Latency(duration) => plan.latency += duration,
                kind => {
                    if plan.action.is_none() {
                        plan.action = Some(kind);
                    }
                }
            }
        }
        plan
    }
}

/// Tray's documented limit: 30 requests/s, bursts of up to 50.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    bucket: Mutex<(f64, Instant)>,
}

impl RateLimiter {
    /// Sustained rate, requests per second.
    pub(crate) const RATE: f64 = 30.0;
    /// Bucket size.
    pub(crate) const BURST: f64 = 50.0;

    pub(crate) fn new() -> Self {
        RateLimiter {
            bucket: Mutex::new((Self::BURST, Instant::now())),
        }
    }

    /// Takes a token; `false` when the bucket is empty.
    pub(crate) fn allow(&self) -> bool {
        let mut guard = match self.bucket.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let (tokens, last) = *guard;
        let refilled =
            (tokens + now.duration_since(last).as_secs_f64() * Self::RATE).min(Self::BURST);
        if refilled >= 1.0 {
            *guard = (refilled - 1.0, now);
            true
        } else {
            *guard = (refilled, now);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn rate_is_exact() {
        let set = FaultSet::new(vec![
            Fault::new(Route::Status, FaultKind::InternalError).with_rate(0.25),
        ]);
        let fired = (0..100)
            .filter(|_| set.plan(Some(Route::Status)).action.is_some())
            .count();
        assert_eq!(fired, 25);
        assert!(set.plan(Some(Route::Deploy)).action.is_none());
    }

    #[test]
    fn parses_every_kind() {
        for spec in [
            "deploy=429",
            "status=500",
            "share=html502",
            "export=reset",
            "import=truncated",
            "status=unknown-status",
            "release=latency:1s@0.5",
        ] {
            let fault: Fault = spec.parse().unwrap();
            assert_eq!(fault.to_string(), spec);
        }
        assert!("nowhere=429".parse::<Fault>().is_err());
        assert!("deploy=429@2".parse::<Fault>().is_err());
        assert!("deploy".parse::<Fault>().is_err());
    }

    #[test]
    fn bucket_allows_burst_then_limits() {
        let limiter = RateLimiter::new();
        let allowed = (0..80).filter(|_| limiter.allow()).count();
        assert!((50..=52).contains(&allowed), "{allowed}");
    }
}
