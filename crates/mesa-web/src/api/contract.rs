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
    use mesa_core::ticket::limits;
    use mesa_core::{HoldReason, Outcome, Priority, Role, Status, TicketType};
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    use utoipa::openapi::{Object, RefOr, Schema};

    /// Text the server trims and refuses blank or over `max` characters.
    fn required_text(max: usize) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(max))
            .pattern(Some(r"\S"))
            .description(Some(format!("Not blank; at most {max} characters.")))
            .build()
    }

    /// Optional text: absent, `null` or blank means none; at most `max` characters.
    fn optional_text(max: usize) -> Object {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .max_length(Some(max))
            .description(Some(format!("At most {max} characters; blank means none.")))
            .build()
    }

    fn names<'a>(names: impl IntoIterator<Item = &'a str>, nullable: bool) -> RefOr<Schema> {
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
    pub fn phone() -> Object {
        optional_text(limits::PHONE)
    }
    pub fn remote_access_id() -> Object {
        optional_text(limits::REMOTE_ACCESS_ID)
    }
    pub fn reason() -> Object {
        optional_text(limits::REASON)
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
    fn choice(names: &[&str]) -> RefOr<Schema> {
        self::names(std::iter::once("").chain(names.iter().copied()), false)
    }
    pub fn sla_filter() -> RefOr<Schema> {
        choice(&["breached", "at_risk"])
    }
    pub fn sort_order() -> RefOr<Schema> {
        choice(&["newest", "oldest", "due"])
    }
    pub fn hold_reason() -> RefOr<Schema> {
        names(HoldReason::ALL.iter().map(|v| v.as_str()), false)
    }
}

/// The documented shape of the settings bodies, whose Rust types live in
/// `mesa-core` (free of OpenAPI). A test below checks that they name the
/// same fields as the core types.
pub mod bodies {
    use serde::Serialize;
    use utoipa::ToSchema;

    use super::fields;

    /// Which hold reasons pause the service-target clocks, and when to warn.
    /// Missing keys take their defaults.
    #[derive(Serialize, ToSchema)]
    #[serde(default)]
    #[schema(as = SlaSettings)]
    pub struct SlaSettingsDoc {
        #[schema(schema_with = pausing_reasons)]
        pausing_reasons: Vec<String>,
        /// Warn the assignee once this share of the target is used.
        #[schema(minimum = 1, maximum = 100)]
        warn_at_percent: u8,
    }

    fn pausing_reasons() -> utoipa::openapi::Array {
        utoipa::openapi::schema::ArrayBuilder::new().items(fields::hold_reason()).build()
    }

    /// Each automation can be switched off; times are business time.
    /// Missing keys take their defaults.
    #[derive(Serialize, ToSchema)]
    #[serde(default)]
    #[schema(as = AutomationSettings)]
    pub struct AutomationSettingsDoc {
        auto_close: bool,
        #[schema(minimum = 0, maximum = 10000)]
        auto_close_after_hours: f64,
        requester_timeout: bool,
        #[schema(maximum = 4294967295.0)]
        requester_timeout_days: u32,
        resume_on_date: bool,
        approval_reminder: bool,
        #[schema(minimum = 0, maximum = 10000)]
        approval_reminder_after_hours: f64,
    }

    /// How incoming mail is threaded and answered. Missing keys take their
    /// defaults; unknown keys are refused.
    #[derive(Serialize, ToSchema)]
    #[serde(default, deny_unknown_fields)]
    #[schema(as = MailSettings)]
    pub struct MailSettingsDoc {
        /// Before `#` in the subject tag: up to 20 characters, without `[`, `]`, `#`.
        #[schema(max_length = 20, pattern = r"^[^\[\]#\x00-\x1f\x7f-\x9f]*$")]
        tag_prefix: String,
        #[schema(maximum = 3650)]
        reopen_within_days: u32,
        #[schema(schema_with = stranger_tag)]
        stranger_tag: String,
        /// Domain names (`alcaldia.gov.co`); empty: anyone.
        allowed_domains: Vec<String>,
        auto_reply: bool,
        #[schema(maximum = 1000)]
        auto_replies_per_hour: u32,
        notify_agents: bool,
        /// The sender policy: `method` (`dns`, `authentication_results` or
        /// `off`), `authserv_id`, `unverified_staff` (`internal_note` or `hold`).
        #[schema(value_type = Object)]
        authentication: serde_json::Value,
        /// Mailbox name → its own sender policy.
        #[schema(value_type = Object)]
        mailbox_authentication: serde_json::Value,
    }

    // The documented defaults are the real ones.
    impl Default for SlaSettingsDoc {
        fn default() -> Self {
            let d = mesa_core::sla::SlaSettings::default();
            Self { pausing_reasons: d.pausing_reasons, warn_at_percent: d.warn_at_percent }
        }
    }

    impl Default for AutomationSettingsDoc {
        fn default() -> Self {
            let d = mesa_core::automation::AutomationSettings::default();
            Self {
                auto_close: d.auto_close,
                auto_close_after_hours: d.auto_close_after_hours,
                requester_timeout: d.requester_timeout,
                requester_timeout_days: d.requester_timeout_days,
                resume_on_date: d.resume_on_date,
                approval_reminder: d.approval_reminder,
                approval_reminder_after_hours: d.approval_reminder_after_hours,
            }
        }
    }

    impl Default for MailSettingsDoc {
        fn default() -> Self {
            let d = mesa_app::MailSettings::default();
            Self {
                tag_prefix: d.tag_prefix,
                reopen_within_days: d.reopen_within_days,
                stranger_tag: d.stranger_tag,
                allowed_domains: d.allowed_domains,
                auto_reply: d.auto_reply,
                auto_replies_per_hour: d.auto_replies_per_hour,
                notify_agents: d.notify_agents,
                authentication: serde_json::to_value(&d.authentication).unwrap_or_default(),
                mailbox_authentication: serde_json::to_value(&d.mailbox_authentication).unwrap_or_default(),
            }
        }
    }

    fn stranger_tag() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .enum_values(Some(["new_ticket", "quarantine"]))
                .build(),
        ))
    }
}

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
        ] {
            let documented: BTreeSet<&String> =
                doc["components"]["schemas"][schema]["properties"].as_object().expect(schema).keys().collect();
            let actual: BTreeSet<&String> = value.as_object().unwrap().keys().collect();
            assert_eq!(documented, actual, "{schema}");
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
