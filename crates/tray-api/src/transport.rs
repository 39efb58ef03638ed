//! The request pipeline every call goes through: client-side rate limiter,
//! retries with exponential backoff and jitter, and a `tracing` span per
//! attempt.
//!
//! # Which calls are retried
//!
//! The spec decides: each operation in `openapi/*.yaml` says
//! `x-tray-retry: idempotent` or `x-tray-retry: non-idempotent`, and
//! `tray-codegen` turns that into [`tray_api_raw::Operation`]'s
//! [`retry_safety`](tray_api_raw::Operation::retry_safety), which this
//! module reads through [`Operation::from_id`](tray_api_raw::Operation::from_id)
//! (no operation name is written here). The per-operation list is
//! [`tray_api_raw::Operation`]: each variant's documentation gives its
//! method, path and class, generated from the same `x-tray-retry`.
//!
//! | operation | 429 | 500/502/503/504 | connect error | timeout, reset, connection lost mid-body, 2xx body cut off |
//! |---|---|---|---|---|
//! | `x-tray-retry: idempotent` (reads, previews, the deploy: Tray skips a deploy while one is in progress) | yes | yes | yes | yes |
//! | `x-tray-retry: non-idempotent` (creating a version, an import, a release, a share) | yes | **no** | yes | **no** |
//! | an operation the specs do not know (requests you send yourself) | yes | GET only | yes | GET only |
//! | [`Client::custom`](crate::Client::custom): GET/HEAD, or [`RetryPolicy::Always`](crate::RetryPolicy) | yes | yes | yes | yes |
//! | [`Client::custom`](crate::Client::custom): other methods, or [`RetryPolicy::Never`](crate::RetryPolicy) | **no** | **no** | **no** | **no** |
//!
//! The non-idempotent calls are retried only when the request surely did
//! not do anything: a connection that could not be opened, or a 429, which
//! Tray answers before doing any work. A timeout, a lost connection or a
//! 5xx may come after the server acted, so those are returned to the caller
//! (and reported as [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown)).
//!
//! Every buffered answer is read to its end here, inside the retry loop: a
//! connection lost in the middle of the body, or a 2xx JSON body that stops
//! before its end, is a transport failure like a reset before the headers,
//! and is retried for idempotent calls. Streamed answers (an export to a
//! writer) are handed over after the headers.
//!
//! Backoff is `backon`'s exponential builder with jitter, bounded in count
//! ([`RetryConfig::max_retries`]) and in total waiting time
//! ([`RetryConfig::max_elapsed`]).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder, Retryable};
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tracing::Instrument;
use tray_api_raw::{Executor, ExecutorFuture, Operation, RetrySafety};

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
    /// The most time spent waiting between attempts, all backoffs
    /// together: no retry starts that would go past it. Default 60 s.
    pub max_elapsed: Duration,
    /// Randomize each backoff between its value and twice its value
    /// (default on), so that clients that failed together do not retry
    /// together.
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

    /// The backoff policy: `backon`'s exponential builder.
    fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_max_times(usize::try_from(self.max_retries).unwrap_or(usize::MAX))
            .with_total_delay(Some(self.max_elapsed));
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }
}

/// Client-side rate limit: a steady rate with a burst allowance (a GCRA
/// token bucket). The default is Tray's documented limit,
/// [`tray_api_raw::RATE_LIMIT_PER_SECOND`] (30) requests per second with
/// bursts of [`tray_api_raw::RATE_LIMIT_BURST`] (50). Pass `None` to
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

