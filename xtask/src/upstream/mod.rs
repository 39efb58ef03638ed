//! `cargo xtask upstream-diff [FILE]`: our hand-maintained OpenAPI 3.0 specs
//! (`openapi/*.yaml`, the list is [`tray_codegen::SPECS`]) against Tray's
//! published OpenAPI 3.1 document (by default the copy vendored in
//! [`VENDORED`]).
//!
//! Each of our operations names the upstream operation it wraps with the
//! extension `x-tray-upstream-operation-id` ([`UPSTREAM_OPERATION_EXTENSION`]).
//! Matched operations are compared on method and path, path/query/header
//! parameters (name, location, required, type), request body (required,
//! media types, schema), response status codes and schemas, and security
//! (the schemes' definitions, not their keys). Schemas are compared on type
//! (with nullability), enum values, `format` (`… format: upstream date-time,
//! ours missing`), properties, required sets, `additionalProperties` (`…
//! additionalProperties: upstream not declared, ours any`: a difference when
//! one side allows other properties and the other leaves the keyword out or
//! says `false`, or when both allow them with values of different types) and
//! array items, recursively; descriptions, examples and defaults are not.
//! An upstream operation that none of ours
//! maps to is a difference when it has a covered tag or sits on a path we
//! keep; any other is listed as not covered.
//!
//! Intentional differences are listed in the allowlist ([`ALLOWLIST`]),
//! which also holds the covered tags. An allowlist entry that matches
//! nothing is stale, and fails the run like an unexplained difference.
//!
//! ```
//! use xtask::upstream::{Allowlist, Document, diff};
//!
//! let upstream = Document::parse("upstream", r#"
//! openapi: 3.1.0
//! paths:
//!   /things/{id}:
//!     get:
//!       operationId: get-thing
//!       tags: [things]
//!       responses:
//!         200:
//!           description: ok
//!           content:
//!             application/json:
//!               schema:
//!                 properties:
//!                   name: {type: [string, "null"]}
//! "#)?;
//! let ours = Document::parse("ours.yaml", r#"
//! openapi: 3.0.3
//! paths:
//!   /things/{id}:
//!     get:
//!       x-tray-upstream-operation-id: get-thing
//!       operationId: getThing
//!       responses:
//!         '200':
//!           description: ok
//!           content:
//!             application/json:
//!               schema:
//!                 type: object
//!                 properties:
//!                   name: {type: string}
//! "#)?;
//! let allowlist = Allowlist::parse("allowlist", "covered-tags: [things]\n")?;
//! let report = diff(&upstream, &[ours], &allowlist);
//! assert_eq!(
//!     report.unallowlisted()[0].to_string(),
//!     r#"getThing: response 200 property "name": upstream string or null, ours string"#
//! );
//! assert_eq!(report.exit_code(), 1);
//! # Ok::<(), xtask::upstream::Error>(())
//! ```

mod compare;
mod schema;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

pub use compare::UPSTREAM_OPERATION_EXTENSION;

/// The vendored copy of Tray's published document, relative to the
/// workspace root (provenance in `openapi/upstream/SOURCE.md`).
pub const VENDORED: &str = "openapi/upstream/tray-published-openapi.yaml";

/// The allowlist of intentional differences (and the covered tags),
/// relative to the workspace root.
pub const ALLOWLIST: &str = "openapi/upstream-allowlist.yaml";

/// Why a document or the allowlist could not be used (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The text is not YAML.
    #[error("{name} is not YAML: {message}")]
    Yaml {
        /// The document.
        name: String,
        /// What the parser said.
        message: String,
    },
    /// The YAML is not an OpenAPI document (no `paths` mapping).
    #[error("{name} is not an OpenAPI document: {message}")]
    NotOpenApi {
        /// The document.
        name: String,
        /// What is missing.
        message: String,
    },
    /// The allowlist does not have the expected form.
    #[error("{name}: {message}")]
    Allowlist {
        /// The allowlist file.
        name: String,
        /// What is wrong.
        message: String,
    },
}

/// A parsed OpenAPI document (3.0 or 3.1), as JSON.
#[derive(Debug, Clone)]
pub struct Document {
    name: String,
    root: Value,
}

