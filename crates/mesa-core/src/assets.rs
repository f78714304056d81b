//! The asset inventory (PRODUCT §7; seed 004 keeps it in GLPI today),
//! warranty claims (seed 001 step 6) and the technical assessment's
//! recommendation ("concepto técnico").

use chrono::NaiveDate;

use crate::ticket::limits;
use crate::validate::{FieldError, optional_text, required_text};

pub mod asset_limits {
    pub const TAG: usize = 60;
    pub const TEXT: usize = 120;
    pub const NOTE: usize = 10_000;
}

named_enum!(
    /// Where a device stands.
    AssetStatus, "status" {
        Active => "active",
        InRepair => "in_repair",
        Retired => "retired",
    }
);

named_enum!(
    /// How a warranty claim ended (seed 001: a positive claim solves the
    /// case; a failed one calls for a technical assessment).
    ClaimResult, "result" {
        Repaired => "repaired",
        Replaced => "replaced",
        Refused => "refused",
    }
);

impl ClaimResult {
    /// Whether the device came back working.
    pub fn is_positive(self) -> bool {
        !matches!(self, ClaimResult::Refused)
    }
}

named_enum!(
    /// What a technical assessment recommends for a device.
    Recommendation, "recommendation" {
        Repair => "repair",
        Replace => "replace",
        Retire => "retire",
    }
);

/// A device's fields as written (API body or CSV row), before checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAsset {
    pub inventory_tag: String,
    pub asset_type: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub status: Option<String>,
    pub purchase_date: Option<String>,
    pub warranty_end: Option<String>,
}

/// A device's own fields, checked; references (building, department,
/// assignee, vendor) are resolved by the use case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFields {
    pub inventory_tag: String,
    pub asset_type: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub status: AssetStatus,
    pub purchase_date: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
}

/// The columns an import file must have, and the ones it may have.
pub const REQUIRED_COLUMNS: [&str; 8] =
    ["inventory_tag", "type", "brand", "model", "serial", "status", "purchase_date", "warranty_end"];
pub const OPTIONAL_COLUMNS: [&str; 4] = ["building_id", "department_id", "assigned_to_email", "vendor_id"];

fn date(field: &'static str, raw: Option<&str>) -> Result<Option<NaiveDate>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FieldError::new(field, "invalid", format!("{field} '{s}' is not a date (YYYY-MM-DD)"))),
    }
}

impl AssetFields {
    pub fn parse(raw: &RawAsset) -> Result<AssetFields, FieldError> {
        let status = match raw.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => AssetStatus::Active,
            Some(s) => AssetStatus::parse(s)?,
        };
        let purchase_date = date("purchase_date", raw.purchase_date.as_deref())?;
        let warranty_end = date("warranty_end", raw.warranty_end.as_deref())?;
        if let (Some(p), Some(w)) = (purchase_date, warranty_end)
            && w < p
        {
            return Err(FieldError::new("warranty_end", "before_purchase", "warranty_end is before purchase_date"));
        }
        let tag = required_text("inventory_tag", &raw.inventory_tag, asset_limits::TAG)?;
        if tag.chars().any(char::is_control) {
            return Err(FieldError::new("inventory_tag", "invalid", "inventory_tag has control characters"));
        }
        Ok(AssetFields {
            inventory_tag: tag,
            asset_type: required_text("type", &raw.asset_type, asset_limits::TEXT)?,
            brand: optional_text("brand", raw.brand.as_deref(), asset_limits::TEXT)?,
            model: optional_text("model", raw.model.as_deref(), asset_limits::TEXT)?,
            serial: optional_text("serial", raw.serial.as_deref(), asset_limits::TEXT)?,
            status,
            purchase_date,
            warranty_end,
        })
    }
}

/// Whether a device is under warranty on `today` (the last day included).
pub fn under_warranty(warranty_end: Option<NaiveDate>, today: NaiveDate) -> bool {
    warranty_end.is_some_and(|end| end >= today)
}

/// A warranty claim's opening fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimOpening {
    pub maker: Option<String>,
    pub case_number: Option<String>,
    pub sent_on: NaiveDate,
    pub note: Option<String>,
}

impl ClaimOpening {
    /// A claim goes to a vendor or a maker (`has_vendor`: a vendor was named).
    pub fn parse(
        has_vendor: bool,
        maker: Option<&str>,
        case_number: Option<&str>,
        sent_on: NaiveDate,
        note: Option<&str>,
        today: NaiveDate,
    ) -> Result<ClaimOpening, FieldError> {
        let maker = optional_text("maker", maker, limits::NAME)?;
        if !has_vendor && maker.is_none() {
            return Err(FieldError::new("maker", "required", "name the vendor (vendor_id) or the maker"));
        }
        if sent_on > today {
            return Err(FieldError::new("sent_on", "in_future", "sent_on cannot be in the future"));
        }
        Ok(ClaimOpening {
            maker,
            case_number: optional_text("case_number", case_number, asset_limits::TEXT)?,
            sent_on,
            note: optional_text("note", note, asset_limits::NOTE)?,
        })
    }
}

