//! The error answers of the OpenAPI document, derived rather than listed by
//! hand: what an operation's shape implies is added by [`ErrorResponses`]
//! (every extractor's rejection), what depends on the use case is declared
//! with the shared response sets below ([`Forbidden`], [`Conflict`]) in the
//! operation's `responses(...)`.

use utoipa::IntoResponses;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use crate::error::ErrorBody;

// The response sets only describe answers (the handlers answer with
// `ApiError`), so their values are never built.

/// The role may not do this (a use case's authorisation check).
#[derive(IntoResponses)]
#[response(status = 403, description = "`forbidden`: the role may not do this")]
#[allow(dead_code)]
pub struct Forbidden(ErrorBody);

/// A conflict with the current state (`invalid_transition`, `ticket_closed`,
/// `email_taken`, `name_taken`, `busy_ticket`).
#[derive(IntoResponses)]
#[response(status = 409, description = "a conflict with the current state (`error.code` says which)")]
#[allow(dead_code)]
pub struct Conflict(ErrorBody);

/// Schemas of the request fields the use cases check, built from the same
/// names and limits (`schema_with = contract::…` on the field), so the
/// document refuses what the server refuses.
pub mod fields {
    use mesa_core::ticket::{SlaFilter, SortOrder, limits};
    use mesa_core::{HoldReason, Outcome, Priority, Role, Status, TicketType};
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::{Object, RefOr, Schema};

    /// A character Rust's `trim` keeps: not `White_Space` (which includes
    /// U+0085 and the Unicode spaces that `\s` may not cover).
    pub(super) const NOT_BLANK: &str = r"[^\s\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

