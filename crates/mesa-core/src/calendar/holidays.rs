//! Colombian national public holidays ("días festivos") for any year.
//!
//! # Legal basis
//!
//! * **Ley 51 de 1983** ("Ley Emiliani", "por la cual se traslada el descanso
//!   remunerado de algunos días festivos"), article 1, which amended article 177
//!   of the Código Sustantivo del Trabajo (Decreto-Ley 2663 de 1950) and is the
//!   text that article carries today:
//!   - numeral 1 lists the eighteen days of paid rest: 1 January, 6 January,
//!     19 March, 1 May, 29 June, 20 July, 7 August, 15 August, 12 October,
//!     1 November, 11 November, 8 December, 25 December, plus Holy Thursday,
//!     Good Friday, Ascension, Corpus Christi and Sacred Heart;
//!   - numeral 2 moves 6 January, 19 March, 29 June, 15 August, 12 October,
//!     1 November, 11 November, Ascension, Corpus Christi and Sacred Heart to the
//!     following Monday when they do not fall on a Monday;
//!   - numeral 3 says that, when those festivities fall on a Sunday, the rest is
//!     moved to the Monday too.
//!
//!   The law was sanctioned in December 1983; its first full year is 1984
//!   ([`LEY_51_FIRST_YEAR`]). The Corte Suprema de Justicia upheld it on
//!   24 May 1984 (sentencia 38) and the Corte Constitucional again in C-568 de 1993
//!   and C-107 de 1994 (whose text reproduces article 1 verbatim).
//! * **Ley 35 de 1939** made 12 October (Día de la Raza) a national holiday; Ley 51
//!   keeps it and moves it to Monday.
//!
//! # Changes after 1983
//!
//! Researched in 2026: **no law after Ley 51 de 1983 has added, removed or moved a
//! national holiday**; the published calendars checked in the tests (2012,
//! 2023–2026 and 2031) list exactly these eighteen, and the 2024–2026 press
//! still cites Ley 51 de 1983 alone.
//! Bills that would have changed them were not enacted (e.g. Proyecto de Ley 261 de
//! 2006 Senado, which would have dropped the religious holidays; a 2015 bill for a
//! Madre Laura holiday on 12 May; a 2020 bill to regroup the 2021–2022 holidays).
//! Laws that create commemorative days (e.g. Ley 725 de 2001, Día de la
//! Afrocolombianidad, 21 May) do not make them days of rest.
//! Only the *name* of 12 October changed: Resolución 0138 de 2021 of the Ministerio
//! de Cultura calls it "Día de la Diversidad Étnica y Cultural de la Nación
//! Colombiana", and a bill with that name passed its last debate in the Cámara in
//! December 2023 (its sanction could not be confirmed). The date and the Monday rule
//! are unchanged, so this module keeps the name most calendars still print,
//! "Día de la Raza".
//!
//! # Years before 1984
//!
//! [`colombian_holidays`] applies the same rules to every year (proleptically).
//! That is *not* the historical calendar before 1984, when no holiday was moved
//! to Monday; callers that care compare the year with
//! [`LEY_51_FIRST_YEAR`]. Easter uses the Gregorian computus for every year.
//!
//! # Two holidays on one date
//!
//! Sacred Heart (Easter + 68 days, a Friday, moved to Monday = Easter + 71) and
//! San Pedro y San Pablo (29 June moved to Monday) land on the same Monday when
//! Easter falls between 19 and 25 April — e.g. both on 30 June 2025. The law does
//! not move either of them again, so such a year has 18 holidays on 17 distinct
//! dates. [`colombian_holidays`] returns both entries.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

/// First year whose holidays follow Ley 51 de 1983 (sanctioned December 1983).
pub const LEY_51_FIRST_YEAR: i32 = 1984;

/// Number of national holidays listed by Ley 51 de 1983, article 1.
pub const HOLIDAYS_PER_YEAR: usize = 18;

/// One Colombian public holiday: the date on which the paid rest is observed
/// (after any move to Monday) and its official Spanish name with an English one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Holiday {
    /// Date of the day of rest (already moved to Monday where Ley 51 applies).
    pub date: NaiveDate,
    /// Name as printed in Colombian official calendars.
    pub name_es: &'static str,
    /// English name, for logs and non-Spanish interfaces.
    pub name_en: &'static str,
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