/// A constant that must not be zero; checked at compile time where it is
/// used in a `const` block.
const fn nonzero(n: u32) -> NonZeroU32 {
    assert!(n > 0, "Tray's rate limit must not be zero");
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// Tray's documented limit: [`tray_api_raw::RATE_LIMIT_PER_SECOND`] requests
/// per second with bursts of [`tray_api_raw::RATE_LIMIT_BURST`] (from the
/// specs, the same constants the sandbox enforces).
impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: const { nonzero(tray_api_raw::RATE_LIMIT_PER_SECOND) },
            burst: const { nonzero(tray_api_raw::RATE_LIMIT_BURST) },
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

/// How far a request may be retried: the spec's `x-tray-retry` for a
/// known operation, else by method (GET and HEAD are safe to repeat).
/// `None`: send exactly once (a [`Client::custom`](crate::Client::custom)
/// request with [`RetryPolicy::Never`](crate::RetryPolicy), or of another
/// method than GET/HEAD without [`RetryPolicy::Always`](crate::RetryPolicy)).
fn safety(operation: &str, method: &reqwest::Method) -> Option<RetrySafety> {
    if operation == crate::custom::OPERATION_ONCE {
        return None;
    }
    if operation == crate::custom::OPERATION_RETRY {
        return Some(RetrySafety::Idempotent);
    }
    Some(
        Operation::from_id(operation)
            .map(Operation::retry_safety)
            .unwrap_or(
                if method == reqwest::Method::GET || method == reqwest::Method::HEAD {
                    RetrySafety::Idempotent
                } else {
                    RetrySafety::NonIdempotent
                },
            ),
    )
}

fn retry_status(safety: RetrySafety, status: u16) -> bool {
    match status {
        429 => true,
        500 | 502..=504 => safety == RetrySafety::Idempotent,
        _ => false,
    }
}

fn retry_error(safety: RetrySafety, error: &reqwest::Error) -> bool {
    if error.is_connect() {
        retry_failure(safety, Failure::Connect)
    } else if error.is_timeout() || error.is_request() || error.is_body() || error.is_decode() {
        retry_failure(safety, Failure::Other)
    } else {
        false
    }
}

/// A request that got no (complete) answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// The connection was refused or never made: Tray surely saw nothing.
    Connect,
    /// A timeout, a connection lost while sending or reading: Tray may have
    /// acted on the request.
    Other,
}

fn retry_failure(safety: RetrySafety, failure: Failure) -> bool {
    failure == Failure::Connect || safety == RetrySafety::Idempotent
}

/// What one attempt ended with, when it was not a final answer.
enum Attempt {
    /// An answer that may be worth retrying (429, 5xx, a cut-off body).
    Answer(Box<reqwest::Response>, &'static str),
    /// No (complete) answer.
    Failed(reqwest::Error),
}

impl Attempt {
    fn retryable(&self, safety: RetrySafety) -> bool {
        match self {
            Self::Answer(response, why) => {
                retry_status(safety, response.status().as_u16())
                    || (*why == CUT_OFF && safety == RetrySafety::Idempotent)
            }
            Self::Failed(error) => retry_error(safety, error),
        }
    }

    fn into_result(self) -> reqwest::Result<reqwest::Response> {
        match self {
            Self::Answer(response, _) => Ok(*response),
            Self::Failed(error) => Err(error),
        }
    }
}

const CUT_OFF: &str = "the JSON body is cut off";

/// Reads the whole body of `response` and gives back an equivalent
/// response holding it, or the error that cut the body off.
async fn buffer(response: reqwest::Response) -> reqwest::Result<(reqwest::Response, bool)> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let is_json = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let body = response.bytes().await?;
    // A 2xx JSON answer that stops before its end was cut off on the way
    // (its length matched what was sent, so the HTTP layer did not notice).
    let cut_off = status.is_success()
        && is_json
        && !body.is_empty()
        && serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err_and(|e| e.is_eof());
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok((reqwest::Response::from(rebuilt), cut_off))
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

