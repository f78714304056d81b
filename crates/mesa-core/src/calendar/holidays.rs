//! Colombian national public holidays ("días festivos") for any year.
//!
//! The list is data: [`SPECS`] has one row per holiday with the rule that finds
//! its date, the law that makes it a day of rest and the first year it applies.
//! A new law is one more row (and its tests); nothing else changes.
//!
//! # Legal basis
//!
//! * **Ley 51 de 1983** ("Ley Emiliani", "por la cual se traslada el descanso
//!   remunerado de algunos días festivos"), article 1, which amended article 177
//!   of the Código Sustantivo del Trabajo (Decreto-Ley 2663 de 1950):
//!   - numeral 1 lists eighteen days of paid rest: 1 January, 6 January,
//!     19 March, 1 May, 29 June, 20 July, 7 August, 15 August, 12 October,
//!     1 November, 11 November, 8 December, 25 December, plus Holy Thursday,
//!     Good Friday, Ascension, Corpus Christi and Sacred Heart;
//!   - numeral 2 moves 6 January, 19 March, 29 June, 15 August, 12 October,
//!     1 November, 11 November, Ascension, Corpus Christi and Sacred Heart to the
//!     following Monday when they do not fall on a Monday;
//!   - numeral 3 says that, when those festivities fall on a Sunday, the rest is
//!     moved to the Monday too.
//!
//!   The law was sanctioned on 6 December 1983; its first full year is 1984
//!   ([`LEY_51_FIRST_YEAR`]). The Corte Suprema de Justicia upheld it on
//!   24 May 1984 (sentencia 38) and the Corte Constitucional again in C-568 de 1993
//!   and C-107 de 1994 (whose text reproduces article 1 verbatim).
//! * **Ley 35 de 1939** made 12 October (Día de la Raza) a national holiday; Ley 51
//!   keeps it and moves it to Monday.
//! * **Ley 2578 de 2026** (sanctioned on 1 June 2026), article 6, makes 9 July,
//!   the day of Nuestra Señora del Rosario de Chiquinquirá (patroness of
//!   Colombia), a national holiday of paid rest and sends its observance to
//!   Ley 51 de 1983, so it moves to the following Monday like the others of
//!   numeral 2. It applies from 2026 ([`LEY_2578_FIRST_YEAR`]): the first day of
//!   rest was Monday 13 July 2026, after the law was in force. From 2026 a year
//!   has nineteen holidays.
//!   Sources read in November 2026: the law's text as published by the Rama
//!   Judicial (SIDN, "Ley 2578 de 2026"), the Ministerio del Interior's note of
//!   5 June 2026 ("Gobierno sanciona ley que convierte el 9 de julio en nuevo
//!   festivo nacional"), El País and El Espectador (June 2026), and the holiday
//!   libraries that added it from 2026 with the same Monday rule
//!   (python-holidays, holidays/definitions, date-holidays, Nager.Date, jollyday).
//!
//! # Every change since 1983
//!
//! Re-checked in November 2026 against the laws cited by the maintained holiday
//! libraries and the Colombian press: the only laws since Ley 51 de 1983 that
//! added, removed or moved a national day of rest are
//!
//! | law | change | from |
//! |---|---|---|
//! | Ley 51 de 1983 | Sacred Heart added; ten holidays moved to Monday | 1984 |
//! | Ley 2578 de 2026, art. 6 | 9 July (Chiquinquirá) added, moved to Monday | 2026 |
//!
//! Earlier research in this module claimed that no law after 1983 changed the
//! list; Ley 2578 de 2026 proved it wrong, which is why each row now carries its
//! law and its first year.
//! Bills that would have changed the list were not enacted (e.g. Proyecto de Ley
//! 261 de 2006 Senado, which would have dropped the religious holidays; a 2015
//! bill for a Madre Laura holiday on 12 May; a 2020 bill to regroup the 2021–2022
//! holidays). Laws that create commemorative days (e.g. Ley 725 de 2001, Día de la
//! Afrocolombianidad, 21 May) do not make them days of rest.
//! Only the *name* of 12 October changed in practice: Resolución 0138 de 2021 of
//! the Ministerio de Cultura calls it "Día de la Diversidad Étnica y Cultural de
//! la Nación Colombiana". The date and the Monday rule are unchanged, so this
//! module keeps the name most calendars still print, "Día de la Raza".
//!
//! # Years before 1984
//!
//! The rows of Ley 51 de 1983 are applied to every year (proleptically). That is
//! *not* the historical calendar before 1984, when no holiday was moved to Monday
//! and Sacred Heart was not a day of rest; callers that care compare the year with
//! [`LEY_51_FIRST_YEAR`]. Rows of later laws apply only from their first year.
//! Easter uses the Gregorian computus for every year.
//!
//! # Two holidays on one date
//!
//! Sacred Heart (Easter + 68 days, a Friday, moved to Monday = Easter + 71) and
//! San Pedro y San Pablo (29 June moved to Monday) land on the same Monday when
//! Easter falls between 19 and 25 April — e.g. both on 30 June 2025. The law does
//! not move either of them again, so such a year has one date fewer than
//! holidays. [`colombian_holidays`] returns both entries. The Chiquinquirá Monday
//! (9–15 July) never meets another holiday: Sacred Heart's Monday is at the
//! latest 5 July, and 20 July is not moved.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

