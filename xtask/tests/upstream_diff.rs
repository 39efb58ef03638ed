//! `cargo xtask upstream-diff`: a small hand-made pair of documents (ours
//! in OpenAPI 3.0, "upstream" in 3.1 forms) that are equivalent, then one
//! change at a time to the upstream one, each with the exact report lines
//! expected; the allowlist; the exit codes of the binary; the real run
//! against the vendored copy of Tray's document; its checksum.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use xtask::upstream::{Allowed, Allowlist, Document, Report, Stale, UpstreamOperation, diff};

/// Ours: OpenAPI 3.0, two operations under the covered tag `things`.
const OURS: &str = r##"
openapi: 3.0.3
info: {title: ours, version: '1'}
security:
  - bearerAuth: []
paths:
  /things/{thingId}:
    get:
      x-tray-upstream-operation-id: get-thing
      operationId: getThing
      tags: [things]
      parameters:
        - $ref: '#/components/parameters/ThingId'
        - name: verbose
          in: query
          required: false
          schema: {type: boolean}
      responses:
        '200':
          description: The thing
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
        '404':
          $ref: '#/components/responses/NotFound'
  /things/{thingId}/versions:
    post:
      x-tray-upstream-operation-id: ThingController.createVersion
      operationId: createThingVersion
      tags: [things]
      parameters:
        - $ref: '#/components/parameters/ThingId'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateVersion'
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Version'
components:
  securitySchemes:
    bearerAuth:
      type: http
      scheme: bearer
      description: Ours has a description; only the definition counts.
  parameters:
    ThingId:
      name: thingId
      in: path
      required: true
      schema:
        type: string
        format: uuid
  responses:
    NotFound:
      description: Not found
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Error'
  schemas:
    Thing:
      type: object
      required: [id, status]
      properties:
        id:
          type: string
        status:
          type: string
          enum: [Active, Archived]
        owner:
          type: string
          nullable: true
        labels:
          type: array
          items:
            $ref: '#/components/schemas/Label'
        parent:
          $ref: '#/components/schemas/Thing'
        createdAt:
          type: string
          format: date-time
        updatedAt:
          $ref: '#/components/schemas/Timestamp'
        metadata:
          type: object
          additionalProperties:
            type: string
    Timestamp:
      type: string
      format: date-time
      nullable: true
    Label:
      type: object
      required: [name]
      properties:
        name:
          type: string
    CreateVersion:
      type: object
      required: [title]
      properties:
        title:
          type: string
        description:
          type: string
    Version:
      type: object
      required: [title, number]
      properties:
        title:
          type: string
        description:
          type: string
        number:
          type: integer
    Error:
      type: object
      properties:
        message:
          type: string
"##;

/// The path item of the upstream `ThingController.createVersion`.
const UPSTREAM_VERSIONS: &str = r##"
  /things/{thingId}/versions:
    post:
      operationId: ThingController.createVersion
      tags:
        - things
      summary: Different words do not matter
      parameters:
        - in: path
          name: thingId
          required: true
          schema:
            type: string
            format: uuid
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CreateVersion'
            example:
              title: v1
      responses:
        '201':
          description: success
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Version'
"##;

/// The 404 of the upstream `get-thing`.
const NOT_FOUND: &str = "        404:
          description: Not found
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ResourceNotFound'
";