struct Spec {
    rule: Rule,
    name_es: &'static str,
    name_en: &'static str,
}

/// The eighteen holidays of Ley 51 de 1983, art. 1, in calendar order of their
/// feasts (this order breaks ties between holidays observed on the same date).
const SPECS: [Spec; HOLIDAYS_PER_YEAR] = [
    Spec { rule: Rule::Fixed { month: 1, day: 1 }, name_es: "Año Nuevo", name_en: "New Year's Day" },
    Spec { rule: Rule::FixedToMonday { month: 1, day: 6 }, name_es: "Día de los Reyes Magos", name_en: "Epiphany" },
    Spec {
        rule: Rule::FixedToMonday { month: 3, day: 19 }, name_es: "Día de San José", name_en: "Saint Joseph's Day"
    },
    Spec { rule: Rule::Easter { days: -3 }, name_es: "Jueves Santo", name_en: "Maundy Thursday" },
    Spec { rule: Rule::Easter { days: -2 }, name_es: "Viernes Santo", name_en: "Good Friday" },
    Spec { rule: Rule::Fixed { month: 5, day: 1 }, name_es: "Día del Trabajo", name_en: "Labour Day" },
    // Ascension Thursday = Easter + 39 → Monday = Easter + 43.
    Spec { rule: Rule::EasterToMonday { days: 39 }, name_es: "Día de la Ascensión", name_en: "Ascension Day" },
    // Corpus Christi Thursday = Easter + 60 → Monday = Easter + 64.
    Spec { rule: Rule::EasterToMonday { days: 60 }, name_es: "Corpus Christi", name_en: "Corpus Christi" },
    // Sacred Heart Friday = Easter + 68 → Monday = Easter + 71.
    Spec { rule: Rule::EasterToMonday { days: 68 }, name_es: "Sagrado Corazón", name_en: "Sacred Heart" },
    Spec {
        rule: Rule::FixedToMonday { month: 6, day: 29 },
        name_es: "San Pedro y San Pablo",
        name_en: "Saint Peter and Saint Paul",
    },
    Spec { rule: Rule::Fixed { month: 7, day: 20 }, name_es: "Día de la Independencia", name_en: "Independence Day" },
    Spec { rule: Rule::Fixed { month: 8, day: 7 }, name_es: "Batalla de Boyacá", name_en: "Battle of Boyacá" },
    Spec {
        rule: Rule::FixedToMonday { month: 8, day: 15 },
        name_es: "La Asunción de la Virgen",
        name_en: "Assumption of Mary",
    },
    // Ley 35 de 1939; moved to Monday by Ley 51 de 1983.
    Spec { rule: Rule::FixedToMonday { month: 10, day: 12 }, name_es: "Día de la Raza", name_en: "Columbus Day" },
    Spec { rule: Rule::FixedToMonday { month: 11, day: 1 }, name_es: "Todos los Santos", name_en: "All Saints' Day" },
    Spec {
        rule: Rule::FixedToMonday { month: 11, day: 11 },
        name_es: "Independencia de Cartagena",
        name_en: "Independence of Cartagena",
    },
    Spec {
        rule: Rule::Fixed { month: 12, day: 8 },
        name_es: "Día de la Inmaculada Concepción",
        name_en: "Immaculate Conception",
    },
    Spec { rule: Rule::Fixed { month: 12, day: 25 }, name_es: "Navidad", name_en: "Christmas Day" },
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

/// The eighteen holidays of `year` in [`SPECS`] order, without allocating;
/// `None` when the year is outside chrono's range.
fn holidays_unsorted(year: i32) -> Option<[Holiday; HOLIDAYS_PER_YEAR]> {
    let easter = easter_sunday(year)?;
    let mut out = [Holiday { date: easter, name_es: "", name_en: "" }; HOLIDAYS_PER_YEAR];
    for (slot, spec) in out.iter_mut().zip(SPECS.iter()) {
        let date = match spec.rule {
            Rule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day)?,
            Rule::FixedToMonday { month, day } => on_or_next_monday(NaiveDate::from_ymd_opt(year, month, day)?)?,
            Rule::Easter { days } => add_signed_days(easter, days)?,
            Rule::EasterToMonday { days } => on_or_next_monday(add_signed_days(easter, days)?)?,
        };
        *slot = Holiday { date, name_es: spec.name_es, name_en: spec.name_en };
    }
    Some(out)
}