/// First year whose holidays follow Ley 51 de 1983 (sanctioned December 1983).
pub const LEY_51_FIRST_YEAR: i32 = 1984;

/// First year with the holiday of Ley 2578 de 2026 (sanctioned 1 June 2026).
pub const LEY_2578_FIRST_YEAR: i32 = 2026;

/// The law that makes a holiday a day of paid rest (and moves it, if it does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Law {
    /// Ley 35 de 1939 (12 October), kept and moved to Monday by Ley 51 de 1983.
    Ley35De1939,
    /// Ley 51 de 1983, article 1 (article 177 of the Código Sustantivo del Trabajo).
    Ley51De1983,
    /// Ley 2578 de 2026, article 6 (9 July, moved under Ley 51 de 1983).
    Ley2578De2026,
}

impl Law {
    /// How the law is cited in Colombia.
    pub fn citation(self) -> &'static str {
        match self {
            Law::Ley35De1939 => "Ley 35 de 1939",
            Law::Ley51De1983 => "Ley 51 de 1983",
            Law::Ley2578De2026 => "Ley 2578 de 2026",
        }
    }
}

/// One Colombian public holiday: the date on which the paid rest is observed
/// (after any move to Monday), its official Spanish name with an English one,
/// and the law behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Holiday {
    /// Date of the day of rest (already moved to Monday where the law says so).
    pub date: NaiveDate,
    /// Name as printed in Colombian official calendars.
    pub name_es: &'static str,
    /// English name, for logs and non-Spanish interfaces.
    pub name_en: &'static str,
    /// The law that makes it a day of rest.
    pub law: Law,
}

/// How a holiday's date is found.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Observed on its own date whatever the weekday (Ley 51, art. 1, num. 1).
    Fixed { month: u32, day: u32 },
    /// Moved to the next Monday unless it is a Monday (Ley 51, art. 1, num. 2 and 3).
    FixedToMonday { month: u32, day: u32 },
    /// Observed `days` after Easter Sunday (negative: before).
    Easter { days: i64 },
    /// The feast falls `days` after Easter and is moved to the next Monday
    /// (Ley 51, art. 1, num. 2 and 3).
    EasterToMonday { days: i64 },
}

/// One row of the holiday table.
struct Spec {
    rule: Rule,
    name_es: &'static str,
    name_en: &'static str,
    law: Law,
    /// First year the row applies; `None`: every year (the Ley 51 rows, applied
    /// proleptically, see the module docs).
    since: Option<i32>,
}

impl Spec {
    fn applies_in(&self, year: i32) -> bool {
        self.since.is_none_or(|first| year >= first)
    }
}

const fn ley51(rule: Rule, name_es: &'static str, name_en: &'static str) -> Spec {
    Spec { rule, name_es, name_en, law: Law::Ley51De1983, since: None }
}

