//! The request pipeline every call goes through: client-side rate limiter,
//! retries with exponential backoff and jitter, and a `tracing` span per
//! attempt.
//!
//! # Which calls are retried
//!
//! | operation | 429 | 502/503/504 | 500 | connect error | other transport error |
//! |---|---|---|---|---|---|
//! | reads: `get_deployment`, `list_project_versions`, `export_project_version`; previews (`get_project_import_requirements`, `preview_project_import`, `preview_solution_release`, POSTs without side effects) | yes | yes | yes | yes | yes |
//! | `deploy_connector` (Tray skips a deploy while one is in progress: `repeatDeployment`) | yes | yes | yes | yes | yes |
//! | `share_with_emails` (sharing twice gives the same permissions) | yes | yes | yes | yes | yes |
//! | `create_project_version`, `import_project`, `create_solution_release` | yes | **no** | **no** | yes | **no** |
//! | any other operation (requests you send yourself) | yes | GET only | GET only | yes | GET only |
//! | [`Client::custom`](crate::Client::custom): GET/HEAD, or [`RetryPolicy::Always`](crate::RetryPolicy) | yes | yes | yes | yes | yes |
//! | [`Client::custom`](crate::Client::custom): other methods, or [`RetryPolicy::Never`](crate::RetryPolicy) | **no** | **no** | **no** | **no** | **no** |
//!
//! The non-idempotent calls are retried only when the request surely did
//! not do anything: a connection that could not be opened, or a 429, which
//! Tray answers before doing any work. A timeout, a reset connection or a
//! 5xx may come after the server acted, so those are returned to the caller.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tracing::Instrument;
use tray_api_raw::{Executor, ExecutorFuture};

/// Retry settings: exponential backoff with jitter, bounded in count and in
/// total time. [`RetryConfig::disabled`] turns retries off.
///
/// ```
/// use std::time::Duration;
/// use tray_api::RetryConfig;
/// let retry = RetryConfig::default()
///     .with_max_retries(5)
///     .with_initial_backoff(Duration::from_millis(200));
/// assert_eq!(retry.max_retries, 5);
/// assert_eq!(RetryConfig::disabled().max_retries, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (0 disables retries). Default 4.
    pub max_retries: u32,
    /// The first backoff. Default 500 ms; doubles on every retry.
    pub initial_backoff: Duration,
    /// The longest single backoff. Default 10 s.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt.
    /// Default 60 s.
    pub max_elapsed: Duration,
    /// Randomize each backoff between half and all of its value (default
    /// on), so that clients that failed together do not retry together.
    pub jitter: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    ///
    /// ```
    /// let client = tray_api::Client::builder()
    ///     .retry(tray_api::RetryConfig::disabled())
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Set [`RetryConfig::max_retries`].
    ///
    /// ```
    /// assert_eq!(tray_api::RetryConfig::default().with_max_retries(2).max_retries, 2);
    /// ```
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Set [`RetryConfig::initial_backoff`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let retry = tray_api::RetryConfig::default().with_initial_backoff(Duration::from_millis(10));
    /// assert_eq!(retry.initial_backoff, Duration::from_millis(10));
    /// ```
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Set [`RetryConfig::max_backoff`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let retry = tray_api::RetryConfig::default().with_max_backoff(Duration::from_secs(1));
    /// assert_eq!(retry.max_backoff, Duration::from_secs(1));
    /// ```
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Set [`RetryConfig::max_elapsed`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let retry = tray_api::RetryConfig::default().with_max_elapsed(Duration::from_secs(5));
    /// assert_eq!(retry.max_elapsed, Duration::from_secs(5));
    /// ```
    pub fn with_max_elapsed(mut self, max_elapsed: Duration) -> Self {
        self.max_elapsed = max_elapsed;
        self
    }

    /// Set [`RetryConfig::jitter`].
    ///
    /// ```
    /// assert!(!tray_api::RetryConfig::default().with_jitter(false).jitter);
    /// ```
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The backoff before retry number `retry` (0-based).
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(20));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        if !self.jitter || base.is_zero() {
            return base;
        }
        let nanos = u64::try_from(base.as_nanos()).unwrap_or(u64::MAX);
        let half = nanos / 2;
        Duration::from_nanos(half + rand::random_range(0..=nanos - half))
    }
}