/// The years whose holidays are computed once and kept (business-time
/// arithmetic asks about the same days again and again: once per ticket
/// clock per request). Other years are computed on each call.
const CACHED_YEARS: std::ops::RangeInclusive<i32> = 1950..=2150;

/// [`holidays_unsorted`], remembered per year inside [`CACHED_YEARS`].
fn holidays_of(year: i32) -> Option<[Holiday; HOLIDAYS_PER_YEAR]> {
    static CACHE: [std::sync::OnceLock<Option<[Holiday; HOLIDAYS_PER_YEAR]>>; 201] =
        [const { std::sync::OnceLock::new() }; 201];
    if CACHED_YEARS.contains(&year) {
        *CACHE[(year - CACHED_YEARS.start()) as usize].get_or_init(|| holidays_unsorted(year))
    } else {
        holidays_unsorted(year)
    }
}

/// All Colombian national holidays of `year`, sorted by date.
///
/// Always 18 entries for years inside chrono's range (empty outside it). Two
/// entries share a date when Sacred Heart and San Pedro y San Pablo coincide
/// (see the module docs); they then appear in the order of their feasts
/// (Sagrado Corazón first). Years before [`LEY_51_FIRST_YEAR`] get the same rules,
/// which is not their historical calendar.
///
/// ```
/// use mesa_core::calendar::colombian_holidays;
/// let h = colombian_holidays(2026);
/// assert_eq!(h.len(), 18);
/// assert_eq!(h[1].name_es, "Día de los Reyes Magos");
/// assert_eq!(h[1].date.to_string(), "2026-01-12"); // 6 January moved to Monday
/// ```
pub fn colombian_holidays(year: i32) -> Vec<Holiday> {
    let Some(all) = holidays_of(year) else {
        return Vec::new();
    };
    let mut list = all.to_vec();
    // Stable sort: equal dates keep the order of their feasts.
    list.sort_by_key(|h| h.date);
    list
}

/// Holidays observed on `date` (zero, one, or two when two coincide).
pub fn colombian_holidays_on(date: NaiveDate) -> Vec<Holiday> {
    holidays_of(date.year()).map(|all| all.into_iter().filter(|h| h.date == date).collect()).unwrap_or_default()
}

/// Whether `date` is a Colombian national holiday (a day of paid rest under
/// Ley 51 de 1983). Sundays are not holidays by themselves.
pub fn is_colombian_holiday(date: NaiveDate) -> bool {
    holidays_of(date.year()).is_some_and(|all| all.iter().any(|h| h.date == date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use std::collections::BTreeSet;

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
    // 2026: noticiascaracol.com, kienyke.com, elespectador.com (Dec 2025/Jan 2026);
    // 2031: public-holidays.us. Names are normalised to this module's names.

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
    fn holidays_2026_match_the_published_calendar() {
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
    fn every_year_1984_to_2060_has_the_eighteen_holidays_by_law() {
        let names: BTreeSet<&str> = SPECS.iter().map(|s| s.name_es).collect();
        for &(year, em, ed) in &EASTER_TABLE {
            let easter = d(year, em, ed);
            let list = colombian_holidays(year);
            assert_eq!(list.len(), 18, "{year}");
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
            ] {
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
            assert_eq!(distinct.len(), if collides { 17 } else { 18 }, "{year}");
        }
    }

    #[test]
    fn years_with_two_holidays_on_one_monday_are_the_known_ones() {
        let collision_years: Vec<i32> = (1984..=2060)
            .filter(|&y| {
                let dates: BTreeSet<NaiveDate> = colombian_holidays(y).iter().map(|h| h.date).collect();
                dates.len() == 17
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
        assert_eq!(colombian_holidays(2100).len(), 18);
        assert_eq!(colombian_holidays(-500).len(), 18);
        assert!(colombian_holidays(i32::MAX).is_empty());
        assert!(!is_colombian_holiday(NaiveDate::MAX));
    }
}