    /// Text the server trims and refuses blank or over `max` characters.
    pub(super) fn required_text(max: usize) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(max))
            .pattern(Some(NOT_BLANK))
            .description(Some(format!("Not blank; at most {max} characters.")))
            .build()
    }

    /// Optional text: absent, `null` or blank means none; at most `max` characters.
    pub(super) fn optional_text(max: usize) -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .max_length(Some(max))
            .description(Some(format!("At most {max} characters; blank means none.")))
            .build()
    }

    pub(super) fn names<'a>(names: impl IntoIterator<Item = &'a str>, nullable: bool) -> RefOr<Schema> {
        let names: Vec<&str> = names.into_iter().collect();
        let schema_type =
            if nullable { SchemaType::from_iter([Type::String, Type::Null]) } else { Type::String.into() };
        let mut builder = ObjectBuilder::new().schema_type(schema_type);
        if nullable {
            builder = builder
                .enum_values(Some(names.into_iter().map(serde_json::Value::from).chain([serde_json::Value::Null])));
        } else {
            builder = builder.enum_values(Some(names));
        }
        RefOr::T(Schema::Object(builder.build()))
    }

    pub fn subject() -> Object {
        required_text(limits::SUBJECT)
    }
    pub fn description() -> Object {
        required_text(limits::DESCRIPTION)
    }
    pub fn body() -> Object {
        required_text(limits::ENTRY_BODY)
    }
    pub fn name() -> Object {
        required_text(limits::NAME)
    }
    pub fn optional_name() -> Object {
        optional_text(limits::NAME)
    }
    /// A new name in a change: absent or `null` keeps the old one; otherwise
    /// not blank.
    pub fn name_change() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .min_length(Some(1))
            .max_length(Some(limits::NAME))
            .pattern(Some(NOT_BLANK))
            .description(Some(format!("Not blank; at most {} characters; null keeps it.", limits::NAME)))
            .build()
    }
    pub fn phone() -> Object {
        optional_text(limits::PHONE)
    }
    pub fn remote_access_id() -> Object {
        optional_text(limits::REMOTE_ACCESS_ID)
    }
    pub fn reason() -> Object {
        optional_text(limits::REASON)
    }
    pub fn required_reason() -> Object {
        required_text(limits::REASON)
    }
    pub fn authorization_decision() -> RefOr<Schema> {
        names(mesa_app::routing::AuthorizationDecision::NAMES, false)
    }
    /// A support level, 1 to 3; `null` or absent leaves it.
    pub fn level() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
            .minimum(Some(1))
            .maximum(Some(mesa_core::ticket::Level::MAX))
            .build()
    }
    pub fn resolution() -> Object {
        optional_text(limits::RESOLUTION)
    }
    pub fn password() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .min_length(Some(mesa_app::MIN_PASSWORD_CHARS))
            .build()
    }
    pub fn ticket_type() -> RefOr<Schema> {
        names(TicketType::ALL.iter().map(|v| v.as_str()), true)
    }
    pub fn priority() -> RefOr<Schema> {
        names(Priority::ALL.iter().map(|v| v.as_str()), true)
    }
    pub fn required_priority() -> RefOr<Schema> {
        names(Priority::ALL.iter().map(|v| v.as_str()), false)
    }
    pub fn outcome() -> RefOr<Schema> {
        names(Outcome::ALL.iter().map(|v| v.as_str()), true)
    }
    pub fn status() -> RefOr<Schema> {
        names(Status::ALL.iter().map(|v| v.as_str()), false)
    }
    pub fn role() -> RefOr<Schema> {
        names(Role::ALL.iter().map(|v| v.as_str()), false)
    }
    /// What `Email::parse` accepts: one `@`, a dotted domain, no spaces,
    /// control characters or `<>,;"`; surrounding spaces are trimmed.
    const EMAIL: &str =
        r#"[^\s\x00-\x1f\x7f-\x9f<>,;"@]+@[^\s\x00-\x1f\x7f-\x9f<>,;"@.]+(\.[^\s\x00-\x1f\x7f-\x9f<>,;"@.]+)+"#;

    pub fn email() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!(r"^\s*{EMAIL}\s*$")))
            .max_length(Some(mesa_core::Email::MAX_LEN))
            .build()
    }
    /// A person to name or to clear: an address, or blank or `null` for
    /// nobody.
    pub fn email_or_none() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(format!(r"^\s*({EMAIL})?\s*$")))
            .max_length(Some(mesa_core::Email::MAX_LEN))
            .description(Some("An e-mail address; blank or null: nobody."))
            .build()
    }
    pub fn optional_email() -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(format!(r"^\s*{EMAIL}\s*$")))
            .max_length(Some(mesa_core::Email::MAX_LEN))
            .build()
    }
    /// The list's `assignee`: `me`, `none`, an e-mail address, or empty.
    pub fn assignee_filter() -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!(r"^\s*(me|none|{EMAIL})?\s*$")))
            .max_length(Some(mesa_core::Email::MAX_LEN))
            .build()
    }
    /// The list's `status`: statuses separated by commas (blanks ignored).
    pub fn status_filter() -> Object {
        let one = Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("|");
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!(r"^\s*({one})?\s*(,\s*({one})?\s*)*$")))
            .build()
    }
    /// A query value from a closed list; empty means the default.
    pub(super) fn choice(names: &[&str]) -> RefOr<Schema> {
        self::names(std::iter::once("").chain(names.iter().copied()), false)
    }
    pub fn sla_filter() -> RefOr<Schema> {
        choice(&SlaFilter::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    }
    pub fn sort_order() -> RefOr<Schema> {
        choice(&SortOrder::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    }
    /// A ticket's channel (issue 17); `null` or absent: the default.
    pub fn channel() -> RefOr<Schema> {
        names(mesa_core::Channel::ALL.iter().map(|v| v.as_str()), true)
    }
    /// A report's `type` filter: one ticket type, or empty for all.
    pub fn ticket_type_filter() -> RefOr<Schema> {
        choice(&TicketType::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    }
    /// A list's `channel` filter: one channel, or empty for all.
    pub fn channel_filter() -> RefOr<Schema> {
        choice(&mesa_core::Channel::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    }
    pub fn hold_reason_filter() -> RefOr<Schema> {
        choice(&HoldReason::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    }
    pub fn hold_reason() -> RefOr<Schema> {
        names(HoldReason::ALL.iter().map(|v| v.as_str()), false)
    }
}

pub mod bodies;
pub mod capabilities;

/// Adds to every operation the errors its shape implies:
///
/// | shape | answers |
/// |---|---|
/// | a bearer `security` requirement (the `Auth` extractor) | 401 `unauthenticated` |
/// | a request body (`ApiJson`, multipart) | 400 `malformed_request`, 413 `payload_too_large`, 422 `validation_failed` |
/// | a query parameter (`ApiQuery`) | 422 `validation_failed` |
/// | a path parameter (`parse_id`, a named item) | 404 `not_found` |
/// | any (every route reads the database) | 503 `unavailable` |
pub struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for op in operations.into_iter().flatten() {
                for (status, description) in implied_errors(op) {
                    let response = ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                        )
                        .build();
                    op.responses.responses.entry(status.to_string()).or_insert(RefOr::T(response));
                }
            }
        }
    }
}