impl Document {
    /// Parse YAML (or JSON) text. Integer mapping keys (`200:`) become
    /// strings; `$ref`s are kept as they are (resolved when compared).
    ///
    /// # Errors
    /// [`Error::Yaml`] when the text is not YAML, [`Error::NotOpenApi`] when
    /// it has no `paths` mapping.
    pub fn parse(name: impl Into<String>, text: &str) -> Result<Self, Error> {
        let name = name.into();
        let yaml_error = |message: String| Error::Yaml {
            name: name.clone(),
            message: one_line(&message),
        };
        let mut yaml: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| yaml_error(e.to_string()))?;
        yaml.apply_merge().map_err(|e| yaml_error(e.to_string()))?;
        let root = to_json(yaml).map_err(yaml_error)?;
        if !root.get("paths").is_some_and(Value::is_object) {
            return Err(Error::NotOpenApi {
                name,
                message: "no `paths` mapping".to_owned(),
            });
        }
        Ok(Self { name, root })
    }

    /// Read and parse a file; the document is named by its path.
    ///
    /// # Errors
    /// [`Error::Read`] when the file cannot be read (or is not UTF-8), and
    /// the errors of [`Document::parse`].
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(path.display().to_string(), &text)
    }

    /// The name given when parsing (the path for [`Document::read`]).
    pub fn name(&self) -> &str {
        &self.name
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn to_json(value: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(mapping) => {
            let mut object = serde_json::Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                object.insert(key, to_json(value)?);
            }
            Value::Object(object)
        }
        Y::Tagged(tagged) => to_json(tagged.value)?,
    })
}

/// The intentional differences, and which upstream tags we cover.
///
/// The file (`openapi/upstream-allowlist.yaml`):
///
/// ```yaml
/// covered-tags: [deployments, permissions, projects, solutions]
/// differences:
///   - operation: deployConnector          # or a list of operations
///     at: request body                    # or a list of locations
///     difference: upstream missing, ours required application/json
///     reason: Tray's document leaves out the body its deploy guide documents.
/// ```
///
/// An entry names the exact report line `operation: at: difference`; with
/// lists it names every combination, and each combination must match a
/// difference (an unmatched one is reported as stale).
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// Upstream tags of the APIs we wrap: an upstream operation under one of
    /// them that none of ours maps to is a difference.
    pub covered_tags: Vec<String>,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

/// One allowlist entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Our operationIds (or, for an upstream operation we do not have, its
    /// upstream operationId).
    pub operations: Vec<String>,
    /// Locations, as the report prints them (`response 200 property "id"`).
    pub at: Vec<String>,
    /// `upstream …, ours …`, as the report prints it.
    pub difference: String,
    /// Why the difference is intended.
    pub reason: String,
}

impl Entry {
    /// Every difference this entry names.
    pub fn differences(&self) -> Vec<Difference> {
        let mut list = Vec::new();
        for operation in &self.operations {
            for at in &self.at {
                list.push(Difference::from_text(operation, at, &self.difference));
            }
        }
        list
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AllowlistFile {
    covered_tags: Vec<String>,
    #[serde(default)]
    differences: Vec<EntryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    operation: OneOrMany,
    at: OneOrMany,
    difference: String,
    reason: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }
}

impl Allowlist {
    /// Parse the allowlist file's text.
    ///
    /// # Errors
    /// [`Error::Allowlist`] when it is not YAML of the expected form, when a
    /// `reason` is empty, or when an entry names no operation or location.
    pub fn parse(name: &str, text: &str) -> Result<Self, Error> {
        let error = |message: String| Error::Allowlist {
            name: name.to_owned(),
            message: one_line(&message),
        };
        let file: AllowlistFile = serde_yaml::from_str(text).map_err(|e| error(e.to_string()))?;
        if file.covered_tags.is_empty() {
            return Err(error("`covered-tags` is empty".to_owned()));
        }
        let mut entries = Vec::new();
        for (index, entry) in file.differences.into_iter().enumerate() {
            let entry = Entry {
                operations: entry.operation.into_vec(),
                at: entry.at.into_vec(),
                difference: entry.difference.trim().to_owned(),
                reason: entry.reason.trim().to_owned(),
            };
            let number = index + 1;
            if entry.reason.is_empty() {
                return Err(error(format!("entry {number} has an empty `reason`")));
            }
            if entry.operations.is_empty() || entry.at.is_empty() || entry.difference.is_empty() {
                return Err(error(format!(
                    "entry {number} names no operation, location or difference"
                )));
            }
            entries.push(entry);
        }
        Ok(Self {
            covered_tags: file.covered_tags,
            entries,
        })
    }

