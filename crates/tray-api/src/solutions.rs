//! Solutions: preview and publish a release of an embedded solution.

use tray_api_raw::Operation;
use tray_api_raw::solutions::types::PublishSolutionImpact;
use uuid::Uuid;

use crate::client::Client;
use crate::decode::{Op, call};
use crate::error::{Result, Subject};

/// The Solutions API of a [`Client`]; from [`Client::solutions`].
///
/// ```no_run
/// # async fn run(client: tray_api::Client, solution: uuid::Uuid) -> Result<(), tray_api::Error> {
/// let preview = client.solutions().release_preview(solution).await?;
/// if !preview.breaking_changes {
///     let release = client.solutions().release(solution).await?;
///     println!("released {:?}", release.release_id);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Solutions<'a> {
    pub(crate) client: &'a Client,
}

impl Solutions<'_> {
    /// The impact of publishing the draft solution (nothing is changed).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, solution: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let impact = client.solutions().release_preview(solution).await?;
    /// println!("breaking: {}", impact.breaking_changes);
    /// # Ok(()) }
    /// ```
    pub async fn release_preview(&self, solution_id: Uuid) -> Result<PublishSolutionImpact> {
        call(
            &Op::read(
                Operation::PreviewSolutionRelease,
                Subject::solution(solution_id),
            ),
            self.client
                .raw()
                .solutions
                .preview_solution_release()
                .solution_id(solution_id)
                .send(),
        )
        .await
    }

    /// Publish the draft solution. Instances are upgraded automatically
    /// unless there are breaking changes. Never retried after the request
    /// may have reached Tray.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, solution: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let release = client.solutions().release(solution).await?;
    /// # Ok(()) }
    /// ```
    pub async fn release(&self, solution_id: Uuid) -> Result<PublishSolutionImpact> {
        call(
            &Op::write(
                Operation::CreateSolutionRelease,
                Subject::solution(solution_id),
            ),
            self.client
                .raw()
                .solutions
                .create_solution_release()
                .solution_id(solution_id)
                .send(),
        )
        .await
    }
}
