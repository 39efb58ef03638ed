//! Projects: versions (create, list with paging), export (to memory, a
//! writer or a file) and import (requirements, preview, import).

use std::num::NonZeroU32;
use std::path::Path;
use tray_api_raw::Operation;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt, stream};
use serde_json::{Map, Value};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tray_api_raw::projects::types as raw;
use uuid::Uuid;

use crate::client::Client;
use crate::decode::{self, Op, call};
use crate::error::{Error, Result, Subject};
use crate::import::ImportInput;

/// The largest page Tray serves (and the default page size of
/// [`VersionsRequest::stream`]).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The Projects API of a [`Client`]; from [`Client::projects`].
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// use futures::TryStreamExt;
/// let project = uuid::Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
/// let versions: Vec<_> = client.projects().versions(project).stream().try_collect().await?;
/// for version in versions {
///     println!("{} {}", version.version_number, version.title);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Projects<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Projects<'a> {
    /// A request to save the project's current state as version
    /// `version_number`: set its [`title`](CreateVersion::title) (required
    /// by Tray) and optionally its
    /// [`description`](CreateVersion::description), then `.send()` (or
    /// `.await`). Never retried after the request may have reached Tray.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let version = client
    ///     .projects()
    ///     .create_version(project, "3")
    ///     .title("Release 3")
    ///     .description("EU flows")
    ///     .await?;
    /// println!("created {}", version.version_number);
    /// # Ok(()) }
    /// ```
    pub fn create_version(
        &self,
        project_id: Uuid,
        version_number: impl Into<String>,
    ) -> CreateVersion<'a> {
        CreateVersion {
            client: self.client,
            project_id,
            version_number: version_number.into(),
            title: None,
            description: None,
        }
    }

    /// A request for the project's versions: `.stream()` gives every
    /// version (pages of 1000 unless [`page_size`](VersionsRequest::page_size)
    /// says otherwise), `.page()` one page.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// use futures::TryStreamExt;
    /// let versions: Vec<_> = client.projects().versions(project).page_size(100).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn versions(&self, project_id: Uuid) -> VersionsRequest<'a> {
        VersionsRequest {
            client: self.client,
            project_id,
            page_size: None,
            cursor: None,
        }
    }

    /// Export a version: the JSON document to pass to the import calls.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let export = client.projects().export(project, "3").await?;
    /// println!("{} top-level keys", export.len());
    /// # Ok(()) }
    /// ```
    pub async fn export(&self, project_id: Uuid, version: &str) -> Result<Map<String, Value>> {
        if version.trim().is_empty() {
            return Err(Error::local("the version number is empty"));
        }
        let export = call(
            &Op::read(
                Operation::ExportProjectVersion,
                Subject::version(project_id, version),
            ),
            self.client
                .raw()
                .projects
                .export_project_version()
                .project_id(project_id)
                .version_number(version)
                .send(),
        )
        .await?;
        Ok(export.0)
    }

    /// Stream an export to `writer` as it arrives (no copy held in memory);
    /// returns the number of bytes written. The bytes are Tray's, as sent.
    ///
    /// The structure of the stream is followed as it passes, so a body that
    /// is not one complete JSON object (cut off by a dropped connection or a
    /// proxy) ends in [`Error::InvalidResponse`] after the bytes were written:
    /// check the result before using what `writer` received, or use
    /// [`export_to_file`](Self::export_to_file), which leaves no file then.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let file = tokio::fs::File::create("export.json").await.unwrap();
    /// let bytes = client.projects().export_to_writer(project, "3", file).await?;
    /// # Ok(()) }
    /// ```
    pub async fn export_to_writer<W>(
        &self,
        project_id: Uuid,
        version: &str,
        mut writer: W,
    ) -> Result<u64>
    where
        W: AsyncWrite + Unpin,
    {
        let op = Op::read(
            Operation::ExportProjectVersion,
            Subject::version(project_id, version),
        );
        if version.trim().is_empty() {
            return Err(Error::local("the version number is empty"));
        }
        // Streamed, so it bypasses the generated builder; the method and
        // path still come from the spec.
        let project = project_id.to_string();
        let params = [("projectId", project.as_str()), ("versionNumber", version)];
        // A body lost before its first byte reached `writer` is fetched
        // again (an export is a read); after that, nothing can be taken back.
        let mut attempts_left = 2u8;
        loop {
            attempts_left -= 1;
            let request = self
                .client
                .operation_request(Operation::ExportProjectVersion, &params)?;
            let response = self
                .client
                .send_streamed(request, op.operation)
                .await
                .map_err(|e| op.fail(e))?;
            let response = decode::success(&op, response).await?;
            let status = response.status().as_u16();
            let mut written = 0u64;
            let mut shape = JsonShape::default();
            let mut head = Vec::new();
            let mut chunks = response.bytes_stream();
            let mut lost = None;
            while let Some(chunk) = chunks.next().await {
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        lost = Some(e);
                        break;
                    }
                };
                shape.feed(&chunk);
                if head.len() < EXCERPT_BYTES {
                    let take = chunk.len().min(EXCERPT_BYTES - head.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                writer
                    .write_all(&chunk)
                    .await
                    .map_err(|source| Error::WriteResult { path: None, source })?;
                written += chunk.len() as u64;
            }
            if let Some(error) = lost {
                if written == 0 && attempts_left > 0 {
                    tracing::info!(operation = op.operation, error = %error, "retrying");
                    continue;
                }
                return Err(op.fail(decode::body_error(op.operation, written, error)));
            }
            writer
                .flush()
                .await
                .map_err(|source| Error::WriteResult { path: None, source })?;
            if !shape.is_complete() {
                return Err(op.fail(Error::invalid_response(
                    op.operation,
                    Some(status),
                    format!(
                        "the export is not one complete JSON object ({written} bytes received)"
                    ),
                    &head,
                )));
            }
            return Ok(written);
        }
    }

    /// Stream an export into a file, atomically: the file appears complete
    /// or not at all.
    ///
    /// - A regular file (or a new one) is written to a temporary
    ///   `.tray-export-*` file in the same directory, checked to be one
    ///   complete JSON object, then renamed over it. A new file gets the
    ///   usual permissions (0666 less the umask); an existing one keeps its
    ///   permissions.
    /// - A symbolic link is followed (also a chain of them, and one whose
    ///   target does not exist yet): the file it points to is replaced as
    ///   above, in the target's directory, and the link stays a link.
    /// - Anything else (a character device such as `/dev/null` or
    ///   `/dev/stdout`, a FIFO, a socket) is opened and written straight
    ///   through, never replaced; as with
    ///   [`export_to_writer`](Self::export_to_writer), a body cut off half-way
    ///   is an error after its bytes were written.
    ///
    /// If the returned future is dropped (the task is cancelled, the program
    /// is interrupted), the temporary file is removed.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let bytes = client.projects().export_to_file(project, "3", "export-v3.json").await?;
    /// # Ok(()) }
    /// ```
    pub async fn export_to_file(
        &self,
        project_id: Uuid,
        version: &str,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        let path = path.as_ref();
        let io_error =
            |e: std::io::Error| Error::local(format!("cannot write {}: {e}", path.display()));
        match export_target(path).map_err(io_error)? {
            ExportTarget::Stream { truncate } => {
                let file = tokio::fs::OpenOptions::new()
                    .write(true)
                    .truncate(truncate)
                    .open(path)
                    .await
                    .map_err(io_error)?;
                self.export_to_writer(project_id, version, file).await
            }
            ExportTarget::Replace { file, permissions } => {
                self.export_by_rename(project_id, version, &file, permissions)
                    .await
            }
        }
    }

    /// `export_to_file` onto a regular (or new) file: a temporary file in
    /// its directory, checked, then renamed over it.
    async fn export_by_rename(
        &self,
        project_id: Uuid,
        version: &str,
        path: &Path,
        permissions: Option<std::fs::Permissions>,
    ) -> Result<u64> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => std::path::PathBuf::from("."),
        };
        let io_error =
            |e: std::io::Error| Error::local(format!("cannot write {}: {e}", path.display()));
        // Created like any file the user makes (0666 less the umask), not
        // tempfile's private 0600, since it becomes the export file.
        let mut builder = tempfile::Builder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        // Removed when dropped: on an error, and when this future is
        // dropped half-way (an interrupted command).
        let temp = builder
            .prefix(".tray-export-")
            .tempfile_in(&dir)
            .map_err(io_error)?;
        if let Some(permissions) = permissions {
            std::fs::set_permissions(temp.path(), permissions).map_err(io_error)?;
        }
        let file = temp.reopen().map_err(io_error)?;
        let mut file = tokio::fs::File::from_std(file);
        let written = self
            .export_to_writer(project_id, version, &mut file)
            .await?;
        file.sync_all().await.map_err(io_error)?;
        drop(file);
        // Parse it from disk (nothing held in memory) before it takes the
        // final name: a malformed export never appears as the file.
        let check = temp.reopen().map_err(io_error)?;
        if let Err(error) =
            serde_json::from_reader::<_, serde::de::IgnoredAny>(std::io::BufReader::new(check))
        {
            return Err(Error::invalid_response(
                Operation::ExportProjectVersion.id(),
                Some(200),
                format!("the export is not valid JSON: {error}"),
                b"",
            ));
        }
        temp.persist(path).map_err(|e| io_error(e.error))?;
        Ok(written)
    }

    /// What the destination project needs before an import: unresolved
    /// authentications, new config keys. No side effect.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, source: uuid::Uuid, dest: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let export = client.projects().export(source, "3").await?;
    /// let needs = client.projects().import_requirements(dest, &tray_api::ImportInput::new(export)).await?;
    /// println!("unresolved auths: {}", needs.unresolved_authentications);
    /// # Ok(()) }
    /// ```
    pub async fn import_requirements(
        &self,
        destination: Uuid,
        input: &ImportInput,
    ) -> Result<raw::PrepareProjectImportResponse> {
        call(
            &Op::read(
                Operation::GetProjectImportRequirements,
                Subject::project(destination),
            ),
            self.client
                .raw()
                .projects
                .get_project_import_requirements()
                .project_id(destination)
                .body(input.prepare_input())
                .send(),
        )
        .await
    }

    /// What an import would change (nothing is changed).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, dest: uuid::Uuid, input: tray_api::ImportInput) -> Result<(), tray_api::Error> {
    /// let preview = client.projects().import_preview(dest, &input).await?;
    /// println!("{} workflows created", preview.project_impact.workflows.created.len());
    /// # Ok(()) }
    /// ```
    pub async fn import_preview(
        &self,
        destination: Uuid,
        input: &ImportInput,
    ) -> Result<raw::ProjectImportPreviewResponse> {
        call(
            &Op::read(
                Operation::PreviewProjectImport,
                Subject::project(destination),
            ),
            self.client
                .raw()
                .projects
                .preview_project_import()
                .project_id(destination)
                .body(input.import_input())
                .send(),
        )
        .await
    }

    /// Import into the destination project. Never retried after the
    /// request may have reached Tray.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, dest: uuid::Uuid, input: tray_api::ImportInput) -> Result<(), tray_api::Error> {
    /// let result = client.projects().import(dest, &input).await?;
    /// println!("imported into {}", result.import_metadata.project_name);
    /// # Ok(()) }
    /// ```
    pub async fn import(
        &self,
        destination: Uuid,
        input: &ImportInput,
    ) -> Result<raw::ProjectImportResponse> {
        call(
            &Op::write(Operation::ImportProject, Subject::project(destination)),
            self.client
                .raw()
                .projects
                .import_project()
                .project_id(destination)
                .body(input.import_input())
                .send(),
        )
        .await
    }
}

