//! The weekly random sample (seed 001, step 8): every week each agent asks,
//! at random, at least three of the requesters they served to answer the
//! survey. The rules, as a pure function of the week's solved tickets:
//!
//! - per agent, up to `per_agent` requesters among those whose tickets the
//!   agent solved that week (fewer when fewer are available);
//! - nobody asked within the period (the caller passes who was), and nobody
//!   twice in one sample;
//! - never a security incident (seed 003 gives them their own path);
//! - the same seed over the same tickets picks the same people.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate, Weekday};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::TicketType;
use crate::validate::FieldError;

/// A solved ticket the sample may pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub ticket_id: i64,
    pub number: i64,
    /// Who solved it (the assignee).
    pub agent_id: i64,
    pub requester_id: i64,
    pub ticket_type: TicketType,
}

/// Picks the week's sample. `recently_asked`: requesters asked within the
/// period before this sample. The answer is ordered by agent, then ticket
/// number.
pub fn choose(candidates: &[Candidate], recently_asked: &HashSet<i64>, per_agent: usize, seed: u64) -> Vec<Candidate> {
    let mut by_agent: BTreeMap<i64, Vec<&Candidate>> = BTreeMap::new();
    for c in candidates {
        if !super::asks_survey(c.ticket_type) || recently_asked.contains(&c.requester_id) {
            continue;
        }
        by_agent.entry(c.agent_id).or_default().push(c);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut chosen_people: HashSet<i64> = HashSet::new();
    let mut out = Vec::new();
    for (_, mut pool) in by_agent {
        // A stable order first, so the shuffle depends on the seed alone.
        pool.sort_by_key(|c| c.ticket_id);
        pool.dedup_by_key(|c| c.ticket_id);
        pool.shuffle(&mut rng);
        let mut picked: Vec<Candidate> = Vec::new();
        for c in pool {
            if picked.len() >= per_agent {
                break;
            }
            if chosen_people.insert(c.requester_id) {
                picked.push(c.clone());
            }
        }
        picked.sort_by_key(|c| c.number);
        out.extend(picked);
    }
    out
}

/// An ISO week, `YYYY-Www` (e.g. `2026-W07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u32,
}

impl IsoWeek {
    pub fn parse(raw: &str) -> Result<IsoWeek, FieldError> {
        let bad = || FieldError::new("week", "invalid", format!("week {raw:?}: expected YYYY-Www, e.g. 2026-W07"));
        let (year, week) = raw.trim().split_once("-W").ok_or_else(bad)?;
        if year.len() != 4 || week.len() != 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
        Ok(IsoWeek { year, week })
    }

    /// The week a day falls in.
    pub fn of(day: NaiveDate) -> IsoWeek {
        let w = day.iso_week();
        IsoWeek { year: w.year(), week: w.week() }
    }

    /// Its Monday.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).expect("checked when parsed")
    }

    /// The week before.
    pub fn previous(self) -> IsoWeek {
        IsoWeek::of(self.monday() - chrono::Duration::days(7))
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(ticket_id: i64, agent_id: i64, requester_id: i64) -> Candidate {
        Candidate { ticket_id, number: ticket_id + 100, agent_id, requester_id, ticket_type: TicketType::Incident }
    }

    fn people(sample: &[Candidate], agent: i64) -> Vec<i64> {
        sample.iter().filter(|c| c.agent_id == agent).map(|c| c.requester_id).collect()
    }

    struct Case {
        name: &'static str,
        candidates: Vec<Candidate>,
        asked: Vec<i64>,
        per_agent: usize,
        /// How many each agent (1, 2) gets.
        expect: (usize, usize),
    }

    #[test]
    fn the_sample_follows_its_rules() {
        let mut security = c(9, 1, 90);
        security.ticket_type = TicketType::SecurityIncident;
        let cases = vec![
            Case {
                name: "three per agent when more are available",
                candidates: (1..=10).map(|i| c(i, 1 + i % 2, 10 + i)).collect(),
                asked: vec![],
                per_agent: 3,
                expect: (3, 3),
            },
            Case {
                name: "fewer when fewer are available",
                candidates: vec![c(1, 1, 11), c(2, 1, 12), c(3, 2, 13)],
                asked: vec![],
                per_agent: 3,
                expect: (2, 1),
            },
            Case {
                name: "one person with many tickets counts once",
                candidates: vec![c(1, 1, 11), c(2, 1, 11), c(3, 1, 11), c(4, 1, 12)],
                asked: vec![],
                per_agent: 3,
                expect: (2, 0),
            },
            Case {
                name: "nobody asked within the period",
                candidates: vec![c(1, 1, 11), c(2, 1, 12), c(3, 1, 13), c(4, 2, 14)],
                asked: vec![11, 14],
                per_agent: 3,
                expect: (2, 0),
            },
            Case {
                name: "never a security incident",
                candidates: vec![security.clone(), c(2, 1, 12)],
                asked: vec![],
                per_agent: 3,
                expect: (1, 0),
            },
            Case {
                name: "a person served by two agents is asked once",
                candidates: vec![c(1, 1, 11), c(2, 2, 11)],
                asked: vec![],
                per_agent: 3,
                expect: (1, 0),
            },
            Case {
                name: "nothing solved, nothing sampled",
                candidates: vec![],
                asked: vec![],
                per_agent: 3,
                expect: (0, 0),
            },
        ];
        for case in cases {
            let asked: HashSet<i64> = case.asked.iter().copied().collect();
            for seed in [0, 1, 42, u64::MAX] {
                let sample = choose(&case.candidates, &asked, case.per_agent, seed);
                assert_eq!(
                    (people(&sample, 1).len(), people(&sample, 2).len()),
                    case.expect,
                    "{} (seed {seed})",
                    case.name
                );
                let mut seen = HashSet::new();
                for s in &sample {
                    assert!(seen.insert(s.requester_id), "{}: {} twice", case.name, s.requester_id);
                    assert!(!asked.contains(&s.requester_id), "{}", case.name);
                    assert_ne!(s.ticket_type, TicketType::SecurityIncident, "{}", case.name);
                    assert!(case.candidates.contains(s), "{}", case.name);
                }
            }
        }
    }

    #[test]
    fn the_same_seed_picks_the_same_people_whatever_the_input_order() {
        let candidates: Vec<Candidate> = (1..=30).map(|i| c(i, 1 + i % 3, 100 + i)).collect();
        let mut reversed = candidates.clone();
        reversed.reverse();
        let none = HashSet::new();
        let a = choose(&candidates, &none, 3, 7);
        assert_eq!(a, choose(&reversed, &none, 3, 7));
        assert_eq!(a.len(), 9);
        let differs = (0..20).any(|seed| choose(&candidates, &none, 3, seed) != a);
        assert!(differs, "other seeds pick other people");
    }

    #[test]
    fn weeks_are_iso_weeks() {
        let w = IsoWeek::parse("2026-W01").unwrap();
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2025, 12, 29).unwrap());
        assert_eq!(w.to_string(), "2026-W01");
        assert_eq!(w.previous().to_string(), "2025-W52");
        assert_eq!(IsoWeek::of(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()).to_string(), "2026-W10");
        for bad in ["2026-W54", "2026W10", "26-W10", "2026-W1", "", "2026-Wxx"] {
            assert_eq!(IsoWeek::parse(bad).unwrap_err().field, "week", "{bad}");
        }
    }
}