/// Every national holiday, in calendar order of their feasts (this order breaks
/// ties between holidays observed on the same date).
const SPECS: [Spec; 19] = [
    ley51(Rule::Fixed { month: 1, day: 1 }, "Año Nuevo", "New Year's Day"),
    ley51(Rule::FixedToMonday { month: 1, day: 6 }, "Día de los Reyes Magos", "Epiphany"),
    ley51(Rule::FixedToMonday { month: 3, day: 19 }, "Día de San José", "Saint Joseph's Day"),
    ley51(Rule::Easter { days: -3 }, "Jueves Santo", "Maundy Thursday"),
    ley51(Rule::Easter { days: -2 }, "Viernes Santo", "Good Friday"),
    ley51(Rule::Fixed { month: 5, day: 1 }, "Día del Trabajo", "Labour Day"),
    // Ascension Thursday = Easter + 39 → Monday = Easter + 43.
    ley51(Rule::EasterToMonday { days: 39 }, "Día de la Ascensión", "Ascension Day"),
    // Corpus Christi Thursday = Easter + 60 → Monday = Easter + 64.
    ley51(Rule::EasterToMonday { days: 60 }, "Corpus Christi", "Corpus Christi"),
    // Sacred Heart Friday = Easter + 68 → Monday = Easter + 71.
    ley51(Rule::EasterToMonday { days: 68 }, "Sagrado Corazón", "Sacred Heart"),
    ley51(Rule::FixedToMonday { month: 6, day: 29 }, "San Pedro y San Pablo", "Saint Peter and Saint Paul"),
    // Ley 2578 de 2026, art. 6: 9 July, observed under Ley 51 (next Monday).
    Spec {
        rule: Rule::FixedToMonday { month: 7, day: 9 },
        name_es: "Día de Nuestra Señora del Rosario de Chiquinquirá",
        name_en: "Our Lady of the Rosary of Chiquinquirá",
        law: Law::Ley2578De2026,
        since: Some(LEY_2578_FIRST_YEAR),
    },
    ley51(Rule::Fixed { month: 7, day: 20 }, "Día de la Independencia", "Independence Day"),
    ley51(Rule::Fixed { month: 8, day: 7 }, "Batalla de Boyacá", "Battle of Boyacá"),
    ley51(Rule::FixedToMonday { month: 8, day: 15 }, "La Asunción de la Virgen", "Assumption of Mary"),
    // Ley 35 de 1939; moved to Monday by Ley 51 de 1983.
    Spec {
        rule: Rule::FixedToMonday { month: 10, day: 12 },
        name_es: "Día de la Raza",
        name_en: "Columbus Day",
        law: Law::Ley35De1939,
        since: None,
    },
    ley51(Rule::FixedToMonday { month: 11, day: 1 }, "Todos los Santos", "All Saints' Day"),
    ley51(Rule::FixedToMonday { month: 11, day: 11 }, "Independencia de Cartagena", "Independence of Cartagena"),
    ley51(Rule::Fixed { month: 12, day: 8 }, "Día de la Inmaculada Concepción", "Immaculate Conception"),
    ley51(Rule::Fixed { month: 12, day: 25 }, "Navidad", "Christmas Day"),
];

/// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian
/// algorithm of Meeus/Jones/Butcher). Euclidean division keeps it defined for
/// negative years; `None` only outside chrono's date range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n.div_euclid(31)).ok()?;
    let day = u32::try_from(n.rem_euclid(31) + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `date` itself if it is a Monday, otherwise the next Monday (Ley 51 de 1983,
/// art. 1, num. 2 "cuando no caigan en día lunes se trasladarán al lunes
/// siguiente", and num. 3 for Sundays).
fn on_or_next_monday(date: NaiveDate) -> Option<NaiveDate> {
    let ahead = (7 - date.weekday().num_days_from_monday()) % 7;
    date.checked_add_days(Days::new(u64::from(ahead)))
}

fn add_signed_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// The holidays in force in `year`, sorted by date (stable: holidays on one
/// date keep the order of their feasts); `None` when the year is outside
/// chrono's range.
fn compute(year: i32) -> Option<Box<[Holiday]>> {
    let easter = easter_sunday(year)?;
    let mut out = Vec::with_capacity(SPECS.len());
    for spec in SPECS.iter().filter(|s| s.applies_in(year)) {
        let date = match spec.rule {
            Rule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day)?,
            Rule::FixedToMonday { month, day } => on_or_next_monday(NaiveDate::from_ymd_opt(year, month, day)?)?,
            Rule::Easter { days } => add_signed_days(easter, days)?,
            Rule::EasterToMonday { days } => on_or_next_monday(add_signed_days(easter, days)?)?,
        };
        out.push(Holiday { date, name_es: spec.name_es, name_en: spec.name_en, law: spec.law });
    }
    out.sort_by_key(|h| h.date);
    Some(out.into_boxed_slice())
}

/// The years whose holidays are computed once and kept (business-time
/// arithmetic asks about the same days again and again: once per ticket
/// clock per request). Other years are computed on each call.
const CACHED_YEARS: std::ops::RangeInclusive<i32> = 1950..=2150;

/// Runs `f` on the holidays of `year` (remembered per year inside
/// [`CACHED_YEARS`]); `None` outside chrono's range.
fn with_holidays<R>(year: i32, f: impl FnOnce(&[Holiday]) -> R) -> Option<R> {
    static CACHE: [std::sync::OnceLock<Option<Box<[Holiday]>>>; 201] = [const { std::sync::OnceLock::new() }; 201];
    if CACHED_YEARS.contains(&year) {
        CACHE[(year - CACHED_YEARS.start()) as usize].get_or_init(|| compute(year)).as_deref().map(f)
    } else {
        compute(year).as_deref().map(f)
    }
}

/// All Colombian national holidays of `year`, sorted by date.
///
/// Eighteen entries up to 2025 and nineteen from 2026 (Ley 2578 de 2026) for
/// years inside chrono's range (empty outside it). Two entries share a date when
/// Sacred Heart and San Pedro y San Pablo coincide (see the module docs); they
/// then appear in the order of their feasts (Sagrado Corazón first). Years before
/// [`LEY_51_FIRST_YEAR`] get the Ley 51 rules, which is not their historical
/// calendar.
///
/// ```
/// use mesa_core::calendar::colombian_holidays;
/// let h = colombian_holidays(2026);
/// assert_eq!(h.len(), 19);
/// assert_eq!(h[1].name_es, "Día de los Reyes Magos");
/// assert_eq!(h[1].date.to_string(), "2026-01-12"); // 6 January moved to Monday
/// assert_eq!(h[10].date.to_string(), "2026-07-13"); // 9 July moved to Monday
/// assert_eq!(h[10].law.citation(), "Ley 2578 de 2026");
/// ```
pub fn colombian_holidays(year: i32) -> Vec<Holiday> {
    with_holidays(year, <[Holiday]>::to_vec).unwrap_or_default()
}

/// Holidays observed on `date` (zero, one, or two when two coincide).
pub fn colombian_holidays_on(date: NaiveDate) -> Vec<Holiday> {
    with_holidays(date.year(), |all| all.iter().filter(|h| h.date == date).copied().collect()).unwrap_or_default()
}

/// Whether `date` is a Colombian national holiday (a day of paid rest under
/// the laws above). Sundays are not holidays by themselves.
pub fn is_colombian_holiday(date: NaiveDate) -> bool {
    with_holidays(date.year(), |all| all.iter().any(|h| h.date == date)).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use std::collections::BTreeSet;

    const CHIQUINQUIRA: &str = "Día de Nuestra Señora del Rosario de Chiquinquirá";

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Compares the computed list with a published one, given as (month, day,
    /// Spanish name) rows in date order.
    fn assert_year(year: i32, expected: &[(u32, u32, &str)]) {
        let got: Vec<(NaiveDate, &str)> = colombian_holidays(year).iter().map(|h| (h.date, h.name_es)).collect();
        let want: Vec<(NaiveDate, &str)> = expected.iter().map(|&(m, day, name)| (d(year, m, day), name)).collect();
        assert_eq!(got, want, "holidays of {year}");
    }

    // Published calendars used below (read in 2026 through stored copies):
    // 2012: nominas.com.co "Feriados 2012"; 2023: pulzo.com, eltiempo.com and
    // semana.com (2023 articles); 2024: seguimiento.co and noticias24colombia.com;
    // 2025: festivos.com.co/2025 and publicholidays.co (citing banrep.gov.co);
    // 2026: noticiascaracol.com, kienyke.com, elespectador.com (Dec 2025/Jan 2026,
    // eighteen holidays) plus 13 July from Ley 2578 de 2026 as announced by the
    // Ministerio del Interior (June 2026) and nager.at's 2026 list;
    // 2027: elrinconcolombiano.com "Calendario de Colombia de 2027" (printed before
    // the law) plus 12 July, the date python-holidays and holidays/definitions
    // test for 2027; 2031: public-holidays.us plus 14 July (python-holidays).
    // Names are normalised to this module's names.

    #[test]
    fn holidays_2012_match_the_published_calendar() {
        assert_year(
            2012,
            &[
                (1, 1, "Año Nuevo"),
                (1, 9, "Día de los Reyes Magos"),
                (3, 19, "Día de San José"),
                (4, 5, "Jueves Santo"),
                (4, 6, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (5, 21, "Día de la Ascensión"),
                (6, 11, "Corpus Christi"),
                (6, 18, "Sagrado Corazón"),
                (7, 2, "San Pedro y San Pablo"),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 20, "La Asunción de la Virgen"),
                (10, 15, "Día de la Raza"),
                (11, 5, "Todos los Santos"),
                (11, 12, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
    }

    #[test]
    fn holidays_2023_match_the_published_calendar() {
        assert_year(
            2023,
            &[
                (1, 1, "Año Nuevo"),
                (1, 9, "Día de los Reyes Magos"),
                (3, 20, "Día de San José"),
                (4, 6, "Jueves Santo"),
                (4, 7, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (5, 22, "Día de la Ascensión"),
                (6, 12, "Corpus Christi"),
                (6, 19, "Sagrado Corazón"),
                (7, 3, "San Pedro y San Pablo"),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 21, "La Asunción de la Virgen"),
                (10, 16, "Día de la Raza"),
                (11, 6, "Todos los Santos"),
                (11, 13, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
    }

    #[test]
    fn holidays_2024_match_the_published_calendar() {
        assert_year(
            2024,
            &[
                (1, 1, "Año Nuevo"),
                (1, 8, "Día de los Reyes Magos"),
                (3, 25, "Día de San José"),
                (3, 28, "Jueves Santo"),
                (3, 29, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (5, 13, "Día de la Ascensión"),
                (6, 3, "Corpus Christi"),
                (6, 10, "Sagrado Corazón"),
                (7, 1, "San Pedro y San Pablo"),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 19, "La Asunción de la Virgen"),
                (10, 14, "Día de la Raza"),
                (11, 4, "Todos los Santos"),
                (11, 11, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
    }

    #[test]
    fn holidays_2025_match_the_published_calendar_with_two_on_30_june() {
        assert_year(
            2025,
            &[
                (1, 1, "Año Nuevo"),
                (1, 6, "Día de los Reyes Magos"),
                (3, 24, "Día de San José"),
                (4, 17, "Jueves Santo"),
                (4, 18, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (6, 2, "Día de la Ascensión"),
                (6, 23, "Corpus Christi"),
                (6, 30, "Sagrado Corazón"),
                (6, 30, "San Pedro y San Pablo"),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 18, "La Asunción de la Virgen"),
                (10, 13, "Día de la Raza"),
                (11, 3, "Todos los Santos"),
                (11, 17, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
        assert_eq!(colombian_holidays_on(d(2025, 6, 30)).len(), 2);
    }

    #[test]
    fn holidays_2026_match_the_published_calendar_with_chiquinquira_on_13_july() {
        assert_year(
            2026,
            &[
                (1, 1, "Año Nuevo"),
                (1, 12, "Día de los Reyes Magos"),
                (3, 23, "Día de San José"),
                (4, 2, "Jueves Santo"),
                (4, 3, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (5, 18, "Día de la Ascensión"),
                (6, 8, "Corpus Christi"),
                (6, 15, "Sagrado Corazón"),
                (6, 29, "San Pedro y San Pablo"),
                (7, 13, CHIQUINQUIRA),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 17, "La Asunción de la Virgen"),
                (10, 12, "Día de la Raza"),
                (11, 2, "Todos los Santos"),
                (11, 16, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
    }

    #[test]
    fn holidays_2031_match_the_published_calendar() {
        assert_year(
            2031,
            &[
                (1, 1, "Año Nuevo"),
                (1, 6, "Día de los Reyes Magos"),
                (3, 24, "Día de San José"),
                (4, 10, "Jueves Santo"),
                (4, 11, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (5, 26, "Día de la Ascensión"),
                (6, 16, "Corpus Christi"),
                (6, 23, "Sagrado Corazón"),
                (6, 30, "San Pedro y San Pablo"),
                (7, 14, CHIQUINQUIRA),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 18, "La Asunción de la Virgen"),
                (10, 13, "Día de la Raza"),
                (11, 3, "Todos los Santos"),
                (11, 17, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
    }

    #[test]
    fn holidays_2027_match_the_published_calendar_with_chiquinquira_on_12_july() {
        assert_year(
            2027,
            &[
                (1, 1, "Año Nuevo"),
                (1, 11, "Día de los Reyes Magos"),
                (3, 22, "Día de San José"),
                (3, 25, "Jueves Santo"),
                (3, 26, "Viernes Santo"),
                (5, 1, "Día del Trabajo"),
                (5, 10, "Día de la Ascensión"),
                (5, 31, "Corpus Christi"),
                (6, 7, "Sagrado Corazón"),
                (7, 5, "San Pedro y San Pablo"),
                (7, 12, CHIQUINQUIRA),
                (7, 20, "Día de la Independencia"),
                (8, 7, "Batalla de Boyacá"),
                (8, 16, "La Asunción de la Virgen"),
                (10, 18, "Día de la Raza"),
                (11, 1, "Todos los Santos"),
                (11, 15, "Independencia de Cartagena"),
                (12, 8, "Día de la Inmaculada Concepción"),
                (12, 25, "Navidad"),
            ],
        );
    }

    #[test]
    fn chiquinquira_is_a_holiday_from_2026_only_and_cites_ley_2578() {
        // Before the law: 9 July and its Monday are ordinary days.
        for year in [1984, 2000, 2025] {
            assert!(colombian_holidays(year).iter().all(|h| h.name_es != CHIQUINQUIRA), "{year}");
            assert_eq!(colombian_holidays(year).len(), 18, "{year}");
        }
        assert!(!is_colombian_holiday(d(2025, 7, 14))); // the Monday after 9 July 2025
        assert!(is_colombian_holiday(d(2026, 7, 13)));
        assert!(!is_colombian_holiday(d(2026, 7, 9))); // the feast itself is worked
        assert!(is_colombian_holiday(d(2029, 7, 9))); // already a Monday: not moved
        assert!(!is_colombian_holiday(d(2029, 7, 16)));
        let h = colombian_holidays_on(d(2026, 7, 13));
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].law, Law::Ley2578De2026);
        assert_eq!(h[0].law.citation(), "Ley 2578 de 2026");
        assert_eq!(colombian_holidays_on(d(2026, 10, 12))[0].law, Law::Ley35De1939);
        assert_eq!(colombian_holidays_on(d(2026, 12, 25))[0].law, Law::Ley51De1983);
        for year in [LEY_2578_FIRST_YEAR, 2027, 2060, 2150, 2151, 3000] {
            assert_eq!(colombian_holidays(year).len(), 19, "{year}");
        }
    }

    /// Easter Sunday 1984–2060 from published Easter tables, cross-checked with
    /// python-dateutil's `easter()` (an independent implementation).
    const EASTER_TABLE: [(i32, u32, u32); 77] = [
        (1984, 4, 22),
        (1985, 4, 7),
        (1986, 3, 30),
        (1987, 4, 19),
        (1988, 4, 3),
        (1989, 3, 26),
        (1990, 4, 15),
        (1991, 3, 31),
        (1992, 4, 19),
        (1993, 4, 11),
        (1994, 4, 3),
        (1995, 4, 16),
        (1996, 4, 7),
        (1997, 3, 30),
        (1998, 4, 12),
        (1999, 4, 4),
        (2000, 4, 23),
        (2001, 4, 15),
        (2002, 3, 31),
        (2003, 4, 20),
        (2004, 4, 11),
        (2005, 3, 27),
        (2006, 4, 16),
        (2007, 4, 8),
        (2008, 3, 23),
        (2009, 4, 12),
        (2010, 4, 4),
        (2011, 4, 24),
        (2012, 4, 8),
        (2013, 3, 31),
        (2014, 4, 20),
        (2015, 4, 5),
        (2016, 3, 27),
        (2017, 4, 16),
        (2018, 4, 1),
        (2019, 4, 21),
        (2020, 4, 12),
        (2021, 4, 4),
        (2022, 4, 17),
        (2023, 4, 9),
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2027, 3, 28),
        (2028, 4, 16),
        (2029, 4, 1),
        (2030, 4, 21),
        (2031, 4, 13),
        (2032, 3, 28),
        (2033, 4, 17),
        (2034, 4, 9),
        (2035, 3, 25),
        (2036, 4, 13),
        (2037, 4, 5),
        (2038, 4, 25),
        (2039, 4, 10),
        (2040, 4, 1),
        (2041, 4, 21),
        (2042, 4, 6),
        (2043, 3, 29),
        (2044, 4, 17),
        (2045, 4, 9),
        (2046, 3, 25),
        (2047, 4, 14),
        (2048, 4, 5),
        (2049, 4, 18),
        (2050, 4, 10),
        (2051, 4, 2),
        (2052, 4, 21),
        (2053, 4, 6),
        (2054, 3, 29),
        (2055, 4, 18),
        (2056, 4, 2),
        (2057, 4, 22),
        (2058, 4, 14),
        (2059, 3, 30),
        (2060, 4, 18),
    ];

    #[test]
    fn easter_matches_the_published_table_1984_to_2060() {
        for &(y, m, day) in &EASTER_TABLE {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "Easter {y}");
        }
    }

    /// Gauss's Easter algorithm (with its two Gregorian exceptions), written
    /// independently of the Meeus/Jones/Butcher version under test.
    fn gauss_easter(year: i32) -> NaiveDate {
        let a = year % 19;
        let b = year % 4;
        let c = year % 7;
        let k = year / 100;
        let p = (13 + 8 * k) / 25;
        let q = k / 4;
        let m = (15 - p + k - q) % 30;
        let n = (4 + k - q) % 7;
        let dd = (19 * a + m) % 30;
        let e = (2 * b + 4 * c + 6 * dd + n) % 7;
        let mut day = 22 + dd + e; // day of March; > 31 spills into April
        if dd == 29 && e == 6 {
            day = 50; // 19 April
        } else if dd == 28 && e == 6 && (11 * m + 11) % 30 < 19 {
            day = 49; // 18 April
        }
        let march_22 = d(year, 3, 22);
        march_22 + chrono::Days::new(u64::try_from(day - 22).unwrap())
    }

    #[test]
    fn easter_agrees_with_gauss_algorithm_for_every_gregorian_year_to_4099() {
        for year in 1583..=4099 {
            assert_eq!(easter_sunday(year), Some(gauss_easter(year)), "{year}");
        }
    }

    #[test]
    fn every_year_1984_to_2060_has_the_holidays_of_the_laws_in_force() {
        for &(year, em, ed) in &EASTER_TABLE {
            let names: BTreeSet<&str> = SPECS.iter().filter(|s| s.applies_in(year)).map(|s| s.name_es).collect();
            let easter = d(year, em, ed);
            let list = colombian_holidays(year);
            let expected = if year >= LEY_2578_FIRST_YEAR { 19 } else { 18 };
            assert_eq!(list.len(), expected, "{year}");
            assert!(list.windows(2).all(|w| w[0].date <= w[1].date), "{year} sorted");
            let got_names: BTreeSet<&str> = list.iter().map(|h| h.name_es).collect();
            assert_eq!(got_names, names, "{year}");
            let date_of = |name: &str| list.iter().find(|h| h.name_es == name).unwrap().date;
            // Easter-derived dates against the independent table.
            assert_eq!(date_of("Jueves Santo"), easter - Days::new(3), "{year}");
            assert_eq!(date_of("Viernes Santo"), easter - Days::new(2), "{year}");
            assert_eq!(date_of("Día de la Ascensión"), easter + Days::new(43), "{year}");
            assert_eq!(date_of("Corpus Christi"), easter + Days::new(64), "{year}");
            assert_eq!(date_of("Sagrado Corazón"), easter + Days::new(71), "{year}");
            // Fixed dates stay put whatever the weekday.
            for (name, m, day) in [
                ("Año Nuevo", 1, 1),
                ("Día del Trabajo", 5, 1),
                ("Día de la Independencia", 7, 20),
                ("Batalla de Boyacá", 8, 7),
                ("Día de la Inmaculada Concepción", 12, 8),
                ("Navidad", 12, 25),
            ] {
                assert_eq!(date_of(name), d(year, m, day), "{name} {year}");
            }
            // Ley 51 dates: the first Monday on or after the feast.
            for (name, m, day) in [
                ("Día de los Reyes Magos", 1, 6),
                ("Día de San José", 3, 19),
                ("San Pedro y San Pablo", 6, 29),
                ("La Asunción de la Virgen", 8, 15),
                ("Día de la Raza", 10, 12),
                ("Todos los Santos", 11, 1),
                ("Independencia de Cartagena", 11, 11),
                (CHIQUINQUIRA, 7, 9),
            ] {
                if name == CHIQUINQUIRA && year < LEY_2578_FIRST_YEAR {
                    continue;
                }
                let feast = d(year, m, day);
                let observed = date_of(name);
                assert_eq!(observed.weekday(), Weekday::Mon, "{name} {year}");
                let shift = (observed - feast).num_days();
                assert!((0..7).contains(&shift), "{name} {year} moved {shift} days");
            }
            // Two holidays share a date exactly when Sacred Heart reaches the
            // San Pedro Monday, i.e. Easter between 19 and 25 April.
            let distinct: BTreeSet<NaiveDate> = list.iter().map(|h| h.date).collect();
            let collides = em == 4 && (19..=25).contains(&ed);
            assert_eq!(distinct.len(), if collides { expected - 1 } else { expected }, "{year}");
        }
    }

    #[test]
    fn years_with_two_holidays_on_one_monday_are_the_known_ones() {
        let collision_years: Vec<i32> = (1984..=2060)
            .filter(|&y| {
                let dates: BTreeSet<NaiveDate> = colombian_holidays(y).iter().map(|h| h.date).collect();
                dates.len() < colombian_holidays(y).len()
            })
            .collect();
        assert_eq!(
            collision_years,
            [1984, 1987, 1992, 2000, 2003, 2011, 2014, 2019, 2025, 2030, 2038, 2041, 2052, 2057]
        );
    }

    #[test]
    fn is_colombian_holiday_follows_the_list() {
        assert!(is_colombian_holiday(d(2026, 1, 12))); // Reyes moved to Monday
        assert!(!is_colombian_holiday(d(2026, 1, 6))); // the feast itself is worked
        assert!(is_colombian_holiday(d(2026, 4, 2))); // Jueves Santo
        assert!(is_colombian_holiday(d(2026, 4, 3))); // Viernes Santo
        assert!(!is_colombian_holiday(d(2026, 4, 5))); // Easter Sunday is just a Sunday
        assert!(is_colombian_holiday(d(2025, 7, 20))); // Sunday, not moved
        assert!(!is_colombian_holiday(d(2025, 7, 21)));
        assert!(is_colombian_holiday(d(2100, 12, 25)));
        assert!(!is_colombian_holiday(d(2026, 9, 15)));
    }

    #[test]
    fn holiday_lookup_by_date_returns_names() {
        let h = colombian_holidays_on(d(2026, 12, 8));
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].name_es, "Día de la Inmaculada Concepción");
        assert_eq!(h[0].name_en, "Immaculate Conception");
        assert!(colombian_holidays_on(d(2026, 12, 9)).is_empty());
    }

    #[test]
    fn years_before_ley_51_get_the_same_rules_and_far_years_work() {
        // Documented choice: proleptic application, not the historical calendar.
        let h1980 = colombian_holidays(1980);
        assert_eq!(h1980.len(), 18);
        assert!(h1980.iter().all(|h| h.date.year() == 1980));
        assert_eq!(colombian_holidays(2100).len(), 19);
        assert_eq!(colombian_holidays(-500).len(), 18);
        assert!(colombian_holidays(i32::MAX).is_empty());
        assert!(!is_colombian_holiday(NaiveDate::MAX));
    }
}
