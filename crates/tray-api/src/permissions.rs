//! CDK Permissions: share a deployed connector version with users.

use serde::Serialize;
use tray_api_raw::Operation;

use crate::client::Client;
use crate::decode::{Op, call};
use crate::error::{Error, Result, Subject};

/// What Tray answered to a share: Tray's summary (`message`, such as
/// `"2 permissions added"`) and any field Tray adds later (`extra`), so the
/// whole body reaches `-o json`. The generated type, re-exported.
///
/// ```
/// let outcome: tray_api::ShareOutcome =
///     serde_json::from_str(r#"{"message":"2 permissions added","added":["a@example.com"]}"#).unwrap();
/// assert_eq!(outcome.message, "2 permissions added");
/// assert_eq!(
///     serde_json::to_string(&outcome).unwrap(),
///     r#"{"message":"2 permissions added","added":["a@example.com"]}"#
/// );
/// ```
pub use tray_api_raw::permissions::types::ShareWithEmailsResponse as ShareOutcome;

/// The CDK Permissions API of a [`Client`]; from [`Client::permissions`].
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// let emails = vec!["jane@example.com".to_string()];
/// let outcome = client.permissions().share_with_emails("my-connector", "1.0", &emails).await?;
/// println!("{}", outcome.message);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Permissions<'a> {
    pub(crate) client: &'a Client,
}

/// The longest email address accepted, in characters.
pub const MAX_EMAIL_LEN: usize = 254;

/// Whether `email` is a well-formed address, by the one rule the library
/// and the sandbox hold (the shared table of cases is
/// `tests/fixtures/emails.json`). Surrounding whitespace is ignored (it is
/// trimmed before sending); then the address is `local@domain` with:
///
/// - exactly one `@`, and at most [`MAX_EMAIL_LEN`] (254) characters;
/// - a local part of 1 to 64 characters with no whitespace, control
///   character or any of `"(),:;<>[\]`, not starting or ending with a dot
///   and without two dots in a row;
/// - a domain of at least two dot-separated labels, each 1 to 63 letters
///   (any script), digits or `-`, not starting or ending with `-`, the last
///   one not all digits (so no `localhost`, no `[127.0.0.1]`).
///
/// Display names (`Jane <jane@example.com>`), lists (`a@x.com,b@x.com`)
/// and quoted local parts are rejected.
///
/// ```
/// use tray_api::permissions::is_valid_email;
/// assert!(is_valid_email("jane.doe+tray@example.co.uk"));
/// assert!(is_valid_email(" jane@example.com "));
/// assert!(!is_valid_email("jane"));
/// assert!(!is_valid_email("a@b@c.com"));
/// assert!(!is_valid_email("a b@c.com"));
/// assert!(!is_valid_email("jane@localhost"));
/// assert!(!is_valid_email("Jane <jane@example.com>"));
/// ```
pub fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= MAX_EMAIL_LEN && is_local_part(local) && is_domain(domain)
}

fn is_local_part(local: &str) -> bool {
    let allowed = |c: char| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>@[\\]".contains(c);
    (1..=64).contains(&local.chars().count())
        && local.chars().all(allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.chars().count())
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

impl Permissions<'_> {
    /// Share a connector version with Tray users of the token's
    /// organisation, by email (any iterable of strings: `["a@example.com"]`,
    /// a `Vec<String>`, ...). An empty list or a malformed address is
    /// rejected with [`Error::Local`] before any request. Use the token that
    /// deployed the connector.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// client
    ///     .permissions()
    ///     .share_with_emails("my-connector", "1.0", ["a@example.com", "b@example.com"])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn share_with_emails(
        &self,
        name: &str,
        version: &str,
        emails: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<ShareOutcome> {
        if name.trim().is_empty() || version.trim().is_empty() {
            return Err(Error::local("the connector name and version are required"));
        }
        let mut cleaned = Vec::new();
        let mut invalid = Vec::new();
        for email in emails {
            let email = email.as_ref().trim();
            if is_valid_email(email) {
                cleaned.push(email.to_owned());
            } else {
                invalid.push(format!("{email:?}"));
            }
        }
        if cleaned.is_empty() && invalid.is_empty() {
            return Err(Error::local("no email addresses to share with"));
        }
        if !invalid.is_empty() {
            return Err(Error::local(format!(
                "malformed email address{}: {}",
                if invalid.len() > 1 { "es" } else { "" },
                invalid.join(", ")
            )));
        }
        let body = tray_api_raw::permissions::types::ShareWithEmailsRequest { emails: cleaned };
        call(
            &Op::write(
                Operation::ShareWithEmails,
                Subject::connector(name, version),
            ),
            self.client
                .raw()
                .permissions
                .share_with_emails()
                .connector_name(name)
                .connector_version(version)
                .body(body)
                .send(),
        )
        .await
    }
}

