//! The documented shape of the settings bodies, whose Rust types live in
//! `mesa-core` (free of OpenAPI). A test in `contract` checks that they name
//! the same fields as the core types.

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
    #[schema(value_type = i64, minimum = 0, maximum = 4294967295.0)]
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
    /// A requester's public reply to a solved ticket reopens it unless it is
    /// only one of these courtesies (e.g. `gracias`, `ok gracias`), folded,
    /// with up to three more words and no question.
    #[schema(schema_with = thanks_phrases)]
    thanks_phrases: Vec<String>,
}

/// Up to 50 phrases, each one line of 1 to 100 characters.
fn thanks_phrases() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let phrase = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(mesa_app::MAX_THANKS_CHARS))
        .pattern(Some(r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"))
        .build();
    ArrayBuilder::new().items(phrase).max_items(Some(mesa_app::MAX_THANKS_PHRASES)).build()
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
            thanks_phrases: d.thanks_phrases,
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

/// The routing document. Missing keys take their defaults; unknown keys are
/// refused. Rules are checked in order; the first that matches wins.
#[derive(Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(as = RoutingSettings)]
pub struct RoutingSettingsDoc {
    rules: Vec<RoutingRuleDoc>,
    /// The team that works a service (absent: every service) at a level.
    level_teams: Vec<LevelTeamDoc>,
    /// The team that receives security incidents and alone sees them.
    security_team_id: Option<i64>,
    /// Who may take a ticket from its assignee.
    #[schema(schema_with = reassigners)]
    reassignment: String,
}

/// What a rule matches (absent matches anything) and what it names (at
/// least one of agent, team, level).
#[derive(Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = RoutingRule)]
pub struct RoutingRuleDoc {
    service_id: Option<i64>,
    building_id: Option<i64>,
    department_id: Option<i64>,
    #[serde(rename = "type")]
    #[schema(schema_with = fields::ticket_type)]
    ticket_type: Option<String>,
    #[schema(schema_with = fields::optional_email)]
    agent_email: Option<String>,
    team_id: Option<i64>,
    #[schema(schema_with = fields::level)]
    level: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LevelTeam)]
pub struct LevelTeamDoc {
    service_id: Option<i64>,
    #[schema(minimum = 1, maximum = 3)]
    level: i64,
    team_id: i64,
}

impl Default for RoutingSettingsDoc {
    fn default() -> Self {
        let d = mesa_core::routing::RoutingSettings::default();
        Self {
            rules: Vec::new(),
            level_teams: Vec::new(),
            security_team_id: d.security_team_id,
            reassignment: serde_json::to_value(d.reassignment)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        }
    }
}

fn reassigners() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use mesa_core::routing::Reassigners;
    let names: Vec<String> = [Reassigners::Admins, Reassigners::Agents]
        .into_iter()
        .filter_map(|r| serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_owned)))
        .collect();
    utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(names))
            .build(),
    ))
}

/// The desk's own words: language code → label key (as `GET /labels` names
/// them) → word (one line of 1 to 60 characters). Unknown languages and keys
/// are refused; `{}` restores the built-in words.
pub struct DeskWordsDoc;

impl utoipa::PartialSchema for DeskWordsDoc {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        use mesa_core::labels::{Lang, domain_labels};
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        let word = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(mesa_core::words::MAX_WORD))
            .pattern(Some(r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"))
            .build();
        let closed = || {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(AdditionalProperties::<utoipa::openapi::Schema>::FreeForm(false)))
        };
        let mut root = closed();
        for lang in Lang::ALL {
            let mut by_key = closed();
            for (key, _) in domain_labels(lang) {
                by_key = by_key.property(key, word.clone());
            }
            root = root.property(lang.code(), by_key);
        }
        utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object(root.build()))
    }
}

impl ToSchema for DeskWordsDoc {
    fn name() -> std::borrow::Cow<'static, str> {
        "DeskWords".into()
    }
}