    /// One attempt: wait for the limiter, send, and (unless `stream`)
    /// read the whole answer.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
        attempt: u32,
        stream: bool,
    ) -> Result<reqwest::Response, Attempt> {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        let span = tracing::info_span!(
            "tray.request",
            operation,
            method = %request.method(),
            path = %request.url().path(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = tokio::time::Instant::now();
        let result = async {
            let response = client.execute(request).await?;
            if stream {
                Ok((response, false))
            } else {
                buffer(response).await
            }
        }
        .instrument(span.clone())
        .await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("duration_ms", duration_ms);
        match result {
            Ok((response, cut_off)) => {
                let status = response.status().as_u16();
                span.record("status", status);
                span.in_scope(|| tracing::debug!(status, duration_ms, cut_off, "response"));
                if cut_off {
                    Err(Attempt::Answer(Box::new(response), CUT_OFF))
                } else if status == 429 || status >= 500 {
                    Err(Attempt::Answer(Box::new(response), "status"))
                } else {
                    Ok(response)
                }
            }
            Err(error) => {
                span.in_scope(|| {
                    tracing::debug!(duration_ms, error = %error, "request failed");
                });
                Err(Attempt::Failed(error))
            }
        }
    }

    /// Sends `request` with the retries its operation allows. With
    /// `stream`, the answer is handed over after its headers (its body is
    /// not read, so a body cut off later is the caller's to report).
    pub(crate) async fn run(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
        stream: bool,
    ) -> reqwest::Result<reqwest::Response> {
        if request.timeout().is_none() {
            *request.timeout_mut() = self.timeout;
        }
        let safety = safety(operation, request.method());
        let counter = std::sync::atomic::AtomicU32::new(0);
        let result = match (safety, request.try_clone()) {
            // Sent once: a body that cannot be replayed (a stream), or a
            // request that must never be repeated.
            (None, _) | (_, None) => self.attempt(client, request, operation, 1, stream).await,
            (Some(safety), Some(_)) => {
                let template = request;
                let attempt = || async {
                    let number = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    match template.try_clone() {
                        Some(request) => {
                            self.attempt(client, request, operation, number, stream)
                                .await
                        }
                        None => unreachable_clone(),
                    }
                };
                attempt
                    .retry(self.retry.backoff().build())
                    .sleep(tokio::time::sleep)
                    .when(|attempt: &Attempt| attempt.retryable(safety))
                    .notify(|attempt: &Attempt, backoff: Duration| {
                        let why = match attempt {
                            Attempt::Answer(response, why) => {
                                format!("{why} (HTTP {})", response.status().as_u16())
                            }
                            Attempt::Failed(error) => error.to_string(),
                        };
                        tracing::info!(
                            operation,
                            backoff_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX),
                            reason = %why,
                            "retrying"
                        );
                    })
                    .await
            }
        };
        let result = result.or_else(Attempt::into_result);
        if let Ok(response) = &result {
            crate::decode::observe_status(response.status().as_u16());
        }
        result
    }
}

/// A request whose first clone worked clones again (its body is `Bytes`);
/// should it not, the attempt ends with an empty answer (reported as an
/// invalid response, never retried as such) rather than a panic.
fn unreachable_clone() -> Result<reqwest::Response, Attempt> {
    Err(Attempt::Answer(
        Box::new(reqwest::Response::from(http::Response::new(
            bytes::Bytes::new(),
        ))),
        "the request could not be repeated",
    ))
}

