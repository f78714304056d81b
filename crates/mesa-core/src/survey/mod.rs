//! Satisfaction surveys (PRODUCT.md §9; seed 001 step 8, seed 002 step 6,
//! seed 003's closing notice): the questions of a survey version, the desk's
//! survey settings, and how a requester's answers are checked.
//!
//! The weekly random sample is in [`sample`], the figures in [`results`].

pub mod results;
pub mod sample;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::labels::text;
use crate::validate::FieldError;
use crate::{Lang, TicketType};

/// A score at or below this is low: the desk lead hears of it.
pub const LOW_SCORE: u8 = 2;

/// The longest comment kept, in characters.
pub const COMMENT_MAX: usize = 2_000;

/// Whether a ticket's requester may be asked to answer the survey: never
/// for a security incident, which follows its own, confidential path.
pub fn asks_survey(ticket_type: TicketType) -> bool {
    ticket_type != TicketType::SecurityIncident
}

/// A survey has 1 to this many questions.
pub const QUESTIONS_MAX: usize = 20;
/// A question key's longest length (a-z, 0-9, `_`).
pub const KEY_MAX: usize = 40;
/// A question's longest wording, in characters, per language.
pub const WORDING_MAX: usize = 500;

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 1 (very bad) to 5 (very good).
    Scale,
    /// Yes or no.
    YesNo,
    /// Free text.
    Text,
}

/// One question: a stable key (the results group by it), its kind, whether
/// it must be answered, and its wording per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub key: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
    pub es: String,
    pub en: String,
}

impl Question {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.es,
            Lang::En => &self.en,
        }
    }
}

/// A version of the survey. One version is active at a time; an answer keeps
/// the version it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub version: i64,
    pub questions: Vec<Question>,
}

/// An answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerValue {
    Score(u8),
    YesNo(bool),
    Text(String),
}

/// The answers of one requester, by question key (unanswered ones left out).
pub type Answers = BTreeMap<String, AnswerValue>;

impl Survey {
    /// The default survey (version 1): overall satisfaction, timeliness and
    /// quality from 1 to 5, whether the request was solved, and a comment.
    pub fn default_survey() -> Survey {
        let q = |key: &str, kind, required| Question {
            key: key.to_owned(),
            kind,
            required,
            es: text(Lang::Es, &format!("survey.q.{key}")).to_owned(),
            en: text(Lang::En, &format!("survey.q.{key}")).to_owned(),
        };
        Survey {
            version: 1,
            questions: vec![
                q("overall", QuestionKind::Scale, true),
                q("timeliness", QuestionKind::Scale, true),
                q("quality", QuestionKind::Scale, true),
                q("resolved", QuestionKind::YesNo, true),
                q("comment", QuestionKind::Text, false),
            ],
        }
    }

