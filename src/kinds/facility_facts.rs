//! What a family asks a visiting service first (issue #15): where it visits
//! (訪問エリア: municipalities or wards), whether it takes new children
//! (受入状況, with the date it was confirmed) and for which ages (対象年齢,
//! the facility's `ages`). The fields are declared on
//! [`crate::kinds::facilities::Facility`]; their types, rules and view live here.
//!
//! 受入状況 older than six months shows 「要確認」. "Now" is the build's
//! reference date ([`reference_date`]): `SOURCE_DATE_EPOCH` when set (release
//! builds and tests inject it), else the edition date of site.yaml, so a
//! build stays a pure function of its input.

use crate::date::Date;
use crate::diagnostic::did_you_mean;
use crate::kinds::check::Checker;
use crate::kinds::facilities::Facility;
use crate::model::RawSite;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// 受入状況 older than this many days before the reference date shows 要確認.
pub const INTAKE_FRESH_DAYS: i64 = 183;

/// Whether a facility takes new children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// `open` (受入可)
    Open,
    /// `consult` (要相談)
    Consult,
    /// `closed` (受入停止)
    Closed,
    /// Any other text, kept so `check` reports it at its line.
    Unknown(String),
}

impl Intake {
    pub const KEYS: [&'static str; 3] = ["open", "consult", "closed"];
    /// What YAML accepts: the keys and the editors' words.
    pub const ACCEPTED: [&'static str; 6] =
        ["open", "consult", "closed", "受入可", "要相談", "受入停止"];

    pub fn key(&self) -> &str {
        match self {
            Intake::Open => "open",
            Intake::Consult => "consult",
            Intake::Closed => "closed",
            Intake::Unknown(s) => s,
        }
    }

    /// The word of pages, CSV cells and diffs.
    pub fn label(&self) -> &str {
        match self {
            Intake::Open => "受入可",
            Intake::Consult => "要相談",
            Intake::Closed => "受入停止",
            Intake::Unknown(s) => s,
        }
    }

    fn from_key(s: String) -> Intake {
        match s.as_str() {
            "open" | "受入可" => Intake::Open,
            "consult" | "要相談" => Intake::Consult,
            "closed" | "受入停止" => Intake::Closed,
            _ => Intake::Unknown(s),
        }
    }

    /// A CSV cell (already folded): the words or the keys; `None` for other text.
    pub fn from_cell(folded: &str) -> Option<Intake> {
        match Intake::from_key(folded.to_string()) {
            Intake::Unknown(_) => None,
            known => Some(known),
        }
    }
}

impl Serialize for Intake {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Intake {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Intake, D::Error> {
        String::deserialize(d).map(Intake::from_key)
    }
}

impl JsonSchema for Intake {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "intake".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "enum": Intake::ACCEPTED,
            "enumDescriptions": [
                "受入可: 新しいお子さんを受け入れています",
                "要相談: 状況により受け入れます。まず電話で相談",
                "受入停止: いまは新しいお子さんを受け入れていません",
                "open と同じ",
                "consult と同じ",
                "closed と同じ",
            ],
            "x-labels": ["受入可", "要相談", "受入停止", "受入可", "要相談", "受入停止"],
        })
    }
}

// ---------------------------------------------------------------- areas

/// Every area a facility may visit: municipality slugs and `city/ward` ids,
/// with their display names (横浜市港北区).
pub fn area_names(raw: &RawSite) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for m in raw
        .municipalities
        .iter()
        .flat_map(|(_, l)| l)
        .map(|m| &m.value)
    {
        out.insert(m.slug.value.clone(), m.name.value.clone());
        for w in m.wards.iter().map(|w| &w.value) {
            out.insert(
                format!("{}/{}", m.slug.value, w.slug.value),
                format!("{}{}", m.name.value, w.name.value),
            );
        }
    }
    out
}

/// `visits:` may name an area as written on the page (茅ヶ崎市, 横浜市港北区)
/// or a ward alone when one city has it (港北区): made ids at load time.
pub fn area_names_to_ids(raw: &mut RawSite) {
    let names = area_names(raw);
    let mut id_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, name) in &names {
        id_of.entry(name.clone()).or_default().push(id.clone());
    }
    for m in raw
        .municipalities
        .iter()
        .flat_map(|(_, l)| l)
        .map(|m| &m.value)
    {
        for w in m.wards.iter().map(|w| &w.value) {
            let id = format!("{}/{}", m.slug.value, w.slug.value);
            id_of.entry(w.name.value.clone()).or_default().push(id);
        }
    }
    for f in raw.facilities.iter_mut().flat_map(|(_, l)| l) {
        for v in &mut f.0.value.visits {
            if names.contains_key(&v.value) {
                continue;
            }
            if let Some([one]) = id_of.get(&v.value).map(Vec::as_slice) {
                v.0.value = one.clone();
            }
        }
    }
}

// ---------------------------------------------------------------- rules