/// Client-side rate limit: a steady rate with a burst allowance (a GCRA
/// token bucket). The default is Tray's documented limit, 30 requests per
/// second with bursts of 50. Pass `None` to
/// [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit) to turn it
/// off.
///
/// ```
/// use std::num::NonZeroU32;
/// let limit = tray_api::RateLimit::new(NonZeroU32::new(10).unwrap(), NonZeroU32::new(10).unwrap());
/// assert_eq!(limit.per_second.get(), 10);
/// assert_eq!(tray_api::RateLimit::default().burst.get(), 50);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once after a quiet period.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// A limit of `per_second` with bursts of `burst`.
    ///
    /// ```
    /// # use std::num::NonZeroU32;
    /// let limit = tray_api::RateLimit::new(NonZeroU32::MIN, NonZeroU32::MIN);
    /// # let _ = limit;
    /// ```
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        Self { per_second, burst }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN),
            burst: NonZeroU32::new(50).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// A governor clock on tokio's time, so the limiter follows
/// `tokio::time::pause` in tests.
#[derive(Debug, Clone)]
struct TokioClock {
    origin: tokio::time::Instant,
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>;

struct RateLimiterHandle {
    limiter: Limiter,
    clock: TokioClock,
}

impl RateLimiterHandle {
    fn new(limit: RateLimit) -> Self {
        let clock = TokioClock {
            origin: tokio::time::Instant::now(),
        };
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Self {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
        }
    }

    async fn until_ready(&self) {
        loop {
            match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    let wait = if wait.is_zero() {
                        Duration::from_millis(1)
                    } else {
                        wait
                    };
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// How far an operation may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idempotency {
    /// Repeating is harmless: retry 429, 5xx and every transport error.
    Idempotent,
    /// Retry only when the request surely did nothing: 429 and connect errors.
    NonIdempotent,
    /// Send exactly once ([`RetryPolicy::Never`](crate::RetryPolicy), and
    /// custom requests other than GET/HEAD by default).
    Never,
}

fn idempotency(operation: &str, method: &reqwest::Method) -> Idempotency {
    match operation {
        "get_deployment"
        | "list_project_versions"
        | "export_project_version"
        | "get_project_import_requirements"
        | "preview_project_import"
        | "preview_solution_release"
        | "deploy_connector" => Idempotency::Idempotent,
        // A repeated share would answer "0 permissions added" for what the
        // first attempt did, so it is retried only when that surely failed.
        "create_project_version"
        | "import_project"
        | "create_solution_release"
        | "share_with_emails" => Idempotency::NonIdempotent,
        crate::custom::OPERATION_ONCE => Idempotency::Never,
        crate::custom::OPERATION_RETRY => Idempotency::Idempotent,
        _ if method == reqwest::Method::GET || method == reqwest::Method::HEAD => {
            Idempotency::Idempotent
        }
        _ => Idempotency::NonIdempotent,
    }
}

fn retry_status(kind: Idempotency, status: u16) -> bool {
    match status {
        _ if kind == Idempotency::Never => false,
        429 => true,
        500 | 502..=504 => kind == Idempotency::Idempotent,
        _ => false,
    }
}

fn retry_error(kind: Idempotency, error: &reqwest::Error) -> bool {
    match kind {
        Idempotency::Never => false,
        Idempotency::NonIdempotent => error.is_connect(),
        Idempotency::Idempotent => {
            error.is_connect() || error.is_timeout() || error.is_request() || error.is_body()
        }
    }
}

/// The [`Executor`] plugged into every raw client and every hand-built
/// request.
pub(crate) struct Transport {
    limiter: Option<RateLimiterHandle>,
    retry: RetryConfig,
    timeout: Option<Duration>,
}

impl Transport {
    pub(crate) fn new(
        rate_limit: Option<RateLimit>,
        retry: RetryConfig,
        timeout: Option<Duration>,
    ) -> Arc<Self> {
        Arc::new(Self {
            limiter: rate_limit.map(RateLimiterHandle::new),
            retry,
            timeout,
        })
    }

    async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        if request.timeout().is_none() {
            *request.timeout_mut() = self.timeout;
        }
        let kind = idempotency(operation, request.method());
        let method = request.method().clone();
        let path = request.url().path().to_owned();
        let started = tokio::time::Instant::now();
        let mut attempt: u32 = 0;
        let mut current = request;
        loop {
            attempt += 1;
            // Keep a copy for a retry when the body can be replayed (bodies
            // are `Bytes`, so this is cheap).
            let spare = if self.retry.max_retries >= attempt {
                current.try_clone()
            } else {
                None
            };
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let span = tracing::info_span!(
                "tray.request",
                operation,
                method = %method,
                path = %path,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let attempt_started = tokio::time::Instant::now();
            let result = client.execute(current).instrument(span.clone()).await;
            let duration_ms =
                u64::try_from(attempt_started.elapsed().as_millis()).unwrap_or(u64::MAX);
            span.record("duration_ms", duration_ms);
            let retry = match &result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    span.record("status", status);
                    crate::error::record_status(status);
                    span.in_scope(|| tracing::debug!(status, duration_ms, "response"));
                    retry_status(kind, status)
                }
                Err(error) => {
                    span.in_scope(|| {
                        tracing::debug!(duration_ms, error = %error, "request failed");
                    });
                    retry_error(kind, error)
                }
            };
            let Some(spare) = spare.filter(|_| retry) else {
                return result;
            };
            let backoff = self.retry.backoff(attempt - 1);
            if started.elapsed() + backoff > self.retry.max_elapsed {
                return result;
            }
            span.in_scope(|| {
                tracing::info!(
                    backoff_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX),
                    "retrying"
                );
            });
            drop(result);
            tokio::time::sleep(backoff).await;
            current = spare;
        }
    }
}