    /// Checks a survey an administrator wrote: 1 to 20 questions, keys of
    /// lower-case letters, digits and `_`, unique, wording in both languages.
    pub fn check(&self) -> Result<(), FieldError> {
        if self.questions.is_empty() || self.questions.len() > QUESTIONS_MAX {
            let message = format!("a survey has 1 to {QUESTIONS_MAX} questions");
            return Err(FieldError::new("questions", "out_of_range", message));
        }
        let mut seen = std::collections::HashSet::new();
        for q in &self.questions {
            let key_ok = !q.key.is_empty()
                && q.key.len() <= KEY_MAX
                && q.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok {
                return Err(FieldError::new(
                    "questions",
                    "invalid_key",
                    format!("question key {:?}: 1 to {KEY_MAX} of a-z, 0-9, _", q.key),
                ));
            }
            if !seen.insert(q.key.as_str()) {
                return Err(FieldError::new("questions", "duplicate_key", format!("question key {:?} twice", q.key)));
            }
            for wording in [&q.es, &q.en] {
                if wording.trim().is_empty() || wording.chars().count() > WORDING_MAX {
                    return Err(FieldError::new(
                        "questions",
                        "invalid_text",
                        format!("question {:?}: wording of 1 to {WORDING_MAX} characters in es and en", q.key),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Parses what a requester sent (question key → raw value as typed or
    /// chosen: `1`…`5`, `yes`/`no`, text). Blank means unanswered; a
    /// required question must be answered; unknown keys are ignored.
    pub fn parse_answers(&self, raw: &BTreeMap<String, String>) -> Result<Answers, AnswerError> {
        let mut answers = Answers::new();
        for q in &self.questions {
            let value = raw.get(&q.key).map(|v| v.trim()).filter(|v| !v.is_empty());
            let Some(value) = value else {
                if q.required {
                    return Err(AnswerError { key: q.key.clone(), code: "required" });
                }
                continue;
            };
            let parsed = match q.kind {
                QuestionKind::Scale => match value.parse::<u8>() {
                    Ok(n @ 1..=5) => AnswerValue::Score(n),
                    _ => return Err(AnswerError { key: q.key.clone(), code: "out_of_range" }),
                },
                QuestionKind::YesNo => match value {
                    "yes" | "true" | "si" | "sí" => AnswerValue::YesNo(true),
                    "no" | "false" => AnswerValue::YesNo(false),
                    _ => return Err(AnswerError { key: q.key.clone(), code: "invalid" }),
                },
                QuestionKind::Text => {
                    if value.chars().count() > COMMENT_MAX {
                        return Err(AnswerError { key: q.key.clone(), code: "too_long" });
                    }
                    AnswerValue::Text(value.to_owned())
                }
            };
            answers.insert(q.key.clone(), parsed);
        }
        Ok(answers)
    }
}

/// Why an answer was refused: the question's key and a code the pages
/// translate (`ui.error.<code>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub key: String,
    pub code: &'static str,
}

impl From<AnswerError> for FieldError {
    fn from(e: AnswerError) -> Self {
        FieldError::new("answers", e.code, format!("question {:?}: {}", e.key, e.code))
    }
}

/// The lowest score among the answers, if any is at or below [`LOW_SCORE`].
pub fn low_score(answers: &Answers) -> Option<u8> {
    answers
        .values()
        .filter_map(|a| match a {
            AnswerValue::Score(n) => Some(*n),
            _ => None,
        })
        .min()
        .filter(|n| *n <= LOW_SCORE)
}

/// When the desk sends surveys and for how long a link works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveySettings {
    /// The survey link goes in the solved mail (seed 002, step 6).
    pub at_solution: bool,
    /// The weekly random sample picks requesters per agent (seed 001, step 8).
    pub weekly_sample: bool,
    /// How many requesters per agent the weekly sample picks (seed 001: at least three).
    pub sample_per_agent: u32,
    /// Nobody is asked twice within this many days.
    pub period_days: u32,
    /// A link stops working this many days after it is made.
    pub expires_days: u32,
}

impl Default for SurveySettings {
    fn default() -> Self {
        Self { at_solution: true, weekly_sample: false, sample_per_agent: 3, period_days: 30, expires_days: 15 }
    }
}

impl SurveySettings {
    pub fn check(&self) -> Result<(), FieldError> {
        for (field, value, max) in [
            ("sample_per_agent", self.sample_per_agent, 50),
            ("period_days", self.period_days, 366),
            ("expires_days", self.expires_days, 366),
        ] {
            if value > max || (field != "period_days" && value == 0) {
                return Err(FieldError::new(field, "out_of_range", format!("{field} must be 1 to {max}")));
            }
        }
        Ok(())
    }

    pub fn lifetime(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.expires_days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_default_survey_is_version_one_in_spanish_and_english() {
        let s = Survey::default_survey();
        assert_eq!(s.version, 1);
        assert!(s.check().is_ok());
        let keys: Vec<&str> = s.questions.iter().map(|q| q.key.as_str()).collect();
        assert_eq!(keys, ["overall", "timeliness", "quality", "resolved", "comment"]);
        assert!(s.questions.iter().all(|q| q.es != "??" && q.en != "??" && q.es != q.en));
        assert!(s.questions[3].es.contains("resolvió"), "{}", s.questions[3].es);
    }

    #[test]
    fn answers_are_checked_per_question() {
        let s = Survey::default_survey();
        let ok = s
            .parse_answers(&raw(&[
                ("overall", "5"),
                ("timeliness", " 4 "),
                ("quality", "1"),
                ("resolved", "no"),
                ("comment", " "),
                ("other", "x"),
            ]))
            .unwrap();
        assert_eq!(ok.len(), 4, "blank comment and unknown key left out");
        assert_eq!(ok["resolved"], AnswerValue::YesNo(false));
        assert_eq!(low_score(&ok), Some(1));
        let missing = s.parse_answers(&raw(&[("overall", "5")])).unwrap_err();
        assert_eq!((missing.key.as_str(), missing.code), ("timeliness", "required"));
        for bad in ["0", "6", "x", "-1", "3.5"] {
            let e = s
                .parse_answers(&raw(&[("overall", bad), ("timeliness", "3"), ("quality", "3"), ("resolved", "yes")]))
                .unwrap_err();
            assert_eq!(e.code, "out_of_range", "{bad}");
        }
        let long = "a".repeat(COMMENT_MAX + 1);
        let e = s
            .parse_answers(&raw(&[
                ("overall", "3"),
                ("timeliness", "3"),
                ("quality", "3"),
                ("resolved", "yes"),
                ("comment", &long),
            ]))
            .unwrap_err();
        assert_eq!(e.code, "too_long");
    }

    #[test]
    fn a_score_of_two_or_less_is_low() {
        let mut a = Answers::new();
        a.insert("overall".into(), AnswerValue::Score(3));
        assert_eq!(low_score(&a), None);
        a.insert("quality".into(), AnswerValue::Score(2));
        assert_eq!(low_score(&a), Some(2));
    }

    #[test]
    fn an_edited_survey_needs_unique_keys_and_both_languages() {
        let mut s = Survey::default_survey();
        s.questions[1].key = "overall".into();
        assert_eq!(s.check().unwrap_err().code, "duplicate_key");
        let mut s = Survey::default_survey();
        s.questions[0].en = " ".into();
        assert_eq!(s.check().unwrap_err().code, "invalid_text");
        let mut s = Survey::default_survey();
        s.questions[0].key = "Mal Key".into();
        assert_eq!(s.check().unwrap_err().code, "invalid_key");
        s.questions.clear();
        assert_eq!(s.check().unwrap_err().code, "out_of_range");
    }

    #[test]
    fn settings_default_to_fifteen_days_and_three_per_agent() {
        let s = SurveySettings::default();
        assert_eq!((s.expires_days, s.sample_per_agent, s.period_days), (15, 3, 30));
        assert!(s.check().is_ok());
        assert_eq!(SurveySettings { expires_days: 0, ..s.clone() }.check().unwrap_err().field, "expires_days");
        assert!(SurveySettings { period_days: 0, ..s }.check().is_ok());
    }
}