/// Upstream: the same operations in OpenAPI 3.1 forms (`type: [x, "null"]`,
/// unquoted status keys, `properties` without `type: object`, `allOf`,
/// `$ref`s to description and example files that were never published, a
/// recursive schema), plus one operation under another tag.
fn upstream_base() -> String {
    format!(
        r##"
openapi: 3.1.0
info: {{title: upstream, version: '1'}}
paths:
  /things/{{thingId}}:
    get:
      operationId: get-thing
      tags: [things]
      description:
        $ref: descriptions/things/getThing.md
      parameters:
        - in: path
          name: thingId
          required: true
          schema:
            type: string
            format: uuid
        - in: query
          name: verbose
          schema:
            type: boolean
      responses:
        200:
          description: OK
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
              examples:
                $ref: examples/things/thing.yaml
{NOT_FOUND}{UPSTREAM_VERSIONS}
  /widgets:
    get:
      operationId: list-widgets
      tags: [widgets]
      responses:
        '200':
          description: Widgets
          content:
            application/json:
              schema:
                type: array
                items:
                  type: string
components:
  schemas:
    Thing:
      properties:
        id:
          type: string
          description: The id
        status:
          type: string
          enum:
            - Active
            - Archived
        owner:
          type: [string, "null"]
        labels:
          type: array
          items:
            $ref: '#/components/schemas/Label'
        parent:
          description: The parent thing
          $ref: '#/components/schemas/Thing'
        createdAt:
          allOf:
            - type: string
            - format: date-time
        updatedAt:
          type: [string, "null"]
          format: date-time
        metadata:
          type: object
          additionalProperties:
            type: string
      required:
        - id
        - status
    Label:
      properties:
        name:
          type: string
      required: [name]
    CreateVersion:
      properties:
        title:
          type: string
        description:
          type: string
      required:
        - title
    Version:
      allOf:
        - $ref: '#/components/schemas/CreateVersion'
        - properties:
            number:
              type: integer
          required: [number]
    ResourceNotFound:
      type: object
      properties:
        message:
          type: string
  securitySchemes:
    bearerAuth:
      type: http
      scheme: bearer
security:
  - bearerAuth: []
"##
    )
}

fn ours() -> Document {
    Document::parse("ours.yaml", OURS).unwrap()
}

fn allowlist(text: &str) -> Allowlist {
    Allowlist::parse("allowlist", &format!("covered-tags: [things]\n{text}")).unwrap()
}

fn run(upstream: &str, allowlist_text: &str) -> Report {
    let upstream = Document::parse("upstream", upstream).unwrap();
    diff(&upstream, &[ours()], &allowlist(allowlist_text))
}

fn lines(report: &Report) -> Vec<String> {
    let mut lines: Vec<String> = report
        .unallowlisted()
        .iter()
        .map(ToString::to_string)
        .collect();
    lines.sort();
    lines
}

#[test]
fn equivalent_documents_have_no_difference_and_list_the_other_tag() {
    let report = run(&upstream_base(), "");
    assert_eq!(lines(&report), Vec::<String>::new());
    assert_eq!(report.findings().count(), 0);
    assert!(report.stale.is_empty());
    assert_eq!(report.exit_code(), 0);
    assert_eq!(
        report.not_covered,
        BTreeMap::from([(
            "widgets".to_owned(),
            vec![UpstreamOperation {
                id: "list-widgets".to_owned(),
                method: "GET".to_owned(),
                path: "/widgets".to_owned(),
            }]
        )])
    );
    let text = report.render();
    assert!(
        text.contains("no difference: getThing, createThingVersion"),
        "{text}"
    );
    assert!(
        text.contains(
            "0 differences: 0 allowlisted, 0 not; 0 stale allowlist entries; 1 upstream operations not covered"
        ),
        "{text}"
    );
    assert!(
        text.contains("  widgets (1)\n    GET /widgets  list-widgets\n"),
        "{text}"
    );
}

/// One change to the upstream document: `from` is replaced by `to` once.
struct Mutation {
    name: &'static str,
    from: &'static str,
    to: &'static str,
    expected: &'static [&'static str],
}