impl Executor for Transport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecutorFuture<'a> {
        Box::pin(self.run(client, request, operation))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// With tokio's clock paused the limiter is exact: 100 callers get 50
    /// permits at once, then one every 1/30 s.
    #[tokio::test(start_paused = true)]
    async fn limiter_allows_burst_then_rate() {
        let limiter = Arc::new(RateLimiterHandle::new(RateLimit::default()));
        let start = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    limiter.until_ready().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times.sort();
        assert_eq!(times.iter().filter(|t| t.is_zero()).count(), 50);
        let last = times[99].as_secs_f64();
        // 50 more at 30/s: 50/30 s ≈ 1.667 s.
        assert!((1.6..1.75).contains(&last), "{last}");
        for (i, t) in times.iter().enumerate() {
            let allowed = 50.0 + 30.0 * t.as_secs_f64() + 1.0;
            assert!((i + 1) as f64 <= allowed, "{} permits by {t:?}", i + 1);
        }
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let retry = RetryConfig::default().with_jitter(false);
        assert_eq!(retry.backoff(0), Duration::from_millis(500));
        assert_eq!(retry.backoff(1), Duration::from_secs(1));
        assert_eq!(retry.backoff(10), Duration::from_secs(10));
        let jittered = RetryConfig::default();
        for _ in 0..100 {
            let b = jittered.backoff(1);
            assert!(b >= Duration::from_millis(500) && b <= Duration::from_secs(1));
        }
    }

    #[test]
    fn classification() {
        let post = reqwest::Method::POST;
        assert!(retry_status(idempotency("get_deployment", &post), 500));
        assert!(retry_status(idempotency("deploy_connector", &post), 500));
        assert!(!retry_status(idempotency("import_project", &post), 500));
        assert!(!retry_status(idempotency("import_project", &post), 502));
        assert!(retry_status(idempotency("import_project", &post), 429));
        assert!(retry_status(
            idempotency("custom", &reqwest::Method::GET),
            503
        ));
        assert!(!retry_status(idempotency("custom", &post), 503));
        assert!(!retry_status(idempotency("get_deployment", &post), 404));
    }
}
