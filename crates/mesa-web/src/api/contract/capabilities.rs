//! Field schemas of the vendor, asset, survey and knowledge routes, built
//! from the limits and names their use cases check (as [`super::fields`]
//! does for tickets), so the document refuses what the server refuses.

use mesa_app::knowledge::{Audience, LessonDecision, limits as kb};
use mesa_app::surveys::GroupBy;
use mesa_core::assets::{AssetStatus, ClaimResult, Recommendation, asset_limits};
use mesa_core::vendors::{EventKind, vendor_limits};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Object, RefOr, Schema};

use super::fields::{choice, names, optional_text, required_text};

/// What `Nit::parse` reads: 6 to 15 digits, dots, commas or spaces between
/// them, and an optional `-` check digit (whose value a pattern cannot check).
pub fn nit() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^[., ]*([0-9][., ]*){6,15}(-[., ]*[0-9][., ]*)?$"))
        .description(Some("Colombian NIT: 6 to 15 digits, dots and spaces allowed, optional `-` check digit."))
        .build()
}
pub fn contract_number() -> Object {
    required_text(vendor_limits::NUMBER)
}
pub fn contract_object() -> Object {
    required_text(vendor_limits::OBJECT)
}
pub fn vendor_case() -> Object {
    optional_text(vendor_limits::CASE)
}
pub fn vendor_note() -> Object {
    required_text(vendor_limits::NOTE)
}
pub fn optional_vendor_note() -> Object {
    optional_text(vendor_limits::NOTE)
}
pub fn event_kind() -> RefOr<Schema> {
    names(EventKind::ALL.iter().map(|k| k.as_str()), false)
}

/// An inventory tag: not blank, no control characters.
pub fn inventory_tag() -> Object {
    const PRINTABLE: &str = r"[^\x00-\x1f\x7f-\x9f]";
    // Neither a control character nor white space.
    const VISIBLE: &str = r"[^\s\x00-\x1f\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(asset_limits::TAG))
        .pattern(Some(format!("^{PRINTABLE}*{VISIBLE}{PRINTABLE}*$")))
        .description(Some(format!("Not blank, no control characters; at most {} characters.", asset_limits::TAG)))
        .build()
}
pub fn asset_text() -> Object {
    required_text(asset_limits::TEXT)
}
pub fn optional_asset_text() -> Object {
    optional_text(asset_limits::TEXT)
}
pub fn asset_note() -> Object {
    required_text(asset_limits::NOTE)
}
pub fn optional_asset_note() -> Object {
    optional_text(asset_limits::NOTE)
}
pub fn asset_status() -> RefOr<Schema> {
    names(AssetStatus::ALL.iter().map(|s| s.as_str()), true)
}
/// The asset list's `status`: empty means any.
pub fn asset_status_filter() -> RefOr<Schema> {
    choice(&AssetStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}
pub fn claim_result() -> RefOr<Schema> {
    names(ClaimResult::ALL.iter().map(|s| s.as_str()), false)
}
pub fn recommendation() -> RefOr<Schema> {
    names(Recommendation::ALL.iter().map(|s| s.as_str()), false)
}

pub fn article_title() -> Object {
    required_text(kb::TITLE)
}
pub fn article_body() -> Object {
    required_text(kb::BODY)
}
pub fn article_category() -> Object {
    optional_text(kb::CATEGORY)
}
pub fn audience() -> RefOr<Schema> {
    names(Audience::ALL.iter().map(|a| a.as_str()), false)
}
pub fn lesson_text() -> Object {
    required_text(kb::LESSON_TEXT)
}
pub fn lesson_decision() -> RefOr<Schema> {
    names(LessonDecision::ALL.iter().map(|d| d.as_str()), false)
}
pub fn lesson_reason() -> Object {
    optional_text(kb::REASON)
}

/// The results' `group_by`: empty means totals only.
pub fn group_by() -> RefOr<Schema> {
    choice(&GroupBy::ALL.iter().map(|g| g.as_str()).collect::<Vec<_>>())
}

/// A survey question's key.
pub fn question_key() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^[a-z0-9_]{{1,{}}}$", mesa_core::survey::KEY_MAX)))
        .build()
}
/// A question's wording in one language.
pub fn question_text() -> Object {
    required_text(mesa_core::survey::WORDING_MAX)
}

/// A survey's questions: 1 to `QUESTIONS_MAX`, each a `key`, a `kind`,
/// whether it is `required`, and its wording in `es` and `en` (keys must be
/// unique, which a schema cannot say of a property).
pub fn questions() -> utoipa::openapi::Array {
    use mesa_core::survey::{QUESTIONS_MAX, QuestionKind};
    use utoipa::openapi::schema::ArrayBuilder;
    let kinds = [QuestionKind::Scale, QuestionKind::YesNo, QuestionKind::Text]
        .map(|k| serde_json::to_value(k).expect("a kind serialises"));
    let kind = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(kinds)).build();
    let question = ObjectBuilder::new()
        .property("key", question_key())
        .required("key")
        .property("kind", kind)
        .required("kind")
        .property("required", ObjectBuilder::new().schema_type(Type::Boolean).build())
        .property("es", question_text())
        .required("es")
        .property("en", question_text())
        .required("en")
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
        .build();
    ArrayBuilder::new().items(question).min_items(Some(1)).max_items(Some(QUESTIONS_MAX)).build()
}

pub fn maintenance_name() -> Object {
    required_text(mesa_core::maintenance::plan_limits::NAME)
}
pub fn maintenance_what() -> Object {
    required_text(mesa_core::maintenance::plan_limits::WHAT)
}
/// An item's name: not blank, no control characters.
pub fn maintenance_item() -> Object {
    let mut item = inventory_tag();
    item.max_length = Some(mesa_core::maintenance::plan_limits::ITEM);
    item.description = Some(format!(
        "Not blank, no control characters; at most {} characters.",
        mesa_core::maintenance::plan_limits::ITEM
    ));
    item
}

// Indicators and improvement actions (issue 17).
/// A code: letters, digits, `-`, `_` or `.`.
pub fn indicator_code() -> Object {
    let mut code = required_text(mesa_core::indicator::limits::CODE);
    code.pattern = Some(r"^[A-Za-z0-9._-]+$".into());
    code.description =
        Some(format!("Letters, digits, '-', '_' or '.'; at most {} characters.", mesa_core::indicator::limits::CODE));
    code
}
pub fn indicator_name() -> Object {
    required_text(mesa_core::indicator::limits::NAME)
}
pub fn formula() -> RefOr<Schema> {
    names(mesa_core::indicator::Formula::ALL.iter().map(|f| f.as_str()), false)
}
pub fn direction() -> RefOr<Schema> {
    names(mesa_core::indicator::Direction::ALL.iter().map(|d| d.as_str()), true)
}
pub fn action_status() -> RefOr<Schema> {
    names(mesa_core::indicator::ActionStatus::ALL.iter().map(|s| s.as_str()), false)
}
pub fn action_status_filter() -> RefOr<Schema> {
    choice(&mesa_core::indicator::ActionStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}
pub fn action_what() -> Object {
    required_text(mesa_core::indicator::limits::WHAT)
}
pub fn action_cause() -> Object {
    optional_text(mesa_core::indicator::limits::CAUSE)
}
/// A month filter: `YYYY-MM`, or empty for the default.
pub fn month_filter() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$"))
        .description(Some("A month, YYYY-MM (2000 to 2100); empty: the default."))
        .build()
}
/// `YYYY-MM`, 2000 to 2100.
pub fn month() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"))
        .description(Some("A month, YYYY-MM (2000 to 2100)."))
        .build()
}
