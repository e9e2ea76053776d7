//! The checker every kind of data reports to: diagnostics with file:line:col,
//! the edition date that freshness is measured against, and the small rules
//! that more than one kind uses (dates, URLs, phone numbers, ids, references).

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::kinds::common::{S, pos};
use crate::tel::{self, TelProblem};
use crate::url_rule::{self, Place};
use std::collections::{BTreeMap, BTreeSet};

/// A window or facility checked more than this long before the edition gets a warning.
const STALE_AFTER_DAYS: i64 = 365;

/// Collects every problem of a run (never only the first).
#[derive(Default)]
pub struct Checker {
    pub diags: Diagnostics,
    /// The edition of site.yaml, once read: dates are fresh relative to it.
    pub edition: Option<Date>,
    /// Today ([`crate::date::today`]): ages of medical reviews; `None` checks no age.
    pub today: Option<Date>,
}

/// Lowercase ASCII words joined by single hyphens: the form of every id and file name.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl Checker {
    pub fn error_at<T>(
        &mut self,
        file: &str,
        at: &S<T>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        let (l, c) = pos(at);
        self.diags.push(Diagnostic::error(file, l, c, msg));
        self.diags.0.last_mut().expect("just pushed")
    }

    pub fn warn_at<T>(&mut self, file: &str, at: &S<T>, msg: impl Into<String>) -> &mut Diagnostic {
        let (l, c) = pos(at);
        self.diags.push(Diagnostic::warning(file, l, c, msg));
        self.diags.0.last_mut().expect("just pushed")
    }

    pub fn non_empty(&mut self, file: &str, s: &S<String>, what: &str) {
        if s.value.trim().is_empty() {
            let d = self.error_at(file, s, format!("{what}が空です"));
            d.hint = Some(format!("{what}を書いてください"));
        }
    }

    pub fn date(&mut self, file: &str, s: &S<String>, what: &str) -> Option<Date> {
        let parsed = Date::parse(s.value.trim());
        if parsed.is_none() {
            let d = self.error_at(
                file,
                s,
                format!("{what} `{}` は日付として読めません", s.value),
            );
            d.expected = Some("YYYY-MM-DD 形式の実在する日付 (例: 2025-04-01)".into());
            d.hint = Some("年は西暦4桁、月日は2桁で、半角数字とハイフンで書いてください".into());
        }
        parsed
    }

    /// A date that must not be older than a year before the edition.
    pub fn fresh_date(&mut self, file: &str, s: &S<String>, what: &str) {
        let (Some(d), Some(ed)) = (self.date(file, s, what), self.edition) else {
            return;
        };
        if ed.days_since_epoch() - d.days_since_epoch() > STALE_AFTER_DAYS {
            let w = self.warn_at(
                file,
                s,
                format!(
                    "{what} {} は版 ({}) より1年以上前です",
                    d.wareki(),
                    ed.edition_label()
                ),
            );
            w.hint =
                Some("内容がいまも正しいか市町村・施設に確認し、日付を更新してください".into());
        }
    }

    /// A URL written in the data, through the one URL rule ([`crate::url_rule`]).
    pub fn url(&mut self, file: &str, s: &S<String>, place: Place) {
        if let Err(problem) = url_rule::check(&s.value, place) {
            let (l, c) = pos(s);
            self.diags
                .push(url_rule::diagnostic(file, l, c, &s.value, place, &problem));
        }
    }

    pub fn tel(&mut self, file: &str, s: &S<String>) {
        match tel::check(&s.value) {
            Ok(()) => {}
            Err(TelProblem::NotAscii { suggestion }) => {
                let d = self.error_at(
                    file,
                    s,
                    format!("電話番号 `{}` に全角文字が含まれています", s.value),
                );
                d.hint = Some(format!("半角で `{suggestion}` と書いてください"));
            }
            Err(TelProblem::Malformed) => {
                let d = self.error_at(
                    file,
                    s,
                    format!("電話番号 `{}` の形が正しくありません", s.value),
                );
                d.expected = Some("市外局番から始まる10桁(携帯・IP電話は11桁)をハイフンで区切った形 (例: 045-000-1234, 0465-00-1234)".into());
                d.hint = Some("桁数とハイフンの位置を確認してください。Excel で先頭の 0 が消えていないかも確認してください".into());
            }
        }
    }

    pub fn id_slug(&mut self, file: &str, s: &S<String>, what: &str) {
        if !is_slug(&s.value) {
            let d = self.error_at(
                file,
                s,
                format!("{what} `{}` は ID に使えない文字を含みます", s.value),
            );
            d.expected = Some("半角英小文字・数字・ハイフン (例: home-nursing)".into());
        }
    }

    /// Reports ids defined twice within one list; returns the set of ids.
    pub fn unique_ids<'a>(
        &mut self,
        file: &str,
        ids: impl Iterator<Item = &'a S<String>>,
        what: &str,
    ) -> BTreeSet<String> {
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for id in ids {
            self.id_slug(file, id, what);
            if let Some(first) = seen.get(&id.value) {
                let first = *first;
                let d = self.error_at(
                    file,
                    id,
                    format!("{what} `{}` が2回定義されています", id.value),
                );
                d.hint = Some(format!(
                    "{first}行目と同じです。どちらかを別の ID にするか削除してください"
                ));
            } else {
                seen.insert(id.value.clone(), pos(id).0);
            }
        }
        seen.into_keys().collect()
    }

    pub fn unknown_ref(
        &mut self,
        file: &str,
        at: &S<String>,
        what: &str,
        defined_in: &str,
        valid: &BTreeSet<String>,
    ) {
        let hint = did_you_mean(&at.value, valid.iter().map(String::as_str));
        let d = self.error_at(
            file,
            at,
            format!("{what} `{}` は {defined_in} にありません", at.value),
        );
        d.hint = Some(hint);
    }
}

/// A reference is checked only when its vocabulary loaded (a missing file is
/// already an error; repeating it for every reference would bury it).
pub fn known(valid: &BTreeSet<String>, v: &str) -> bool {
    valid.is_empty() || valid.contains(v)
}

pub fn file_stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".yaml").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("home-nursing"));
        assert!(is_slug("a1"));
        assert!(!is_slug("Home"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug(""));
    }
}
