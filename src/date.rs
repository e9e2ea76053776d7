//! ISO dates as the data holds them (`2025-04-01`) and their 和暦 labels
//! (令和7年4月1日, 令和7年4月版). Computed here, not by `Intl`, so 元年 and the
//! 2019-04-30 / 05-01 boundary are always right.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` strictly (zero-padded, a real calendar day).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)? as i32;
        let month = digits(5..7)?;
        let day = digits(8..10)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (for "older than a year" checks).
    pub fn days_since_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        } as i64;
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days);
    /// `None` outside years 1..=9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (1..=9999).contains(&year).then_some(Date {
            year: year as i32,
            month,
            day,
        })
    }

    /// 令和7年 / 令和元年 (the era year for this date).
    pub fn era_year(&self) -> String {
        let (era, start_year) = era_of(self);
        let n = self.year - start_year + 1;
        if n == 1 {
            format!("{era}元年")
        } else {
            format!("{era}{n}年")
        }
    }

    /// 令和7年4月1日
    pub fn wareki(&self) -> String {
        format!("{}{}月{}日", self.era_year(), self.month, self.day)
    }

    /// 令和7年(2025年)4月1日: the site's style for dates shown to families.
    pub fn wareki_with_seireki(&self) -> String {
        format!(
            "{}({}年){}月{}日",
            self.era_year(),
            self.year,
            self.month,
            self.day
        )
    }

    /// 令和7年4月版: the edition label of the printed directory.
    pub fn edition_label(&self) -> String {
        format!("{}{}月版", self.era_year(), self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn era_of(d: &Date) -> (&'static str, i32) {
    let ymd = (d.year, d.month, d.day);
    if ymd >= (2019, 5, 1) {
        ("令和", 2019)
    } else if ymd >= (1989, 1, 8) {
        ("平成", 1989)
    } else if ymd >= (1926, 12, 25) {
        ("昭和", 1926)
    } else {
        ("", 1)
    }
}

/// Names the day that diagnostics measure ages against (a medical review
/// older than a year). Tests and reproducible runs fix it.
pub const TODAY_ENV: &str = "OHISAMA_TODAY";

/// "Today" for diagnostics only (never for the output: a build stays a pure
/// function of its input): `OHISAMA_TODAY` (YYYY-MM-DD) when set and valid,
/// else `SOURCE_DATE_EPOCH` (the reproducible-builds convention), else the
/// clock; the date is taken in Japan (UTC+9), where the editors are.
pub fn today() -> Option<Date> {
    if let Some(d) = std::env::var(TODAY_ENV)
        .ok()
        .and_then(|v| Date::parse(v.trim()))
    {
        return Some(d);
    }
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().ok()?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs() as i64,
    };
    const JST: i64 = 9 * 3600;
    Date::from_days_since_epoch((secs + JST).div_euclid(86_400))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_days() {
        assert_eq!(Date::parse("2025-04-01").map(|d| d.day), Some(1));
        assert!(Date::parse("2025-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2025-4-1").is_none());
        assert!(Date::parse("2025-13-01").is_none());
        assert!(Date::parse("２０２５-04-01").is_none());
    }

    #[test]
    fn wareki_labels() {
        let d = Date::parse("2025-04-01").unwrap();
        assert_eq!(d.wareki(), "令和7年4月1日");
        assert_eq!(d.edition_label(), "令和7年4月版");
        assert_eq!(d.wareki_with_seireki(), "令和7年(2025年)4月1日");
        assert_eq!(
            Date::parse("2019-05-01").unwrap().wareki(),
            "令和元年5月1日"
        );
        assert_eq!(
            Date::parse("2019-04-30").unwrap().wareki(),
            "平成31年4月30日"
        );
        assert_eq!(
            Date::parse("1989-01-08").unwrap().wareki(),
            "平成元年1月8日"
        );
    }

    #[test]
    fn days_round_trip() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2019-04-30",
            "2026-11-29",
            "1969-12-31",
        ] {
            let d = Date::parse(s).unwrap();
            assert_eq!(
                Date::from_days_since_epoch(d.days_since_epoch()),
                Some(d),
                "{s}"
            );
        }
    }

    #[test]
    fn day_arithmetic() {
        let a = Date::parse("2024-04-01").unwrap();
        let b = Date::parse("2025-04-01").unwrap();
        assert_eq!(b.days_since_epoch() - a.days_since_epoch(), 365);
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
    }
}
