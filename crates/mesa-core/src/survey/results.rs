//! Survey figures (seed 001 step 10, seed 002: the report contains the
//! survey results): response rate, average per question and distribution,
//! and the comments, for any set of sent links.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AnswerValue, Answers};

/// One link that was sent, and its answers if it was answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub answers: Option<Answers>,
}

/// The figures of one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionFigures {
    pub key: String,
    /// How many answered this question.
    pub answers: u64,
    /// The mean score (scale questions) or the share of "yes" (yes/no), rounded to two decimals.
    pub average: Option<f64>,
    /// Count per value: `1`…`5` for scales, `yes`/`no` for yes/no questions.
    pub distribution: BTreeMap<String, u64>,
}

/// The figures of a set of links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub sent: u64,
    pub answered: u64,
    /// answered / sent, from 0 to 1 (0 when nothing was sent), two decimals.
    pub response_rate: f64,
    pub questions: Vec<QuestionFigures>,
    pub comments: Vec<String>,
}

/// What one question collects while the answers are counted.
#[derive(Default)]
struct Tally {
    /// Answers of any kind.
    count: u64,
    /// Sum of the scores (yes = 1, no = 0) and how many were numeric.
    sum: u64,
    numeric: u64,
    distribution: BTreeMap<String, u64>,
    yes_no: bool,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The figures of `links`. Questions come in `order` first (the active
/// survey's), then any others answered in earlier versions, by key.
pub fn figures<'a>(links: impl IntoIterator<Item = &'a Sent>, order: &[String]) -> Figures {
    let mut sent = 0u64;
    let mut answered = 0u64;
    let mut per_key: BTreeMap<String, Tally> = BTreeMap::new();
    let mut comments = Vec::new();
    for link in links {
        sent += 1;
        let Some(answers) = &link.answers else { continue };
        answered += 1;
        for (key, value) in answers {
            let entry = per_key.entry(key.clone()).or_default();
            match value {
                AnswerValue::Score(n) => {
                    entry.count += 1;
                    entry.sum += u64::from(*n);
                    entry.numeric += 1;
                    *entry.distribution.entry(n.to_string()).or_default() += 1;
                }
                AnswerValue::YesNo(yes) => {
                    entry.count += 1;
                    entry.sum += u64::from(*yes);
                    entry.numeric += 1;
                    entry.yes_no = true;
                    *entry.distribution.entry(if *yes { "yes" } else { "no" }.to_owned()).or_default() += 1;
                }
                AnswerValue::Text(text) => {
                    entry.count += 1;
                    comments.push(text.clone());
                }
            }
        }
    }
    let mut keys: Vec<String> = order.iter().filter(|k| per_key.contains_key(*k)).cloned().collect();
    keys.extend(per_key.keys().filter(|k| !order.contains(k)).cloned());
    let questions = keys
        .into_iter()
        .map(|key| {
            let Tally { count, sum, numeric, mut distribution, yes_no } = per_key.remove(&key).unwrap_or_default();
            if numeric > 0 && !yes_no {
                for n in 1..=5 {
                    distribution.entry(n.to_string()).or_default();
                }
            }
            let average = (numeric > 0).then(|| round2(sum as f64 / numeric as f64));
            QuestionFigures { key, answers: count, average, distribution }
        })
        .collect();
    let response_rate = if sent == 0 { 0.0 } else { round2(answered as f64 / sent as f64) };
    Figures { sent, answered, response_rate, questions, comments }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(pairs: &[(&str, AnswerValue)]) -> Sent {
        Sent { answers: Some(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()) }
    }

    #[test]
    fn figures_count_rates_averages_and_distributions() {
        let links = vec![
            answered(&[
                ("overall", AnswerValue::Score(5)),
                ("resolved", AnswerValue::YesNo(true)),
                ("comment", AnswerValue::Text("Muy amable".into())),
            ]),
            answered(&[("overall", AnswerValue::Score(2)), ("resolved", AnswerValue::YesNo(false))]),
            answered(&[("overall", AnswerValue::Score(4)), ("old_question", AnswerValue::Score(3))]),
            Sent { answers: None },
        ];
        let f = figures(&links, &["overall".into(), "resolved".into(), "comment".into()]);
        assert_eq!((f.sent, f.answered, f.response_rate), (4, 3, 0.75));
        let keys: Vec<&str> = f.questions.iter().map(|q| q.key.as_str()).collect();
        assert_eq!(keys, ["overall", "resolved", "comment", "old_question"]);
        let overall = &f.questions[0];
        assert_eq!((overall.answers, overall.average), (3, Some(3.67)));
        assert_eq!(overall.distribution["5"], 1);
        assert_eq!(overall.distribution["1"], 0, "every score is listed");
        let resolved = &f.questions[1];
        assert_eq!(resolved.average, Some(0.5));
        assert_eq!((resolved.distribution["yes"], resolved.distribution["no"]), (1, 1));
        assert_eq!(f.questions[2].average, None);
        assert_eq!(f.comments, ["Muy amable"]);
    }

    #[test]
    fn nothing_sent_is_a_zero_rate_not_a_division_by_zero() {
        let f = figures(&[], &[]);
        assert_eq!((f.sent, f.answered, f.response_rate), (0, 0, 0.0));
        assert!(f.questions.is_empty());
    }
}