const MUTATIONS: &[Mutation] = &[
    Mutation {
        name: "a renamed field",
        from: "    Label:\n      properties:\n        name:\n          type: string\n      required: [name]",
        to: "    Label:\n      properties:\n        label:\n          type: string\n      required: [label]",
        expected: &[
            r#"getThing: response 200 property "labels[].label": upstream required string, ours missing"#,
            r#"getThing: response 200 property "labels[].name": upstream missing, ours required string"#,
        ],
    },
    Mutation {
        name: "a new required field",
        from: "      required:\n        - title",
        to: "        note:\n          type: string\n      required:\n        - title\n        - note",
        expected: &[
            r#"createThingVersion: request body property "note": upstream required string, ours missing"#,
            r#"createThingVersion: response 201 property "note": upstream required string, ours missing"#,
        ],
    },
    Mutation {
        name: "a dropped status code",
        from: NOT_FOUND,
        to: "",
        expected: &["getThing: response 404: upstream missing, ours declared"],
    },
    Mutation {
        name: "a new enum value",
        from: "            - Archived\n",
        to: "            - Archived\n            - Deleted\n",
        expected: &[
            r#"getThing: response 200 property "status" enum value "Deleted": upstream present, ours missing"#,
        ],
    },
    Mutation {
        name: "a changed path parameter",
        from: "          name: thingId\n          required: true\n          schema:\n            type: string\n            format: uuid\n        - in: query",
        to: "          name: thingId\n          required: true\n          schema:\n            type: integer\n            format: uuid\n        - in: query",
        expected: &[r#"getThing: parameter path "thingId": upstream integer, ours string"#],
    },
    Mutation {
        name: "a moved path",
        from: "  /things/{thingId}/versions:",
        to: "  /things/{thingId}/releases:",
        expected: &[
            "createThingVersion: path: upstream /things/{thingId}/releases, ours /things/{thingId}/versions",
        ],
    },
    Mutation {
        name: "a changed method",
        from: "    post:\n      operationId: ThingController.createVersion",
        to: "    put:\n      operationId: ThingController.createVersion",
        expected: &["createThingVersion: method: upstream PUT, ours POST"],
    },
    Mutation {
        name: "a removed operation",
        from: UPSTREAM_VERSIONS,
        to: "\n",
        expected: &[
            r#"createThingVersion: upstream operation "ThingController.createVersion": upstream missing (disappeared upstream), ours POST /things/{thingId}/versions"#,
        ],
    },
    Mutation {
        name: "a new operation under a covered tag",
        from: "  /widgets:\n",
        to: "  /things/{thingId}/archive:\n    post:\n      operationId: archive-thing\n      tags: [things]\n      responses:\n        204:\n          description: Archived\n  /widgets:\n",
        expected: &[
            "archive-thing: operation: upstream POST /things/{thingId}/archive (tag things), ours missing",
        ],
    },
    Mutation {
        name: "a changed type",
        from: "        id:\n          type: string\n          description: The id",
        to: "        id:\n          type: integer\n          description: The id",
        expected: &[r#"getThing: response 200 property "id": upstream integer, ours string"#],
    },
    Mutation {
        name: "a field that became nullable",
        from: "        id:\n          type: string\n          description: The id",
        to: "        id:\n          type: [string, 'null']\n          description: The id",
        expected: &[
            r#"getThing: response 200 property "id": upstream string or null, ours string"#,
        ],
    },
    Mutation {
        name: "a field that is no longer nullable",
        from: "type: [string, \"null\"]",
        to: "type: string",
        expected: &[
            r#"getThing: response 200 property "owner": upstream string, ours string or null"#,
        ],
    },
    Mutation {
        name: "a changed security scheme",
        from: "    bearerAuth:\n      type: http\n      scheme: bearer",
        to: "    bearerAuth:\n      type: apiKey\n      in: header\n      name: X-Tray-Key",
        expected: &[
            r#"createThingVersion: security: upstream apiKey header "X-Tray-Key", ours http bearer"#,
            r#"getThing: security: upstream apiKey header "X-Tray-Key", ours http bearer"#,
        ],
    },
    Mutation {
        name: "a changed media type",
        from: "        '201':\n          description: success\n          content:\n            application/json:",
        to: "        '201':\n          description: success\n          content:\n            application/vnd.tray+json:",
        expected: &[
            r#"createThingVersion: response 201 media type "application/json": upstream missing, ours declared"#,
            r#"createThingVersion: response 201 media type "application/vnd.tray+json": upstream declared, ours missing"#,
        ],
    },
    Mutation {
        name: "a parameter that became required",
        from: "        - in: query\n          name: verbose\n",
        to: "        - in: query\n          name: verbose\n          required: true\n",
        expected: &[r#"getThing: parameter query "verbose": upstream required, ours optional"#],
    },
    Mutation {
        name: "a new header parameter",
        from: "        - in: query\n          name: verbose\n",
        to: "        - in: header\n          name: X-Trace\n          required: true\n          schema:\n            type: string\n        - in: query\n          name: verbose\n",
        expected: &[
            r#"getThing: parameter header "X-Trace": upstream required string, ours missing"#,
        ],
    },
    Mutation {
        name: "a request body that is no longer required",
        from: "      requestBody:\n        required: true",
        to: "      requestBody:\n        required: false",
        expected: &["createThingVersion: request body: upstream optional, ours required"],
    },
    Mutation {
        name: "a changed format",
        from: "            - format: date-time",
        to: "            - format: date",
        expected: &[
            r#"getThing: response 200 property "createdAt" format: upstream date, ours date-time"#,
        ],
    },
    Mutation {
        name: "a format dropped upstream",
        from: "            format: uuid\n      requestBody:",
        to: "      requestBody:",
        expected: &[
            r#"createThingVersion: parameter path "thingId" format: upstream missing, ours uuid"#,
        ],
    },
    Mutation {
        name: "a format under a 3.1 null union",
        from: "          type: [string, \"null\"]\n          format: date-time",
        to: "          type: [string, \"null\"]\n          format: date",
        expected: &[
            r#"getThing: response 200 property "updatedAt" format: upstream date, ours date-time"#,
        ],
    },
    Mutation {
        name: "a format added upstream under a oneOf null union",
        from: "            type: boolean",
        to: "            oneOf:\n              - type: boolean\n                format: flag\n              - type: 'null'",
        expected: &[
            r#"getThing: parameter query "verbose": upstream boolean or null, ours boolean"#,
            r#"getThing: parameter query "verbose" format: upstream flag, ours missing"#,
        ],
    },
    Mutation {
        name: "additionalProperties added",
        from: "    Label:\n      properties:\n        name:\n          type: string\n      required: [name]",
        to: "    Label:\n      properties:\n        name:\n          type: string\n      required: [name]\n      additionalProperties: {}",
        expected: &[
            r#"getThing: response 200 property "labels[]" additionalProperties: upstream any, ours not declared"#,
        ],
    },
    Mutation {
        name: "additionalProperties removed",
        from: "          type: object\n          additionalProperties:\n            type: string\n",
        to: "          type: object\n",
        expected: &[
            r#"getThing: response 200 property "metadata" additionalProperties: upstream not declared, ours string"#,
        ],
    },
    Mutation {
        name: "additionalProperties that became false",
        from: "          additionalProperties:\n            type: string\n",
        to: "          additionalProperties: false\n",
        expected: &[
            r#"getThing: response 200 property "metadata" additionalProperties: upstream false, ours string"#,
        ],
    },
    Mutation {
        name: "additionalProperties of another type",
        from: "          additionalProperties:\n            type: string\n",
        to: "          additionalProperties: true\n",
        expected: &[
            r#"getThing: response 200 property "metadata" additionalProperties: upstream any, ours string"#,
        ],
    },
];

#[test]
fn each_upstream_change_is_reported() {
    let base = upstream_base();
    for mutation in MUTATIONS {
        assert!(
            base.contains(mutation.from),
            "{}: the base has no {:?}",
            mutation.name,
            mutation.from
        );
        let report = run(&base.replacen(mutation.from, mutation.to, 1), "");
        let mut expected: Vec<String> = mutation.expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(lines(&report), expected, "{}", mutation.name);
        assert_eq!(report.exit_code(), 1, "{}", mutation.name);
        let text = report.render();
        for line in &expected {
            assert!(
                text.contains(&format!("  {line}\n")),
                "{}: {text}",
                mutation.name
            );
        }
    }
}

#[test]
fn an_operation_on_a_path_we_keep_is_a_difference_whatever_its_tag() {
    let base = upstream_base();
    let changed = base.replacen(
        "  /things/{thingId}:\n    get:\n",
        "  /things/{thingId}:\n    delete:\n      operationId: delete-thing\n      tags: [admin]\n      responses:\n        204:\n          description: Deleted\n    get:\n",
        1,
    );
    let report = run(&changed, "");
    assert_eq!(
        lines(&report),
        vec![
            "delete-thing: operation: upstream DELETE /things/{thingId} (on a path we keep), ours missing"
        ]
    );
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_change_under_another_tag_does_not_fail() {
    let base = upstream_base();
    let from = "                items:\n                  type: string";
    assert!(base.contains(from));
    let changed = base.replacen(
        from,
        "                items:\n                  type: integer",
        1,
    );
    let changed = changed.replacen(
        "  /widgets:\n",
        "  /gadgets:\n    post:\n      operationId: create-gadget\n      tags: [gadgets]\n      responses:\n        201:\n          description: Created\n  /widgets:\n",
        1,
    );
    let report = run(&changed, "");
    assert_eq!(lines(&report), Vec::<String>::new());
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.not_covered_count(), 2);
    assert_eq!(report.not_covered["gadgets"][0].id, "create-gadget");
}

#[test]
fn a_recursive_schema_does_not_hang_and_is_compared_down_to_the_cycle() {
    // Thing.parent is Thing on both sides (the base has no difference); a
    // change inside the cycle is still found at the first level.
    let base = upstream_base();
    let report = run(
        &base.replacen(
            "        owner:\n          type: [string, \"null\"]",
            "        owner:\n          type: [integer, \"null\"]",
            1,
        ),
        "",
    );
    assert_eq!(
        lines(&report),
        vec![
            r#"getThing: response 200 property "owner": upstream integer or null, ours string or null"#
        ]
    );
}

/// Two differences: the changed type of `id` and the dropped 404.
fn two_differences() -> String {
    upstream_base()
        .replacen(
            "        id:\n          type: string\n          description: The id",
            "        id:\n          type: integer\n          description: The id",
            1,
        )
        .replacen(NOT_FOUND, "", 1)
}

#[test]
fn the_allowlist_suppresses_exactly_what_it_names() {
    let report = run(
        &two_differences(),
        r#"
differences:
  - operation: getThing
    at: response 200 property "id"
    difference: upstream integer, ours string
    reason: We keep ids as strings.
"#,
    );
    assert_eq!(
        lines(&report),
        vec!["getThing: response 404: upstream missing, ours declared"]
    );
    assert_eq!(report.exit_code(), 1);
    let allowed: Vec<_> = report
        .findings()
        .filter_map(|f| f.allowlisted.clone())
        .collect();
    assert_eq!(
        allowed,
        vec![Allowed {
            entry: 1,
            reason: "We keep ids as strings.".to_owned()
        }]
    );
    let text = report.render();
    assert!(
        text.contains(r#"  getThing: response 200 property "id": upstream integer, ours string  [allowlisted #1]"#),
        "{text}"
    );
    assert!(
        text.contains("  #1 (1 difference): We keep ids as strings.\n"),
        "{text}"
    );
    assert!(
        text.contains("2 differences: 1 allowlisted, 1 not; 0 stale allowlist entries"),
        "{text}"
    );

    // Both allowlisted, but the second entry also names a 410 that is not
    // there: exit 1 for that stale combination alone.
    let report = run(
        &two_differences(),
        r#"
differences:
  - operation: getThing
    at: response 200 property "id"
    difference: upstream integer, ours string
    reason: We keep ids as strings.
  - operation: getThing
    at: [response 404, response 410]
    difference: upstream missing, ours declared
    reason: Not this one.
"#,
    );
    assert!(report.unallowlisted().is_empty());
    assert_eq!(report.exit_code(), 1);
    assert_eq!(
        report.stale,
        vec![Stale {
            entry: 2,
            difference: xtask::upstream::Difference {
                operation: "getThing".to_owned(),
                at: "response 410".to_owned(),
                upstream: "missing".to_owned(),
                ours: "declared".to_owned(),
            }
        }]
    );
}

#[test]
fn additional_properties_false_and_not_declared_are_not_a_difference() {
    // Neither side allows other properties by saying so: nothing to report,
    // whichever side writes `false`.
    let upstream = upstream_base().replacen(
        "    Label:\n      properties:\n        name:\n          type: string\n      required: [name]",
        "    Label:\n      properties:\n        name:\n          type: string\n      required: [name]\n      additionalProperties: false",
        1,
    );
    let report = run(&upstream, "");
    assert_eq!(lines(&report), Vec::<String>::new());
    assert_eq!(report.exit_code(), 0);
}

#[test]
fn the_allowlist_suppresses_a_format_difference() {
    let upstream = upstream_base().replacen(
        "            - format: date-time",
        "            - format: date",
        1,
    );
    let line =
        r#"getThing: response 200 property "createdAt" format: upstream date, ours date-time"#;
    assert_eq!(lines(&run(&upstream, "")), vec![line]);
    let report = run(
        &upstream,
        r#"
differences:
  - operation: getThing
    at: response 200 property "createdAt" format
    difference: upstream date, ours date-time
    reason: We keep the time of day.
"#,
    );
    assert!(report.unallowlisted().is_empty());
    assert!(report.stale.is_empty());
    assert_eq!(report.exit_code(), 0);
    let text = report.render();
    assert!(
        text.contains(&format!("  {line}  [allowlisted #1]\n")),
        "{text}"
    );
}

#[test]
fn a_nearly_matching_entry_suppresses_nothing() {
    // Same operation and location, different difference text: no match.
    let report = run(
        &two_differences(),
        r#"
differences:
  - operation: getThing
    at: response 200 property "id"
    difference: upstream number, ours string
    reason: Wrong type named.
"#,
    );
    assert_eq!(lines(&report).len(), 2);
    assert_eq!(report.stale.len(), 1);
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_stale_entry_is_reported_and_fails() {
    let report = run(
        &upstream_base(),
        r#"
differences:
  - operation: [getThing, createThingVersion]
    at: parameter header "Authorization"
    difference: upstream required string, ours missing
    reason: Gone upstream since.
"#,
    );
    assert_eq!(report.findings().count(), 0);
    assert_eq!(report.stale.len(), 2);
    assert_eq!(report.stale[1].entry, 1);
    assert_eq!(
        report.stale[1].difference.to_string(),
        r#"createThingVersion: parameter header "Authorization": upstream required string, ours missing"#
    );
    assert_eq!(report.exit_code(), 1);
    let text = report.render();
    assert!(text.contains("stale allowlist entries"), "{text}");
    assert!(
        text.contains(r#"  #1: getThing: parameter header "Authorization": upstream required string, ours missing"#),
        "{text}"
    );
    assert!(
        text.contains("0 differences: 0 allowlisted, 0 not; 2 stale allowlist entries"),
        "{text}"
    );
}

#[test]
fn an_allowlist_entry_needs_a_reason_and_known_fields() {
    let empty_reason = "covered-tags: [things]\ndifferences:\n  - operation: a\n    at: b\n    difference: upstream x, ours y\n    reason: '  '\n";
    let error = Allowlist::parse("allowlist", empty_reason).unwrap_err();
    assert_eq!(
        error.to_string(),
        "allowlist: entry 1 has an empty `reason`"
    );
    let unknown = "covered-tags: [things]\ndifferences:\n  - operation: a\n    at: b\n    difference: upstream x, ours y\n    reason: r\n    pattern: '*'\n";
    assert!(Allowlist::parse("allowlist", unknown).is_err());
    assert!(Allowlist::parse("allowlist", "differences: []\n").is_err());
}

#[test]
fn an_our_operation_without_the_mapping_is_a_difference() {
    let ours = Document::parse(
        "ours.yaml",
        &OURS.replacen("      x-tray-upstream-operation-id: get-thing\n", "", 1),
    )
    .unwrap();
    let upstream = Document::parse("upstream", &upstream_base()).unwrap();
    let report = diff(&upstream, &[ours], &allowlist(""));
    let mut found: Vec<String> = report
        .unallowlisted()
        .iter()
        .map(ToString::to_string)
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            "get-thing: operation: upstream GET /things/{thingId} (tag things), ours missing",
            "getThing: x-tray-upstream-operation-id: upstream unknown, ours missing",
        ]
    );
}

// ---- the binary ---------------------------------------------------------------------------

fn xtask(root: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args);
    if let Some(root) = root {
        command.env("XTASK_WORKSPACE_ROOT", root);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_upstream_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.yaml");
    let output = xtask(None, &["upstream-diff", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(output.stdout.is_empty());
}

#[test]
fn an_upstream_file_that_is_not_yaml_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trayapi.yaml");
    std::fs::write(&file, "openapi: 3.1.0\npaths: {unclosed: [\n\t- nope").unwrap();
    let output = xtask(None, &["upstream-diff", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {} is not YAML: ", file.display())),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");

    std::fs::write(&file, "<html>Not found</html>\n").unwrap();
    let output = xtask(None, &["upstream-diff", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} is not an OpenAPI document: no `paths` mapping\n",
            file.display()
        )
    );
}

/// A scratch workspace with copies of the specs, the vendored document and
/// the allowlist.
fn scratch() -> tempfile::TempDir {
    let root = xtask::workspace_root();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("openapi/upstream")).unwrap();
    let mut files: Vec<&str> = tray_codegen::SPECS.iter().map(|s| s.path).collect();
    files.extend([xtask::upstream::VENDORED, xtask::upstream::ALLOWLIST]);
    for file in files {
        std::fs::copy(root.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

#[test]
fn one_of_our_specs_unparsable_exits_2() {
    let dir = scratch();
    let spec = dir.path().join("openapi/solutions.yaml");
    std::fs::write(&spec, "paths: [\n").unwrap();
    let output = xtask(Some(dir.path()), &["upstream-diff"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.starts_with(&format!("error: {} is not YAML: ", spec.display())),
        "{message}"
    );
}

#[test]
fn a_stale_entry_in_the_allowlist_file_fails_the_run() {
    let dir = scratch();
    let allowlist = dir.path().join(xtask::upstream::ALLOWLIST);
    let mut text = std::fs::read_to_string(&allowlist).unwrap();
    text.push_str(
        "\n  - operation: getDeployment\n    at: response 418\n    difference: upstream declared, ours missing\n    reason: A teapot.\n",
    );
    std::fs::write(&allowlist, text).unwrap();
    let output = xtask(Some(dir.path()), &["upstream-diff"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(": getDeployment: response 418: upstream declared, ours missing\n"),
        "{stdout}"
    );
    assert!(stdout.contains("; 1 stale allowlist entries;"), "{stdout}");
}

/// Every file under `dir`, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn the_real_run_passes_lists_the_uncovered_operations_and_writes_nothing() {
    let root = xtask::workspace_root();
    let before = tree(&root.join("openapi"));
    let output = xtask(None, &["upstream-diff"]);
    let after = tree(&root.join("openapi"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", stderr(&output));
    assert!(
        before == after,
        "upstream-diff changed a file under openapi/"
    );
    assert!(
        stdout.contains(" allowlisted, 0 not; 0 stale allowlist entries; "),
        "{stdout}"
    );
    assert!(
        stdout.contains("upstream operations not covered (other tags; they do not fail the run):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    GET /core/v1/connectors  get-connectors\n"),
        "{stdout}"
    );

    let report = xtask::upstream::run(&root, None).unwrap();
    assert_eq!(report.exit_code(), 0);
    assert!(report.unallowlisted().is_empty());
    // Every upstream operation under a covered tag is mapped by one of ours.
    let allowlist = Allowlist::read(&root.join(xtask::upstream::ALLOWLIST)).unwrap();
    for tag in &allowlist.covered_tags {
        assert!(!report.not_covered.contains_key(tag), "{tag}");
    }
    for tag in [
        "agent-groups",
        "agent-instances",
        "authentications",
        "connectors",
        "triggers",
        "users",
        "workspaces",
    ] {
        assert!(report.not_covered.contains_key(tag), "{tag}");
    }
    // Every one of ours names its upstream operation, and it exists.
    assert!(
        report
            .operations
            .iter()
            .all(|o| o.summary.contains("; upstream ")),
        "{report:?}"
    );
}

#[test]
fn the_vendored_copy_matches_its_recorded_sha256_and_size() {
    let root = xtask::workspace_root();
    let bytes = std::fs::read(root.join(xtask::upstream::VENDORED)).unwrap();
    let source = std::fs::read_to_string(root.join("openapi/upstream/SOURCE.md")).unwrap();
    let row = |name: &str| -> String {
        let prefix = format!("| {name} | ");
        let line = source
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {name} row"));
        line[prefix.len()..].trim_end_matches(" |").to_owned()
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(row("sha256"), format!("`{hex}`"));
    let size: String = row("size").chars().filter(char::is_ascii_digit).collect();
    assert_eq!(size, bytes.len().to_string());
}