    /// Read and parse the allowlist file.
    ///
    /// # Errors
    /// [`Error::Read`] and the errors of [`Allowlist::parse`].
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }
}

/// One difference: `operation: at: upstream U, ours O`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Difference {
    /// Our operationId (the upstream one for an operation we do not have).
    pub operation: String,
    /// Where: `method`, `path`, `parameter path "id"`, `request body`,
    /// `response 201 property "items[].title"`, `security`, …
    pub at: String,
    /// What upstream says (`missing` when it has nothing there).
    pub upstream: String,
    /// What we say (`missing` when we have nothing there).
    pub ours: String,
}

impl Difference {
    /// `upstream U, ours O`: the part an allowlist entry's `difference`
    /// holds.
    pub fn what(&self) -> String {
        format!("upstream {}, ours {}", self.upstream, self.ours)
    }

    fn from_text(operation: &str, at: &str, what: &str) -> Self {
        // Split "upstream U, ours O" for display; the match is on `what()`.
        let (upstream, ours) = what
            .strip_prefix("upstream ")
            .and_then(|rest| rest.rsplit_once(", ours "))
            .map_or_else(
                || (what.to_owned(), String::new()),
                |(u, o)| (u.to_owned(), o.to_owned()),
            );
        Self {
            operation: operation.to_owned(),
            at: at.to_owned(),
            upstream,
            ours,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.operation, self.at, self.what())
    }
}

/// A difference, and the allowlist entry that names it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The difference.
    pub difference: Difference,
    /// The allowlist entry naming it.
    pub allowlisted: Option<Allowed>,
}

/// The allowlist entry that names a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// The entry's position in the file, from 1.
    pub entry: usize,
    /// Its reason.
    pub reason: String,
}

/// The differences of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationReport {
    /// Our operationId, or the upstream one for an operation we lack.
    pub operation: String,
    /// `POST /path; upstream <id>` and the like.
    pub summary: String,
    /// Its differences, in comparison order.
    pub findings: Vec<Finding>,
}

/// An allowlist entry (one combination of it) that matched no difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The entry's position in the file, from 1.
    pub entry: usize,
    /// The difference it names.
    pub difference: Difference,
}

/// An upstream operation none of ours maps to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UpstreamOperation {
    /// Its operationId.
    pub id: String,
    /// `GET`, `POST`, …
    pub method: String,
    /// Its path.
    pub path: String,
}

/// The outcome of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Every operation compared (ours, then upstream ones we lack under a
    /// covered tag or path), with its differences.
    pub operations: Vec<OperationReport>,
    /// Allowlist entries that matched nothing.
    pub stale: Vec<Stale>,
    /// Upstream operations under other tags, by tag (`(no tag)` for
    /// untagged ones).
    pub not_covered: BTreeMap<String, Vec<UpstreamOperation>>,
}