impl Executor for Transport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecutorFuture<'a> {
        Box::pin(self.run(client, request, operation, false))
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
        let delays: Vec<_> = retry.backoff().build().collect();
        assert_eq!(
            delays[..3],
            [
                Duration::from_millis(500),
                Duration::from_secs(1),
                Duration::from_secs(2)
            ]
        );
        assert_eq!(delays.len(), 4);
        let long = RetryConfig::default()
            .with_jitter(false)
            .with_max_retries(10)
            .with_max_elapsed(Duration::from_secs(600));
        assert_eq!(long.backoff().build().last(), Some(Duration::from_secs(10)));
        let short = RetryConfig::default()
            .with_jitter(false)
            .with_max_elapsed(Duration::from_secs(2));
        // 0.5 + 1 fit in 2 s; 0.5 + 1 + 2 do not.
        assert_eq!(short.backoff().build().count(), 2);
        for _ in 0..100 {
            let first = RetryConfig::default().backoff().build().next().unwrap();
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_secs(1));
        }
    }

    #[test]
    fn classification_follows_the_spec() {
        let post = reqwest::Method::POST;
        let get = reqwest::Method::GET;
        let mut seen = [0, 0];
        for op in Operation::ALL {
            let expected = op.retry_safety();
            // The spec wins over the method, under either name.
            for method in [&post, &get] {
                assert_eq!(safety(op.id(), method), Some(expected), "{op}");
                assert_eq!(safety(op.operation_id(), method), Some(expected), "{op}");
            }
            let idempotent = expected == RetrySafety::Idempotent;
            seen[usize::from(idempotent)] += 1;
            assert_eq!(retry_status(expected, 500), idempotent, "{op}");
            assert_eq!(retry_status(expected, 502), idempotent, "{op}");
            assert!(retry_status(expected, 429), "{op}");
            assert!(!retry_status(expected, 404), "{op}");
        }
        // A write Tray may have applied is not repeated after a 5xx.
        assert_eq!(
            safety(Operation::ImportProject.id(), &post),
            Some(RetrySafety::NonIdempotent)
        );
        assert_eq!(
            safety(Operation::GetDeployment.id(), &get),
            Some(RetrySafety::Idempotent)
        );
        // Both kinds exist in the specs.
        assert!(seen[0] > 0 && seen[1] > 0, "{seen:?}");
        // An operation no spec knows goes by its method.
        let unknown = "an_operation_no_spec_has";
        assert!(retry_status(
            safety(unknown, &reqwest::Method::GET).unwrap(),
            503
        ));
        assert!(!retry_status(safety(unknown, &post).unwrap(), 503));
    }

    /// The crate docs' retry table ("Retries and rate limits") is checked
    /// against the spec and the policy: every operation is in exactly one
    /// row, and each row's yes/no cells are what `retry_status` and
    /// `retry_failure` decide for the retry safety its operations have in the
    /// spec. An operation added to a spec, or moved to the other class,
    /// fails here until the table says so.
    #[test]
    fn the_docs_retry_table_matches_the_spec_and_the_policy() {
        let docs = include_str!("lib.rs");
        let rows: Vec<&str> = docs
            .lines()
            .skip_while(|line| !line.starts_with("//! | operation | 429 |"))
            .skip(2)
            .take_while(|line| line.starts_with("//! |"))
            .collect();
        assert_eq!(rows.len(), 3, "{rows:#?}");
        let mut listed = Vec::new();
        for row in rows {
            let cells: Vec<&str> = row
                .trim_start_matches("//! |")
                .trim_end_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let [first, rest @ ..] = cells.as_slice() else {
                panic!("{row}")
            };
            let operations: Vec<Operation> = first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(|name| Operation::from_id(name).unwrap_or_else(|| panic!("{name}: {row}")))
                .collect();
            assert!(!operations.is_empty(), "{row}");
            for op in operations {
                let safety = op.retry_safety();
                let expected = [
                    retry_status(safety, 429),
                    [502, 503, 504].iter().all(|s| retry_status(safety, *s)),
                    retry_status(safety, 500),
                    retry_failure(safety, Failure::Connect),
                    retry_failure(safety, Failure::Other),
                ]
                .map(|retried| if retried { "yes" } else { "no" });
                assert_eq!(rest, expected, "{op} ({safety:?}) in: {row}");
                listed.push(op);
            }
        }
        listed.sort_by_key(|op| op.id());
        let mut all = Operation::ALL.to_vec();
        all.sort_by_key(|op| op.id());
        assert_eq!(listed, all, "each operation once in the docs' retry table");
    }
}