/// A request to create a project version; from [`Projects::create_version`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateVersion<'a> {
    client: &'a Client,
    project_id: Uuid,
    version_number: String,
    title: Option<String>,
    description: Option<String>,
}

impl<'a> CreateVersion<'a> {
    /// The version's title (required: Tray refuses a version without one).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// client.projects().create_version(project, "4").title("Release 4").await?;
    /// # Ok(()) }
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The version's description (none by default).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// client.projects().create_version(project, "4").title("Release 4").description("EU flows").await?;
    /// # Ok(()) }
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The description, or none (as aws-sdk's `set_*` setters: for a value
    /// that is already an `Option`).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid, notes: Option<String>) -> Result<(), tray_api::Error> {
    /// client.projects().create_version(project, "4").title("Release 4").set_description(notes).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_description(mut self, description: Option<String>) -> Self {
        self.description = description;
        self
    }

    /// Create the version. An empty version number or a missing or empty
    /// title is refused before any request.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let created = client.projects().create_version(project, "4").title("Release 4").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<raw::ProjectVersionResponse> {
        if self.version_number.trim().is_empty() {
            return Err(Error::local("the version number is empty"));
        }
        let title = match self.title {
            Some(title) if !title.trim().is_empty() => title,
            Some(_) => return Err(Error::local("the version title is empty")),
            None => {
                return Err(Error::local(
                    "the version title is missing (set it with .title())",
                ));
            }
        };
        let body = raw::CreateProjectVersionInput {
            title,
            description: self.description,
        };
        call(
            &Op::write(
                Operation::CreateProjectVersion,
                Subject::version(self.project_id, &self.version_number),
            ),
            self.client
                .raw()
                .projects
                .create_project_version()
                .project_id(self.project_id)
                .version_number(self.version_number.as_str())
                .body(body)
                .send(),
        )
        .await
    }
}