impl Report {
    /// Every finding, operation by operation.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.operations.iter().flat_map(|o| o.findings.iter())
    }

    /// The differences no allowlist entry names.
    pub fn unallowlisted(&self) -> Vec<&Difference> {
        self.findings()
            .filter(|f| f.allowlisted.is_none())
            .map(|f| &f.difference)
            .collect()
    }

    /// The number of uncovered upstream operations.
    pub fn not_covered_count(&self) -> usize {
        self.not_covered.values().map(Vec::len).sum()
    }

    /// `N differences: A allowlisted, B not; S stale allowlist entries; U
    /// upstream operations not covered`.
    pub fn summary(&self) -> String {
        let total = self.findings().count();
        let open = self.unallowlisted().len();
        format!(
            "{total} differences: {} allowlisted, {open} not; {} stale allowlist entries; {} upstream operations not covered",
            total - open,
            self.stale.len(),
            self.not_covered_count()
        )
    }

    /// 0 when every difference is allowlisted and no entry is stale, else 1.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.unallowlisted().is_empty() || !self.stale.is_empty())
    }

    /// The report as printed by `cargo xtask upstream-diff`: the
    /// differences by operation (allowlisted ones marked with their entry's
    /// number), the reasons of the entries used, the stale entries, the
    /// differences to fix or allowlist, the summary line and the upstream
    /// operations not covered, by tag.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut identical = Vec::new();
        let mut reasons: BTreeMap<usize, (usize, &str)> = BTreeMap::new();
        for operation in &self.operations {
            if operation.findings.is_empty() {
                identical.push(operation.operation.as_str());
                continue;
            }
            out.push_str(&format!(
                "{} ({})\n",
                operation.operation, operation.summary
            ));
            for finding in &operation.findings {
                match &finding.allowlisted {
                    None => out.push_str(&format!("  {}\n", finding.difference)),
                    Some(allowed) => {
                        out.push_str(&format!(
                            "  {}  [allowlisted #{}]\n",
                            finding.difference, allowed.entry
                        ));
                        reasons
                            .entry(allowed.entry)
                            .or_insert((0, &allowed.reason))
                            .0 += 1;
                    }
                }
            }
            out.push('\n');
        }
        if !identical.is_empty() {
            out.push_str(&format!("no difference: {}\n\n", identical.join(", ")));
        }
        if !reasons.is_empty() {
            out.push_str(&format!("allowlisted ({ALLOWLIST}), by entry:\n"));
            for (entry, (count, reason)) in &reasons {
                let plural = if *count == 1 { "" } else { "s" };
                out.push_str(&format!(
                    "  #{entry} ({count} difference{plural}): {reason}\n"
                ));
            }
            out.push('\n');
        }
        if !self.stale.is_empty() {
            out.push_str(&format!(
                "stale allowlist entries (they match no difference; remove or correct them in {ALLOWLIST}):\n"
            ));
            for stale in &self.stale {
                out.push_str(&format!("  #{}: {}\n", stale.entry, stale.difference));
            }
            out.push('\n');
        }
        let open = self.unallowlisted();
        if !open.is_empty() {
            out.push_str(&format!(
                "not allowlisted (fix our spec, or add an entry with its reason to {ALLOWLIST}):\n"
            ));
            for difference in open {
                out.push_str(&format!("  {difference}\n"));
            }
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        if !self.not_covered.is_empty() {
            out.push_str(
                "\nupstream operations not covered (other tags; they do not fail the run):\n",
            );
            for (tag, operations) in &self.not_covered {
                out.push_str(&format!("  {tag} ({})\n", operations.len()));
                for operation in operations {
                    out.push_str(&format!(
                        "    {} {}  {}\n",
                        operation.method, operation.path, operation.id
                    ));
                }
            }
        }
        out
    }
}