/// Checks a claim's result date against its opening.
pub fn check_returned_on(sent_on: NaiveDate, returned_on: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    if returned_on < sent_on {
        return Err(FieldError::new("returned_on", "before_sent", "returned_on is before sent_on"));
    }
    if returned_on > today {
        return Err(FieldError::new("returned_on", "in_future", "returned_on cannot be in the future"));
    }
    Ok(())
}

/// What a technical assessment says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentText {
    pub diagnosis: String,
    pub tests_done: String,
    pub findings: String,
    pub recommendation: Recommendation,
    pub signer_name: String,
    pub signer_role: String,
}

impl AssessmentText {
    pub fn parse(
        diagnosis: &str,
        tests_done: &str,
        findings: &str,
        recommendation: &str,
        signer_name: &str,
        signer_role: &str,
    ) -> Result<AssessmentText, FieldError> {
        Ok(AssessmentText {
            diagnosis: required_text("diagnosis", diagnosis, asset_limits::NOTE)?,
            tests_done: required_text("tests_done", tests_done, asset_limits::NOTE)?,
            findings: required_text("findings", findings, asset_limits::NOTE)?,
            recommendation: Recommendation::parse(recommendation.trim())?,
            signer_name: required_text("signer_name", signer_name, limits::NAME)?,
            signer_role: required_text("signer_role", signer_role, limits::NAME)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawAsset {
        RawAsset {
            inventory_tag: " INV-0001 ".into(),
            asset_type: "Portátil".into(),
            brand: Some("Lenovo".into()),
            model: Some("T14".into()),
            serial: Some("PF3ABC".into()),
            status: None,
            purchase_date: Some("2024-02-01".into()),
            warranty_end: Some("2027-02-01".into()),
        }
    }

    #[test]
    fn an_asset_row_is_trimmed_and_active_by_default() {
        let a = AssetFields::parse(&raw()).unwrap();
        assert_eq!((a.inventory_tag.as_str(), a.status), ("INV-0001", AssetStatus::Active));
        assert_eq!(a.warranty_end, NaiveDate::from_ymd_opt(2027, 2, 1));
    }

    #[test]
    fn bad_asset_rows_name_their_field() {
        let cases: Vec<(RawAsset, &str)> = vec![
            (RawAsset { inventory_tag: " ".into(), ..raw() }, "inventory_tag"),
            (RawAsset { asset_type: "".into(), ..raw() }, "type"),
            (RawAsset { status: Some("broken".into()), ..raw() }, "status"),
            (RawAsset { purchase_date: Some("01/02/2024".into()), ..raw() }, "purchase_date"),
            (RawAsset { warranty_end: Some("2023-01-01".into()), ..raw() }, "warranty_end"),
        ];
        for (r, field) in cases {
            assert_eq!(AssetFields::parse(&r).unwrap_err().field, field);
        }
    }

    #[test]
    fn the_warranty_covers_its_last_day() {
        let end = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert!(under_warranty(end, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
        assert!(!under_warranty(end, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
        assert!(!under_warranty(None, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()));
    }

    #[test]
    fn claims_name_who_repairs_and_keep_their_dates_in_order() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let sent = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(ClaimOpening::parse(false, None, None, sent, None, today).unwrap_err().field, "maker");
        assert!(ClaimOpening::parse(true, None, Some("RMA-1"), sent, None, today).is_ok());
        assert_eq!(
            ClaimOpening::parse(false, Some("HP"), None, today.succ_opt().unwrap(), None, today).unwrap_err().code,
            "in_future"
        );
        assert_eq!(check_returned_on(sent, sent.pred_opt().unwrap(), today).unwrap_err().code, "before_sent");
        assert!(check_returned_on(sent, today, today).is_ok());
        assert!(!ClaimResult::Refused.is_positive() && ClaimResult::Replaced.is_positive());
    }

    #[test]
    fn an_assessment_needs_every_part_and_a_known_recommendation() {
        assert!(AssessmentText::parse("d", "t", "f", "retire", "Ana", "Técnica").is_ok());
        assert_eq!(AssessmentText::parse("d", "t", "f", "sell", "Ana", "T").unwrap_err().field, "recommendation");
        assert_eq!(AssessmentText::parse("d", " ", "f", "repair", "Ana", "T").unwrap_err().field, "tests_done");
    }
}