/// The result of a share in one region of several
/// ([`share_in_regions`]).
///
/// Serializes like [`RegionOutcome`](crate::RegionOutcome):
/// `{"region", "result": {"message"}}` on success and
/// `{"region", "error": {…}}` (the error's one JSON shape) on failure.
///
/// Built by [`share_in_regions`] (`#[non_exhaustive]`: a later version may
/// report more per region).
///
/// ```no_run
/// # async fn run(us: tray_api::Client, eu: tray_api::Client) {
/// let targets = vec![("us".to_string(), us), ("eu".to_string(), eu)];
/// for share in tray_api::permissions::share_in_regions(targets, "acme", "1.0", ["a@example.com"]).await {
///     // {"region":"eu","result":{"message":"1 permission added"}}
///     println!("{}", serde_json::to_string(&share).unwrap());
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct RegionShare {
    /// The label given with the client (`"us"`, `"eu"`, a profile name).
    pub region: String,
    /// What Tray answered, or the error.
    pub result: Result<ShareOutcome>,
}

impl Serialize for RegionShare {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RegionShare", 2)?;
        s.serialize_field("region", &self.region)?;
        match &self.result {
            Ok(outcome) => {
                s.serialize_field("result", outcome)?;
                s.skip_field("error")?;
            }
            Err(error) => {
                s.skip_field("result")?;
                s.serialize_field("error", error)?;
            }
        }
        s.end()
    }
}

/// Share a connector version in every target region concurrently (one
/// client, hence one token, per region): the share that follows a
/// multi-region deploy. One outcome per target, in the order given; one
/// region failing does not stop the others.
///
/// ```no_run
/// # async fn run(us: tray_api::Client, eu: tray_api::Client) {
/// let targets = vec![("us".to_string(), us), ("eu".to_string(), eu)];
/// for outcome in tray_api::permissions::share_in_regions(targets, "acme", "1.0", ["a@example.com"]).await {
///     println!("{}: {:?}", outcome.region, outcome.result.map(|o| o.message));
/// }
/// # }
/// ```
pub async fn share_in_regions(
    targets: Vec<(String, Client)>,
    name: &str,
    version: &str,
    emails: impl IntoIterator<Item = impl AsRef<str>>,
) -> Vec<RegionShare> {
    let emails: Vec<String> = emails.into_iter().map(|e| e.as_ref().to_owned()).collect();
    let emails = &emails;
    let runs = targets.into_iter().map(|(region, client)| async move {
        let result = client
            .permissions()
            .share_with_emails(name, version, emails)
            .await;
        RegionShare { region, result }
    });
    futures::future::join_all(runs).await
}

#[cfg(test)]
mod region_share_tests {
    #![allow(clippy::unwrap_used)]
    use super::RegionShare;

    #[test]
    fn serializes_the_result_or_the_error() {
        let outcome = RegionShare {
            region: "eu".into(),
            result: Ok(serde_json::from_str(r#"{"message":"1 permission added"}"#).unwrap()),
        };
        assert_eq!(
            serde_json::to_string(&outcome).unwrap(),
            r#"{"region":"eu","result":{"message":"1 permission added"}}"#
        );
        let failed = RegionShare {
            region: "us".into(),
            result: Err(crate::Error::local("no token")),
        };
        let json: serde_json::Value = serde_json::to_value(&failed).unwrap();
        assert_eq!(json["region"], "us");
        assert!(json.get("result").is_none());
        assert!(json["error"].is_object(), "{json}");
    }
}