/// The error statuses an operation's shape implies, with their descriptions.
fn implied_errors(op: &Operation) -> Vec<(u16, &'static str)> {
    let mut errors = Vec::new();
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        errors.push((401, "`unauthenticated`: a missing, unknown or revoked bearer token"));
    }
    if op.request_body.is_some() {
        errors.push((400, "`malformed_request`: a body that is not JSON (or not multipart)"));
        errors.push((413, "`payload_too_large`: a JSON body over 1 MiB, an attachment over the limit"));
    }
    let params = op.parameters.as_deref().unwrap_or_default();
    if op.request_body.is_some() || params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)) {
        errors.push((422, "`validation_failed`: a missing, mistyped or invalid field (`error.field` names it)"));
    }
    if params.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path)) {
        errors.push((404, "`not_found`: nothing by that number, id or name (or not visible to this user)"));
    }
    errors.push((503, "`unavailable`: the database cannot be reached"));
    errors
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    fn document() -> Value {
        serde_json::to_value(crate::openapi()).expect("the document serialises")
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("a path item") {
                ops.push((path.clone(), method.clone(), op));
            }
        }
        ops
    }

    fn statuses(op: &Value) -> BTreeSet<String> {
        op["responses"].as_object().expect("responses").keys().cloned().collect()
    }

    #[test]
    fn the_settings_schemas_name_the_fields_of_the_core_types() {
        let doc = document();
        for (schema, value) in [
            ("SlaSettings", serde_json::to_value(mesa_core::sla::SlaSettings::default()).unwrap()),
            ("AutomationSettings", serde_json::to_value(mesa_core::automation::AutomationSettings::default()).unwrap()),
            ("MailSettings", serde_json::to_value(mesa_app::MailSettings::default()).unwrap()),
            ("RoutingSettings", serde_json::to_value(mesa_core::routing::RoutingSettings::default()).unwrap()),
            (
                "RoutingRule",
                serde_json::to_value(mesa_core::routing::Rule {
                    service_id: Some(1),
                    building_id: Some(1),
                    department_id: Some(1),
                    ticket_type: Some("incident".into()),
                    agent_email: Some("a@b.co".into()),
                    team_id: Some(1),
                    level: Some(1),
                })
                .unwrap(),
            ),
            (
                "LevelTeam",
                serde_json::to_value(mesa_core::routing::LevelTeam { service_id: Some(1), level: 2, team_id: 3 })
                    .unwrap(),
            ),
        ] {
            let documented: BTreeSet<&String> =
                doc["components"]["schemas"][schema]["properties"].as_object().expect(schema).keys().collect();
            let actual: BTreeSet<&String> = value.as_object().unwrap().keys().collect();
            assert_eq!(documented, actual, "{schema}");
        }
    }

    #[test]
    fn the_survey_question_schema_names_the_fields_of_the_core_type() {
        let doc = document();
        let items = &doc["components"]["schemas"]["SurveyDoc"]["properties"]["questions"]["items"];
        let documented: BTreeSet<&String> =
            items["properties"].as_object().expect("question properties").keys().collect();
        let question = serde_json::to_value(&mesa_core::survey::Survey::default_survey().questions[0]).unwrap();
        let actual: BTreeSet<&String> = question.as_object().unwrap().keys().collect();
        assert_eq!(documented, actual);
    }

    /// The longest text a body may hold still fits the body limit when every
    /// character is sent as an escaped surrogate pair (12 bytes), so a valid
    /// request is never refused as too large.
    #[test]
    fn the_longest_valid_texts_fit_the_body_limit() {
        use mesa_app::knowledge::limits as kb;
        use mesa_core::ticket::limits;
        const ESCAPED: usize = 12;
        for (what, chars) in [
            ("article", kb::TITLE + kb::BODY + kb::CATEGORY),
            ("ticket", limits::SUBJECT + limits::DESCRIPTION),
            ("lesson", kb::TITLE + 3 * kb::LESSON_TEXT),
        ] {
            assert!(chars * ESCAPED + 4096 < crate::JSON_BODY_LIMIT, "{what}: {chars} characters");
        }
    }

    /// The desk's words are documented as a closed map: every language and
    /// every label key the server takes, and nothing else.
    #[test]
    fn the_desk_words_schema_lists_every_language_and_label() {
        let doc = document();
        let words = &doc["components"]["schemas"]["DeskWords"];
        assert_eq!(words["additionalProperties"], false);
        for lang in mesa_core::labels::Lang::ALL {
            let keys: BTreeSet<String> = words["properties"][lang.code()]["properties"]
                .as_object()
                .expect("a language")
                .keys()
                .cloned()
                .collect();
            let known: BTreeSet<String> = mesa_core::labels::domain_labels(lang).into_iter().map(|(k, _)| k).collect();
            assert_eq!(keys, known, "{}", lang.code());
        }
    }

    /// Generated clients name their methods by operation id: each is unique.
    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let mut seen = BTreeSet::new();
        for (path, method, op) in operations(&doc) {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(seen.insert(id.clone()), "{method} {path}: operation id {id} is used twice");
        }
    }

    #[test]
    fn path_parameters_are_exactly_the_names_in_the_path_template() {
        let doc = document();
        for (path, method, op) in operations(&doc) {
            let in_template: BTreeSet<&str> =
                path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let declared: BTreeSet<String> =
                params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap().to_owned()).collect();
            let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
            assert_eq!(declared, in_template, "{method} {path}: path parameters");
        }
    }

    #[test]
    fn every_operation_lists_the_errors_its_shape_implies() {
        let doc = document();
        for (path, method, op) in operations(&doc) {
            let got = statuses(op);
            let mut want = vec!["503"];
            if op.get("security").is_some() {
                want.push("401");
            }
            if op.get("requestBody").is_some() {
                want.extend(["400", "413", "422"]);
            }
            if path.contains('{') {
                want.push("404");
            }
            for status in want {
                assert!(got.contains(status), "{method} {path} does not list {status}: {got:?}");
                let body = &op["responses"][status]["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(body, "#/components/schemas/ErrorBody", "{method} {path} {status}");
            }
        }
    }

    #[test]
    fn only_health_labels_and_password_resets_are_open_to_anyone() {
        let doc = document();
        let open: BTreeSet<String> = operations(&doc)
            .into_iter()
            .filter(|(_, _, op)| op.get("security").is_none())
            .map(|(path, method, _)| format!("{method} {path}"))
            .collect();
        let expected: BTreeSet<String> = ["get /api/v1/health", "get /api/v1/labels", "post /api/v1/password-resets"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(open, expected);
    }
}
