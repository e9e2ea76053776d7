//! What a family checks before calling a window (issue #15): 受付時間
//! (`hours`: days and times, read into slots and checked), 祝日・年末年始
//! (`holidays`), 所在地 (`address`), FAX (`fax`, never a `tel:` link: it would
//! ring a fax machine) and 窓口の種類 (`channels`: 電話 / 来所 / オンライン).
//! The fields are declared on [`crate::kinds::contacts::Window`]; the hours
//! grammar, the channel words and the rules live here.
//!
//! `hours` is one line so that a CSV cell holds it as it is:
//! `月〜金 8:45〜17:00、土 9:00〜12:00` (days: one day, a range 月〜金, or days
//! joined by ・; times H:MM〜H:MM; 〜 may be written ～ ~ or -).

use crate::diagnostic::did_you_mean;
use crate::kinds::check::Checker;
use crate::kinds::common::S;
use crate::kinds::contacts::Window;

const DAYS: [char; 7] = ['月', '火', '水', '木', '金', '土', '日'];
/// What may stand for 〜 in a range.
const DASHES: [char; 4] = ['〜', '～', '~', '-'];

/// One slot of `hours`: the days (Monday = 0) and the minutes of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub days: Vec<usize>,
    pub start: u32,
    pub end: u32,
}

/// Reads `hours`; the error says what is wrong with which part, in Japanese.
pub fn parse_hours(text: &str) -> Result<Vec<Slot>, String> {
    let mut slots = Vec::new();
    for part in text
        .split(['、', ',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (days, time) = part
            .split_once([' ', '\u{3000}'])
            .ok_or_else(|| format!("「{part}」に曜日と時刻の間の空白がありません"))?;
        let days =
            parse_days(days.trim()).ok_or_else(|| format!("「{days}」は曜日として読めません"))?;
        let (start, end) = time
            .trim()
            .split_once(DASHES)
            .ok_or_else(|| format!("「{time}」は 8:45〜17:00 の形ではありません"))?;
        let (start, end) = (minutes(start), minutes(end));
        let (Some(start), Some(end)) = (start, end) else {
            return Err(format!("「{time}」は 8:45〜17:00 の形ではありません"));
        };
        if end <= start {
            return Err(format!("「{time}」: 終わりが始まりより前です"));
        }
        slots.push(Slot { days, start, end });
    }
    if slots.is_empty() {
        return Err("受付時間が空です".into());
    }
    Ok(slots)
}

/// `月〜金`, `月・水・金`, `土`: day indexes; a reversed range (金〜月) is no days.
fn parse_days(s: &str) -> Option<Vec<usize>> {
    let day = |c: char| DAYS.iter().position(|d| *d == c);
    let chars: Vec<char> = s.chars().filter(|c| *c != '曜').collect();
    match chars.as_slice() {
        [a, dash, b] if DASHES.contains(dash) => {
            let (a, b) = (day(*a)?, day(*b)?);
            (a < b).then(|| (a..=b).collect())
        }
        _ => chars
            .iter()
            .filter(|c| **c != '・')
            .map(|c| day(*c))
            .collect::<Option<Vec<_>>>()
            .filter(|d| !d.is_empty()),
    }
}

/// `8:45` → minutes after midnight (up to 24:00).
fn minutes(s: &str) -> Option<u32> {
    let s: String = unicode_normalization::UnicodeNormalization::nfkc(s.trim()).collect();
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && m.to_string().len() <= 2 && (h < 24 || (h == 24 && m == 0)) && s.len() <= 5)
        .then_some(h * 60 + m)
}

/// The words of 窓口の種類, in schema order.
pub const CHANNELS: [(&str, &str); 3] =
    [("tel", "電話"), ("visit", "来所"), ("online", "オンライン")];

/// A channel as written (key or word) → its key.
pub fn channel_key(s: &str) -> Option<&'static str> {
    CHANNELS
        .iter()
        .find(|(k, w)| *k == s || *w == s)
        .map(|(k, _)| *k)
}

/// The rules of a window's facts.
pub(crate) fn check(c: &mut Checker, file: &str, w: &Window) {
    if let Some(h) = &w.hours
        && let Err(why) = parse_hours(&h.value)
    {
        let d = c.error_at(
            file,
            h,
            format!("受付時間 `{}` が読めません: {why}", h.value),
        );
        d.expected = Some("曜日と時刻 (例: 月〜金 8:45〜17:00、土 9:00〜12:00)".into());
        d.hint = Some(
            "曜日は 月〜金 か 月・水・金、時刻は 8:45〜17:00 のように書き、複数は 、 で区切ります"
                .into(),
        );
    }
    if let Some(f) = &w.fax {
        c.tel(file, f);
    }
    for ch in &w.channels {
        if channel_key(&ch.value).is_none() {
            let d = c.error_at(file, ch, format!("窓口の種類 `{}` は使えません", ch.value));
            d.expected = Some("電話 (tel)・来所 (visit)・オンライン (online)".into());
            let accepted = CHANNELS.iter().flat_map(|(k, w)| [*k, *w]);
            d.hint = Some(did_you_mean(&ch.value, accepted));
        }
    }
    if w.channels
        .iter()
        .any(|c| channel_key(&c.value) == Some("tel"))
        && w.tel.is_none()
    {
        let at: &S<String> = &w.channels[0];
        let d = c.error_at(
            file,
            at,
            "窓口の種類に 電話 がありますが、電話番号 (tel) がありません",
        );
        d.hint = Some("tel: を書くか、窓口の種類から 電話 を消してください".into());
    }
}

/// 「電話・来所」
pub fn channels_label(w: &Window) -> Option<String> {
    let words: Vec<&str> = w
        .channels
        .iter()
        .filter_map(|c| channel_key(&c.value))
        .filter_map(|k| CHANNELS.iter().find(|(key, _)| *key == k).map(|(_, w)| *w))
        .collect();
    (!words.is_empty()).then(|| words.join("・"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_into_slots() {
        let s = parse_hours("月〜金 8:45〜17:00、土 9:00~12:00").unwrap();
        assert_eq!(s[0].days, vec![0, 1, 2, 3, 4]);
        assert_eq!((s[0].start, s[0].end), (525, 1020));
        assert_eq!(s[1].days, vec![5]);
        assert_eq!(
            parse_hours("月・水・金 9:00-12:00").unwrap()[0].days,
            vec![0, 2, 4]
        );
        assert!(parse_hours("金〜月 9:00〜12:00").is_err());
        assert!(
            parse_hours("月〜金 17:00〜8:45")
                .unwrap_err()
                .contains("終わりが始まりより前")
        );
        assert!(parse_hours("平日 9:00〜12:00").is_err());
        assert!(parse_hours("月〜金 9時〜12時").is_err());
        assert!(parse_hours("月〜金 25:00〜26:00").is_err());
    }
}