into_future!(CreateVersion, raw::ProjectVersionResponse);

/// A request for a project's versions; from [`Projects::versions`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct VersionsRequest<'a> {
    client: &'a Client,
    project_id: Uuid,
    page_size: Option<u32>,
    cursor: Option<String>,
}

impl VersionsRequest<'_> {
    /// Items per page, 1 to 1000 (checked before any request). Unset,
    /// [`stream`](Self::stream) asks for pages of 1000 and
    /// [`page`](Self::page) for Tray's default.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let page = client.projects().versions(project).page_size(100).page().await?;
    /// # Ok(()) }
    /// ```
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Start after this cursor (a page's `pageInfo.endCursor`).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let first = client.projects().versions(project).page_size(100).page().await?;
    /// if let Some(end) = first.page_info.end_cursor.filter(|_| first.page_info.has_next_page) {
    ///     let next = client.projects().versions(project).page_size(100).after(end).page().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// One page of versions.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// let page = client.projects().versions(project).page().await?;
    /// println!("{} versions, more: {}", page.elements.len(), page.page_info.has_next_page);
    /// # Ok(()) }
    /// ```
    pub async fn page(&self) -> Result<raw::ProjectVersionPage> {
        list_page(
            self.client,
            self.project_id,
            self.page_size,
            self.cursor.as_deref(),
        )
        .await
    }

    /// Every version (from the cursor on, if set), as a stream that fetches
    /// pages while `hasNextPage`, following `endCursor`. 10,000 versions
    /// take 10 requests at the default page size of 1000.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, project: uuid::Uuid) -> Result<(), tray_api::Error> {
    /// use futures::TryStreamExt;
    /// let mut versions = client.projects().versions(project).stream();
    /// while let Some(version) = versions.try_next().await? {
    ///     println!("{}", version.version_number);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'static, Result<raw::ProjectVersionResponse>> {
        enum Next {
            Start(Option<String>),
            After(String),
            Done,
        }
        let client = self.client.clone();
        let project_id = self.project_id;
        let page_size = self.page_size.unwrap_or(MAX_PAGE_SIZE);
        stream::try_unfold(Next::Start(self.cursor), move |next| {
            let client = client.clone();
            async move {
                let cursor = match next {
                    Next::Done => return Ok(None),
                    Next::Start(cursor) => cursor,
                    Next::After(cursor) => Some(cursor),
                };
                let page =
                    list_page(&client, project_id, Some(page_size), cursor.as_deref()).await?;
                let next = match (page.page_info.has_next_page, page.page_info.end_cursor) {
                    (false, _) => Next::Done,
                    (true, Some(end)) if !end.is_empty() && Some(&end) != cursor.as_ref() => {
                        Next::After(end)
                    }
                    (true, _) => {
                        return Err(Error::InvalidResponse {
                            operation: Operation::ListProjectVersions.id(),
                            subject: Some(Box::new(Subject::project(project_id))),
                            status: Some(200),
                            message: "hasNextPage is true but endCursor is missing or repeats"
                                .into(),
                            excerpt: String::new(),
                        });
                    }
                };
                Ok(Some((page.elements, next)))
            }
        })
        .map_ok(|elements| stream::iter(elements.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }
}

/// One page of versions: `first` items (1 to 1000; Tray's default when
/// `None`) after `cursor`.
async fn list_page(
    client: &Client,
    project_id: Uuid,
    first: Option<u32>,
    cursor: Option<&str>,
) -> Result<raw::ProjectVersionPage> {
    let first = match first {
        None => None,
        Some(n) => match NonZeroU32::new(n) {
            Some(n) if n.get() <= MAX_PAGE_SIZE => Some(n),
            _ => {
                return Err(Error::local(format!(
                    "invalid page size {n}: expected 1 to {MAX_PAGE_SIZE}"
                )));
            }
        },
    };
    let mut builder = client
        .raw()
        .projects
        .list_project_versions()
        .project_id(project_id);
    if let Some(first) = first {
        builder = builder.first(first);
    }
    if let Some(cursor) = cursor {
        builder = builder.cursor(cursor);
    }
    call(
        &Op::read(Operation::ListProjectVersions, Subject::project(project_id)),
        builder.send(),
    )
    .await
}

/// Where [`Projects::export_to_file`] writes.
#[derive(Debug)]
enum ExportTarget {
    /// A regular file, existing or not (symbolic links followed): written
    /// to a temporary file beside it, then renamed over it, keeping the
    /// existing file's permissions.
    Replace {
        file: std::path::PathBuf,
        permissions: Option<std::fs::Permissions>,
    },
    /// Not a regular file (a device, a FIFO, a socket), or a regular file
    /// reached through a link the file system cannot name (such as
    /// `/proc/self/fd/1`): opened and written straight through.
    Stream { truncate: bool },
}

/// The most symbolic links followed, as Linux's `MAXSYMLINKS`.
const MAX_LINKS: usize = 40;

/// Decides where an export to `path` goes, following symbolic links.
fn export_target(path: &Path) -> std::io::Result<ExportTarget> {
    let followed = match std::fs::metadata(path) {
        Ok(metadata) => Some(metadata),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    if let Some(metadata) = &followed
        && !metadata.is_file()
    {
        if metadata.is_dir() {
            return Err(std::io::Error::other("it is a directory"));
        }
        return Ok(ExportTarget::Stream { truncate: false });
    }
    let Some(file) = resolve_links(path)? else {
        // `/dev/stdout` redirected to a file: write through the descriptor.
        return Ok(ExportTarget::Stream { truncate: true });
    };
    let Some(metadata) = followed else {
        // Nothing there yet (or a link to nothing yet): create the file.
        return Ok(ExportTarget::Replace {
            file,
            permissions: None,
        });
    };
    // The chain must end at the very file `path` opens; a link such as
    // `/proc/self/fd/1` names no path where a file could be put instead.
    if !same_file(&metadata, &std::fs::symlink_metadata(&file).ok()) {
        return Ok(ExportTarget::Stream { truncate: true });
    }
    Ok(ExportTarget::Replace {
        file,
        permissions: Some(metadata.permissions()),
    })
}

/// `path` with every symbolic link at its end followed (a relative target
/// is taken from the link's directory); a missing final target is fine.
/// `None` when the chain goes through a file descriptor link (`/dev/fd/N`,
/// `/proc/…/fd/N`, as `/dev/stdout` does), which names an open file rather
/// than a place in a directory.
fn resolve_links(path: &Path) -> std::io::Result<Option<std::path::PathBuf>> {
    let through_descriptor = |path: &Path| {
        path.starts_with("/dev/fd")
            || (path.starts_with("/proc") && path.components().any(|c| c.as_os_str() == "fd"))
    };
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        if through_descriptor(&current) {
            return Ok(None);
        }
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(Some(current)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Some(current));
            }
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Whether two metadata describe the same file (on Unix: device and inode).
fn same_file(a: &std::fs::Metadata, b: &Option<std::fs::Metadata>) -> bool {
    let Some(b) = b else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        a.is_file() && b.is_file() && a.len() == b.len()
    }
}

/// How much of an export's start an error quotes.
const EXCERPT_BYTES: usize = 200;

/// Follows the structure of a streamed JSON document (strings, escapes,
/// nesting) to tell whether it ended as one complete object, without holding
/// it: a body cut off mid-way is caught. It is a shape check, not a parser
/// (`export_to_file` parses the file too).
#[derive(Debug, Default)]
struct JsonShape {
    depth: usize,
    started: bool,
    closed: bool,
    in_string: bool,
    escaped: bool,
    invalid: bool,
}

impl JsonShape {
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.in_string {
                match (self.escaped, byte) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match byte {
                b' ' | b'\n' | b'\r' | b'\t' => {}
                // Anything after the closing brace, or before an opening one.
                _ if self.closed => self.invalid = true,
                b'{' if !self.started => {
                    self.started = true;
                    self.depth = 1;
                }
                _ if !self.started => self.invalid = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    self.closed = self.depth == 0;
                }
                b'"' => self.in_string = true,
                _ => {}
            }
        }
    }

    fn is_complete(&self) -> bool {
        self.started && self.closed && !self.invalid && !self.in_string
    }
}

#[cfg(test)]
mod tests {
    use super::JsonShape;

    fn complete(text: &str, split: usize) -> bool {
        let mut shape = JsonShape::default();
        let (a, b) = text.as_bytes().split_at(split.min(text.len()));
        shape.feed(a);
        shape.feed(b);
        shape.is_complete()
    }

    #[test]
    fn whole_objects_are_complete_wherever_the_chunks_split() {
        let text = r#" {"a": [1, {"b": "x}]\"y"}], "c": "{"} "#;
        for split in 0..text.len() {
            assert!(complete(text, split), "split at {split}");
        }
    }

    #[test]
    fn cut_or_foreign_bodies_are_not() {
        let text = r#"{"a": [1, {"b": "x}"}], "c": "{"}"#;
        for cut in 0..text.len() {
            assert!(!complete(&text[..cut], cut / 2), "cut at {cut}");
        }
        assert!(!complete("[1, 2]", 3));
        assert!(!complete("<html>502</html>", 3));
        assert!(!complete(r#"{"a": 1} {"b": 2}"#, 4));
        assert!(!complete("", 0));
    }
}