/// The facts of every facility ([`check`]).
pub(crate) fn check_all(c: &mut Checker, raw: &RawSite) {
    let areas = area_names(raw);
    for (file, list) in &raw.facilities {
        for f in list {
            check(c, file, &f.value, &areas);
        }
    }
}

/// The facts of one facility: known areas (each once), 受入状況 with its
/// date and the date with its 受入状況.
fn check(c: &mut Checker, file: &str, f: &Facility, areas: &BTreeMap<String, String>) {
    let mut seen = BTreeSet::new();
    for v in &f.visits {
        if !areas.is_empty() && !areas.contains_key(&v.value) {
            let d = c.error_at(
                file,
                v,
                format!("訪問エリア `{}` は市町村・区の一覧にありません", v.value),
            );
            d.hint = Some(format!(
                "{}。区は 横浜市港北区 か yokohama/kohoku と書きます",
                did_you_mean(&v.value, areas.keys().map(String::as_str))
            ));
        } else if !seen.insert(v.value.as_str()) {
            let d = c.error_at(
                file,
                v,
                format!("訪問エリア `{}` が2回書かれています", v.value),
            );
            d.hint = Some("1回だけ書いてください".into());
        }
    }
    if let Some(i) = &f.intake
        && let Intake::Unknown(bad) = &i.value
    {
        let d = c.error_at(file, i, format!("受入状況 `{bad}` は使えません"));
        d.expected = Some("受入可 (open)・要相談 (consult)・受入停止 (closed)".into());
        d.hint = Some(did_you_mean(bad, Intake::ACCEPTED));
    }
    match (&f.intake, &f.intake_checked) {
        (Some(i), None) => {
            let d = c.error_at(file, i, "受入状況に確認日 (intake_checked) がありません");
            d.hint = Some("受入状況を確かめた日を intake_checked: 2025-04-01 のように書いてください (古い情報で家族が迷わないように)".into());
        }
        (None, Some(d)) => {
            let e = c.error_at(file, d, "受入状況の確認日 (intake_checked) だけがあります");
            e.hint = Some(
                "intake: (受入可・要相談・受入停止) を書くか、intake_checked を消してください"
                    .into(),
            );
        }
        (Some(_), Some(d)) => {
            c.date(file, d, "受入状況の確認日 (intake_checked)");
        }
        (None, None) => {}
    }
}

// ---------------------------------------------------------------- view

/// "Now" for 要確認: `SOURCE_DATE_EPOCH` (seconds, UTC) when set and
/// readable, else the edition date.
pub fn reference_date(edition: Option<Date>) -> Option<Date> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| Date::from_days_since_epoch(secs.div_euclid(86_400)))
        .or(edition)
}

/// The facts as a facility page shows them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FactsView {
    /// 「茅ヶ崎市・藤沢市・横浜市港北区」
    #[serde(skip_serializing_if = "String::is_empty")]
    pub visits_label: String,
    /// Area ids (`chigasaki`, `yokohama/kohoku`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<String>,
    /// The municipalities visited (a ward counts for its city), each once:
    /// the 訪問できる dimension of the /facilities/ filter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub visit_municipalities: Vec<String>,
    /// `open` / `consult` / `closed`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake: Option<String>,
    /// 受入可 / 要相談 / 受入停止
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake_checked_iso: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake_checked_label: Option<String>,
    /// Confirmed more than [`INTAKE_FRESH_DAYS`] before the reference date: 要確認.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub intake_stale: bool,
}

pub fn view(f: &Facility, areas: &BTreeMap<String, String>, today: Option<Date>) -> FactsView {
    let checked = f
        .intake_checked
        .as_ref()
        .and_then(|d| Date::parse(d.value.trim()));
    let name = |id: &str| areas.get(id).cloned().unwrap_or_else(|| id.to_string());
    FactsView {
        visits_label: f
            .visits
            .iter()
            .map(|v| name(&v.value))
            .collect::<Vec<_>>()
            .join("・"),
        visits: f.visits.iter().map(|v| v.value.clone()).collect(),
        visit_municipalities: f.visits.iter().fold(Vec::new(), |mut cities, v| {
            let city = v.value.split('/').next().unwrap_or_default().to_string();
            if !cities.contains(&city) {
                cities.push(city);
            }
            cities
        }),
        intake: f.intake.as_ref().map(|i| i.value.key().to_string()),
        intake_label: f.intake.as_ref().map(|i| i.value.label().to_string()),
        intake_checked_iso: checked.map(|d| d.to_string()),
        intake_checked_label: checked.map(|d| d.wareki_with_seireki()),
        intake_stale: match (checked, today) {
            (Some(c), Some(t)) => t.days_since_epoch() - c.days_since_epoch() > INTAKE_FRESH_DAYS,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intake_words_and_keys() {
        assert_eq!(Intake::from_cell("受入可"), Some(Intake::Open));
        assert_eq!(Intake::from_cell("consult"), Some(Intake::Consult));
        assert_eq!(Intake::from_cell("停止"), None);
        assert_eq!(Intake::Closed.label(), "受入停止");
    }
}