/// Compare our documents with the upstream one.
pub fn diff(upstream: &Document, ours: &[Document], allowlist: &Allowlist) -> Report {
    let upstream_operations = compare::operations(&upstream.root);
    let by_id: BTreeMap<&str, &compare::Operation<'_>> = upstream_operations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    let mut operations = Vec::new();
    let mut mapped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut our_paths = BTreeSet::new();
    for document in ours {
        for operation in compare::operations(&document.root) {
            our_paths.insert(operation.path.clone());
            let mut differences = Vec::new();
            let summary = match &operation.upstream_id {
                None => {
                    differences.push(Difference {
                        operation: operation.id.clone(),
                        at: UPSTREAM_OPERATION_EXTENSION.to_owned(),
                        upstream: "unknown".to_owned(),
                        ours: "missing".to_owned(),
                    });
                    format!("{}; {}", operation.route(), document.name)
                }
                Some(id) => {
                    mapped
                        .entry(id.clone())
                        .or_default()
                        .push(operation.id.clone());
                    match by_id.get(id.as_str()) {
                        None => differences.push(Difference {
                            operation: operation.id.clone(),
                            at: format!("upstream operation \"{id}\""),
                            upstream: "missing (disappeared upstream)".to_owned(),
                            ours: operation.route(),
                        }),
                        Some(upstream_operation) => {
                            compare::operation(upstream_operation, &operation, &mut differences);
                        }
                    }
                    format!("{}; upstream {id}", operation.route())
                }
            };
            operations.push((operation.id.clone(), summary, differences));
        }
    }
    for (id, ours) in &mapped {
        if ours.len() > 1 {
            for operation in ours {
                if let Some((_, _, differences)) =
                    operations.iter_mut().find(|(o, _, _)| o == operation)
                {
                    differences.push(Difference {
                        operation: operation.clone(),
                        at: UPSTREAM_OPERATION_EXTENSION.to_owned(),
                        upstream: format!("\"{id}\""),
                        ours: format!("also claimed by {}", ours.join(", ")),
                    });
                }
            }
        }
    }
    let mut not_covered: BTreeMap<String, Vec<UpstreamOperation>> = BTreeMap::new();
    for operation in &upstream_operations {
        if mapped.contains_key(&operation.id) {
            continue;
        }
        let covered: Vec<&String> = operation
            .tags
            .iter()
            .filter(|t| allowlist.covered_tags.contains(t))
            .collect();
        if !covered.is_empty() || our_paths.contains(&operation.path) {
            let why = match covered.first() {
                Some(tag) => format!("tag {tag}"),
                None => "on a path we keep".to_owned(),
            };
            operations.push((
                operation.id.clone(),
                format!("{}; upstream only", operation.route()),
                vec![Difference {
                    operation: operation.id.clone(),
                    at: "operation".to_owned(),
                    upstream: format!("{} ({why})", operation.route()),
                    ours: "missing".to_owned(),
                }],
            ));
        } else {
            let tag = operation
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "(no tag)".to_owned());
            not_covered.entry(tag).or_default().push(UpstreamOperation {
                id: operation.id.clone(),
                method: operation.method.clone(),
                path: operation.path.clone(),
            });
        }
    }
    // Apply the allowlist.
    let key = |d: &Difference| (d.operation.clone(), d.at.clone(), d.what());
    let mut named: BTreeMap<(String, String, String), Allowed> = BTreeMap::new();
    for (index, entry) in allowlist.entries.iter().enumerate() {
        for operation in &entry.operations {
            for at in &entry.at {
                named
                    .entry((operation.clone(), at.clone(), entry.difference.clone()))
                    .or_insert_with(|| Allowed {
                        entry: index + 1,
                        reason: entry.reason.clone(),
                    });
            }
        }
    }
    let mut used = BTreeSet::new();
    let operations = operations
        .into_iter()
        .map(|(operation, summary, differences)| OperationReport {
            operation,
            summary,
            findings: differences
                .into_iter()
                .map(|difference| {
                    let key = key(&difference);
                    let allowlisted = named.get(&key).cloned();
                    if allowlisted.is_some() {
                        used.insert(key);
                    }
                    Finding {
                        difference,
                        allowlisted,
                    }
                })
                .collect(),
        })
        .collect();
    let mut stale = Vec::new();
    for (index, entry) in allowlist.entries.iter().enumerate() {
        for operation in &entry.operations {
            for at in &entry.at {
                if !used.contains(&(operation.clone(), at.clone(), entry.difference.clone())) {
                    stale.push(Stale {
                        entry: index + 1,
                        difference: Difference::from_text(operation, at, &entry.difference),
                    });
                }
            }
        }
    }
    Report {
        operations,
        stale,
        not_covered,
    }
}

/// Read the upstream document (`upstream`, or the vendored copy), our specs
/// and the allowlist from the workspace at `root`, and compare them.
///
/// # Errors
/// The first document (or the allowlist) that cannot be read or parsed.
pub fn run(root: &Path, upstream: Option<&Path>) -> Result<Report, Error> {
    let vendored = root.join(VENDORED);
    let upstream = Document::read(upstream.unwrap_or(&vendored))?;
    let ours = tray_codegen::SPECS
        .iter()
        .map(|spec| Document::read(&spec.file(root)))
        .collect::<Result<Vec<_>, _>>()?;
    let allowlist = Allowlist::read(&root.join(ALLOWLIST))?;
    Ok(diff(&upstream, &ours, &allowlist))
}
