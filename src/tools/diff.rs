//! `ohisama diff OLD NEW`: what changed in the directory between two versions
//! of a site (windows and facilities added, removed, changed field by field),
//! grouped by municipality, in Japanese, for the team's release note.
//!
//! Windows are matched by (municipality, name); facilities by id.

use super::data::{
    TableColumn, Vocab, VocabKind, centre_columns, centres_of, contact_columns, contacts_of,
    facilities_of, facility_columns, values_of,
};
use crate::diagnostic::Diagnostics;
use crate::kinds::centres::Centre;
use crate::kinds::common::field_names;
use crate::kinds::contacts::{ContactFile, Window};
use crate::kinds::facilities::Facility;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// 端末で読む形
    Text,
    /// リリースノートに貼る markdown
    Markdown,
}

/// One value that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Japanese name of the value (電話, 医療的ケア, …).
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Default)]
pub struct MunicipalityDiff {
    pub slug: String,
    pub name: String,
    /// 確認日 of the contacts file.
    pub updated: Option<Change>,
    pub windows_added: Vec<Window>,
    pub windows_removed: Vec<Window>,
    /// (window name, changes)
    pub windows_changed: Vec<(String, Vec<Change>)>,
    pub windows_reordered: bool,
    pub facilities_added: Vec<Facility>,
    pub facilities_removed: Vec<Facility>,
    /// (facility, changes)
    pub facilities_changed: Vec<(Facility, Vec<Change>)>,
}

impl MunicipalityDiff {
    fn is_empty(&self) -> bool {
        self.updated.is_none()
            && self.windows_added.is_empty()
            && self.windows_removed.is_empty()
            && self.windows_changed.is_empty()
            && !self.windows_reordered
            && self.facilities_added.is_empty()
            && self.facilities_removed.is_empty()
            && self.facilities_changed.is_empty()
    }
}

/// The support centres (data/centres.yaml) added, removed and changed, paired by id.
#[derive(Debug, Clone, Default)]
pub struct CentreDiff {
    /// Whether either site has centres.yaml (the report says nothing of centres otherwise).
    pub present: bool,
    pub added: Vec<Centre>,
    pub removed: Vec<Centre>,
    /// (centre, changes)
    pub changed: Vec<(Centre, Vec<Change>)>,
}

impl CentreDiff {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The changes between two sites, by municipality in the new site's order.
#[derive(Debug, Clone, Default)]
pub struct DataDiff {
    pub old_label: String,
    pub new_label: String,
    pub municipalities: Vec<MunicipalityDiff>,
    pub centres: CentreDiff,
    vocab: Vocab,
    old_vocab: Vocab,
}

/// Names for display: the new site's vocabulary, else the old one's, else the id.
fn label(new: &Vocab, old: &Vocab, kind: VocabKind, id: &str) -> String {
    let n = new.name_of(kind, id);
    if n != id {
        return n.to_string();
    }
    old.name_of(kind, id).to_string()
}

impl DataDiff {
    fn name(&self, kind: VocabKind, id: &str) -> String {
        label(&self.vocab, &self.old_vocab, kind, id)
    }

    /// The fields of a window that changed, in the order of the declaration
    /// (the name pairs the windows; the file's keys are not a window's).
    fn window_changes(&self, a: &Window, b: &Window) -> Vec<Change> {
        let (va, vb) = (values_of(a), values_of(b));
        let name = |kind: VocabKind, id: &str| self.name(kind, id);
        let window_keys = field_names::<Window>();
        contact_columns()
            .iter()
            .filter(|c| window_keys.contains(&c.key) && c.key != "name")
            .map(|c| Change {
                label: c.label.as_str(),
                old: c.text(va.get(c.key), &name, ["あり", "なし"]),
                new: c.text(vb.get(c.key), &name, ["あり", "なし"]),
            })
            .filter(|c| c.old != c.new)
            .collect()
    }

    /// The fields of a facility that changed, in the order of the
    /// declaration (the id pairs the facilities).
    fn facility_changes(&self, a: &Facility, b: &Facility) -> Vec<Change> {
        self.record_changes(facility_columns(), &values_of(a), &values_of(b))
    }

    /// The fields of a record paired by its `id` that changed, in the order
    /// of `columns` (a list of ids as what was added and removed).
    fn record_changes(
        &self,
        columns: &'static [TableColumn],
        va: &serde_json::Map<String, Value>,
        vb: &serde_json::Map<String, Value>,
    ) -> Vec<Change> {
        columns
            .iter()
            .filter(|c| c.key != "id")
            .filter_map(|c| match (va.get(c.key), vb.get(c.key)) {
                (Some(Value::Array(x)), Some(Value::Array(y))) => self.list_change(c, x, y),
                (x, y) => {
                    let name = |kind: VocabKind, id: &str| self.name(kind, id);
                    let old = c.text(x, &name, ["あり", "なし"]);
                    let new = c.text(y, &name, ["あり", "なし"]);
                    (old != new).then_some(Change {
                        label: c.label.as_str(),
                        old,
                        new,
                    })
                }
            })
            .collect()
    }

    /// A list of ids that changed (医療的ケア): the old names, then the new
    /// ones with what was added and removed (or that only the order changed).
    fn list_change(&self, c: &'static TableColumn, a: &[Value], b: &[Value]) -> Option<Change> {
        if a == b {
            return None;
        }
        let names = |l: &[Value]| -> Vec<String> {
            l.iter()
                .filter_map(Value::as_str)
                .map(|id| match c.vocab {
                    Some(kind) => self.name(kind, id),
                    None => id.to_string(),
                })
                .collect()
        };
        let (ca, cb) = (names(a), names(b));
        let added: Vec<&str> = cb
            .iter()
            .filter(|x| !ca.contains(x))
            .map(String::as_str)
            .collect();
        let removed: Vec<&str> = ca
            .iter()
            .filter(|x| !cb.contains(x))
            .map(String::as_str)
            .collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("追加 {}", added.join("、")));
        }
        if !removed.is_empty() {
            parts.push(format!("削除 {}", removed.join("、")));
        }
        if parts.is_empty() {
            parts.push("並び順の変更".into());
        }
        Some(Change {
            label: c.label.as_str(),
            old: ca.join("、"),
            new: format!("{} ({})", cb.join("、"), parts.join("、")),
        })
    }

    pub fn window_counts(&self) -> (usize, usize, usize) {
        self.municipalities.iter().fold((0, 0, 0), |acc, m| {
            (
                acc.0 + m.windows_added.len(),
                acc.1 + m.windows_removed.len(),
                acc.2 + m.windows_changed.len(),
            )
        })
    }

    pub fn facility_counts(&self) -> (usize, usize, usize) {
        self.municipalities.iter().fold((0, 0, 0), |acc, m| {
            (
                acc.0 + m.facilities_added.len(),
                acc.1 + m.facilities_removed.len(),
                acc.2 + m.facilities_changed.len(),
            )
        })
    }

    pub fn is_empty(&self) -> bool {
        self.municipalities.is_empty() && self.centres.is_empty()
    }

    fn centre_summary(&self, c: &Centre) -> (String, String) {
        let summary = format!(
            "電話 {} ({})、ID {}",
            c.tel.value,
            c.tel_kind.value.label(),
            c.id.value
        );
        (c.name.value.clone(), summary)
    }

    /// The 地域の支援センター part (nothing when no centre changed).
    fn render_centres(&self, st: &Style, out: &mut String) {
        let d = &self.centres;
        if d.is_empty() {
            return;
        }
        let e = st.escape;
        let [strong_open, strong_close] = st.strong;
        let _ = write!(
            out,
            "{}地域の支援センター{}",
            st.municipality[0], st.municipality[1]
        );
        for c in &d.added {
            st.entry(out, st.added, "追加", self.centre_summary(c));
        }
        for c in &d.removed {
            st.entry(out, st.removed, "削除", self.centre_summary(c));
        }
        for (c, changes) in &d.changed {
            let _ = writeln!(
                out,
                "{}変更: {strong_open}{}{strong_close} (ID {})",
                st.changed,
                e(&c.name.value),
                e(&c.id.value)
            );
            st.changes(out, changes);
        }
        out.push_str(st.group[2]);
    }

    /// One line about a window: name (分野、電話 … (直通)).
    fn window_summary(&self, w: &Window) -> (String, String) {
        let mut parts = vec![self.name(VocabKind::Field, &w.field.value)];
        if w.is_general() {
            parts.push("各種相談".into());
        }
        if let Some(t) = &w.tel {
            parts.push(match w.tel_kind_label() {
                Some(kind) => format!("電話 {} ({kind})", t.value),
                None => format!("電話 {}", t.value),
            });
        } else if let Some(n) = &w.note {
            parts.push(n.clone());
        } else if let Some(u) = &w.url {
            parts.push(u.value.clone());
        }
        (w.name.value.clone(), parts.join("、"))
    }

    fn facility_summary(&self, f: &Facility) -> (String, String) {
        let mut parts = vec![self.name(VocabKind::Type, &f.kind.value)];
        if let Some(t) = &f.tel {
            parts.push(format!("電話 {}", t.value));
        }
        parts.push(format!("ID {}", f.id.value));
        (f.name.value.clone(), parts.join("、"))
    }

    fn summary_lines(&self) -> Vec<String> {
        let (wa, wr, wc) = self.window_counts();
        let (fa, fr, fc) = self.facility_counts();
        let mut lines = vec![
            format!("窓口: 追加 {wa} 件、削除 {wr} 件、変更 {wc} 件"),
            format!("施設: 追加 {fa} 件、削除 {fr} 件、変更 {fc} 件"),
        ];
        let c = &self.centres;
        if c.present {
            lines.push(format!(
                "支援センター: 追加 {} 件、削除 {} 件、変更 {} 件",
                c.added.len(),
                c.removed.len(),
                c.changed.len()
            ));
        }
        lines
    }

    pub fn render(&self, format: DiffFormat) -> String {
        match format {
            DiffFormat::Text => self.render_text(),
            DiffFormat::Markdown => self.render_markdown(),
        }
    }

    pub fn render_text(&self) -> String {
        let mut out = format!("データの変更点: {} → {}\n", self.old_label, self.new_label);
        for l in self.summary_lines() {
            let _ = writeln!(out, "{l}");
        }
        if self.is_empty() {
            out.push_str("\n変更はありません。\n");
            return out;
        }
        self.render_centres(&TEXT, &mut out);
        self.render_municipalities(&TEXT, &mut out);
        out
    }

    /// A news page for `content/news/`: front matter dated with the new
    /// edition, then the markdown report with its headings one level down
    /// (the page title is the h1). The build renders it like any news item.
    pub fn render_news(&self, edition: crate::date::Date) -> String {
        let body: String = self
            .render_markdown()
            .lines()
            .skip(1) // the report's own "# データの変更点" heading
            .map(|l| {
                if l.starts_with('#') {
                    format!("#{l}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        format!(
            "---\ntitle: 問い合わせ窓口一覧を更新しました({})\ndate: {edition}\ndescription: 窓口と施設の追加・削除・変更の一覧です。\n---\n{}の問い合わせ窓口一覧と施設の情報を更新しました。主な変更点は次のとおりです。\n{body}",
            edition.edition_label(),
            edition.edition_label(),
        )
    }

    /// The changes of each municipality, spelt in `st`.
    fn render_municipalities(&self, st: &Style, out: &mut String) {
        let e = st.escape;
        for m in &self.municipalities {
            let _ = write!(
                out,
                "{}{}{}",
                st.municipality[0],
                e(&m.name),
                st.municipality[1]
            );
            if let Some(c) = &m.updated {
                let _ = write!(
                    out,
                    "{}{} → {}{}",
                    st.updated[0],
                    e(&show(&c.old)),
                    e(&show(&c.new)),
                    st.updated[1]
                );
            }
            self.render_windows(st, m, out);
            self.render_facilities(st, m, out);
        }
    }

    /// The 窓口 group of a municipality (nothing when no window changed).
    fn render_windows(&self, st: &Style, m: &MunicipalityDiff, out: &mut String) {
        if m.windows_added.is_empty()
            && m.windows_removed.is_empty()
            && m.windows_changed.is_empty()
            && !m.windows_reordered
        {
            return;
        }
        let [strong_open, strong_close] = st.strong;
        let _ = write!(out, "{}窓口{}", st.group[0], st.group[1]);
        for w in &m.windows_added {
            st.entry(out, st.added, "追加", self.window_summary(w));
        }
        for w in &m.windows_removed {
            st.entry(out, st.removed, "削除", self.window_summary(w));
        }
        for (n, c) in &m.windows_changed {
            let _ = writeln!(
                out,
                "{}変更: {strong_open}{}{strong_close}",
                st.changed,
                (st.escape)(n)
            );
            st.changes(out, c);
        }
        if m.windows_reordered {
            let _ = writeln!(out, "{}窓口の並び順が変わりました", st.changed);
        }
        out.push_str(st.group[2]);
    }

    /// The 施設 group of a municipality (nothing when no facility changed).
    fn render_facilities(&self, st: &Style, m: &MunicipalityDiff, out: &mut String) {
        if m.facilities_added.is_empty()
            && m.facilities_removed.is_empty()
            && m.facilities_changed.is_empty()
        {
            return;
        }
        let e = st.escape;
        let [strong_open, strong_close] = st.strong;
        let _ = write!(out, "{}施設{}", st.group[0], st.group[1]);
        for f in &m.facilities_added {
            st.entry(out, st.added, "追加", self.facility_summary(f));
        }
        for f in &m.facilities_removed {
            st.entry(out, st.removed, "削除", self.facility_summary(f));
        }
        for (f, c) in &m.facilities_changed {
            let _ = writeln!(
                out,
                "{}変更: {strong_open}{}{strong_close} (ID {})",
                st.changed,
                e(&f.name.value),
                e(&f.id.value)
            );
            st.changes(out, c);
        }
        out.push_str(st.group[2]);
    }

    pub fn render_markdown(&self) -> String {
        let mut out = String::from("# データの変更点\n\n");
        let _ = writeln!(
            out,
            "- 比較: `{}` → `{}`",
            self.old_label.replace('`', "'"),
            self.new_label.replace('`', "'")
        );
        for l in self.summary_lines() {
            let _ = writeln!(out, "- {l}");
        }
        if self.is_empty() {
            out.push_str("\n変更はありません。\n");
            return out;
        }
        self.render_centres(&MARKDOWN, &mut out);
        self.render_municipalities(&MARKDOWN, &mut out);
        while out.contains("\n\n\n") {
            out = out.replace("\n\n\n", "\n\n");
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// How a report spells its parts: the text report (terminal) and the
/// markdown one (release note, news page) differ only in these.
struct Style {
    /// Applied to every value taken from the data.
    escape: fn(&str) -> String,
    /// Before and after a municipality's name.
    municipality: [&'static str; 2],
    /// Before and after `確認日: old → new`.
    updated: [&'static str; 2],
    /// Before and after a group's title (窓口, 施設), and after the group.
    group: [&'static str; 3],
    /// Line starts of an added, removed and changed entry.
    added: &'static str,
    removed: &'static str,
    changed: &'static str,
    /// Around an entry's name.
    strong: [&'static str; 2],
    /// Line start of one changed field.
    change: &'static str,
}

impl Style {
    /// One added or removed entry: mark, verb, name and summary.
    fn entry(&self, out: &mut String, mark: &str, verb: &str, (name, summary): (String, String)) {
        let e = self.escape;
        let [strong_open, strong_close] = self.strong;
        let _ = writeln!(
            out,
            "{mark}{verb}: {strong_open}{}{strong_close} ({})",
            e(&name),
            e(&summary)
        );
    }

    /// The changed fields of an entry, one per line.
    fn changes(&self, out: &mut String, changes: &[Change]) {
        let e = self.escape;
        for c in changes {
            let _ = writeln!(
                out,
                "{}{}: {} → {}",
                self.change,
                c.label,
                e(&show(&c.old)),
                e(&show(&c.new))
            );
        }
    }
}

const TEXT: Style = Style {
    escape: str::to_string,
    municipality: ["\n■ ", "\n"],
    updated: ["  確認日: ", "\n"],
    group: ["  ", "\n", ""],
    added: "    + ",
    removed: "    - ",
    changed: "    * ",
    strong: ["", ""],
    change: "        ",
};

const MARKDOWN: Style = Style {
    escape: md,
    municipality: ["\n## ", "\n\n"],
    updated: ["確認日: ", "\n\n"],
    group: ["### ", "\n\n", "\n"],
    added: "- ",
    removed: "- ",
    changed: "- ",
    strong: ["**", "**"],
    change: "  - ",
};

/// An empty value shown as (なし); line breaks shown as spaces.
fn show(s: &str) -> String {
    if s.is_empty() {
        "(なし)".to_string()
    } else {
        s.replace('\n', " ")
    }
}

/// Escapes what markdown would read as markup.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Pairs old and new windows of one municipality by name: equal windows
/// first, then the remaining ones with the same name in order.
fn pair_windows(old: &[Window], new: &[Window]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut old_free: Vec<bool> = vec![true; old.len()];
    let mut pair_of_new: Vec<Option<usize>> = vec![None; new.len()];
    for (j, w) in new.iter().enumerate() {
        if let Some(i) = (0..old.len()).find(|&i| old_free[i] && old[i] == *w) {
            old_free[i] = false;
            pair_of_new[j] = Some(i);
        }
    }
    for (j, w) in new.iter().enumerate() {
        if pair_of_new[j].is_some() {
            continue;
        }
        if let Some(i) = (0..old.len()).find(|&i| old_free[i] && old[i].name.value == w.name.value)
        {
            old_free[i] = false;
            pair_of_new[j] = Some(i);
        }
    }
    let mut out: Vec<(Option<usize>, Option<usize>)> = pair_of_new
        .iter()
        .enumerate()
        .map(|(j, i)| (*i, Some(j)))
        .collect();
    out.extend(
        old_free
            .iter()
            .enumerate()
            .filter(|(_, free)| **free)
            .map(|(i, _)| (Some(i), None)),
    );
    out
}

/// Loads both sites; the data files of both must load without errors (a file
/// that cannot be read would look like everything in it was removed).
pub fn diff_sites(old_root: &Path, new_root: &Path) -> Result<DataDiff, Diagnostics> {
    let load = |root: &Path| -> Result<(Vocab, crate::load::Loaded), Diagnostics> {
        let (v, loaded) = Vocab::load(root)?;
        let mut errors = super::errors_in(&loaded.diagnostics, &["data/"]);
        if !errors.is_empty() {
            for d in &mut errors.0 {
                d.file = format!("{}/{}", root.display(), d.file);
            }
            return Err(errors);
        }
        Ok((v, loaded))
    };
    let (old_vocab, old) = load(old_root)?;
    let (new_vocab, new) = load(new_root)?;
    let mut diff = diff_data(
        &old_root.display().to_string(),
        &new_root.display().to_string(),
        (&old_vocab, &contacts_of(&old.raw), &facilities_of(&old.raw)),
        (&new_vocab, &contacts_of(&new.raw), &facilities_of(&new.raw)),
    );
    diff.centres = diff.centre_diff(&old.raw, &new.raw);
    Ok(diff)
}

type Side<'a> = (
    &'a Vocab,
    &'a [(String, ContactFile)],
    &'a [(String, Facility)],
);

/// The changes between two versions of the data.
pub fn diff_data(old_label: &str, new_label: &str, old: Side, new: Side) -> DataDiff {
    let mut diff = DataDiff {
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        municipalities: Vec::new(),
        centres: CentreDiff::default(),
        vocab: new.0.clone(),
        old_vocab: old.0.clone(),
    };
    let mut by_muni: BTreeMap<String, MunicipalityDiff> = BTreeMap::new();
    diff.contacts(old.1, new.1, &mut by_muni);
    diff.facilities(old.2, new.2, &mut by_muni);
    // Municipalities in the new site's order, then the old site's, then the rest.
    let rank = |slug: &str| {
        new.0
            .municipalities
            .iter()
            .position(|m| m.id == slug)
            .or_else(|| {
                old.0
                    .municipalities
                    .iter()
                    .position(|m| m.id == slug)
                    .map(|p| p + 10_000)
            })
            .unwrap_or(usize::MAX)
    };
    let mut list: Vec<MunicipalityDiff> = by_muni
        .into_iter()
        .filter(|(_, d)| !d.is_empty())
        .map(|(slug, mut d)| {
            d.name = label(new.0, old.0, VocabKind::Municipality, &slug);
            d.slug = slug;
            d
        })
        .collect();
    list.sort_by_key(|d| (rank(&d.slug), d.slug.clone()));
    diff.municipalities = list;
    diff
}

/// Windows and 確認日 of each municipality's contacts file, by slug.
fn windows_by_municipality(
    side: &[(String, ContactFile)],
) -> BTreeMap<String, (String, Vec<Window>)> {
    side.iter()
        .map(|(_, c)| {
            let windows = c.windows.iter().map(|w| w.value.clone()).collect();
            (
                c.municipality.value.clone(),
                (c.updated.value.clone(), windows),
            )
        })
        .collect()
}

impl DataDiff {
    /// Windows added, removed, changed and reordered; 確認日 changed.
    fn contacts(
        &self,
        old: &[(String, ContactFile)],
        new: &[(String, ContactFile)],
        by_muni: &mut BTreeMap<String, MunicipalityDiff>,
    ) {
        let (old_c, new_c) = (windows_by_municipality(old), windows_by_municipality(new));
        let munis: BTreeSet<&String> = old_c.keys().chain(new_c.keys()).collect();
        let none = (String::new(), Vec::new());
        for m in munis {
            let entry = by_muni.entry(m.clone()).or_default();
            let (old_updated, ow) = old_c.get(m).unwrap_or(&none);
            let (new_updated, nw) = new_c.get(m).unwrap_or(&none);
            if old_c.contains_key(m) && new_c.contains_key(m) && old_updated != new_updated {
                entry.updated = Some(Change {
                    label: "確認日",
                    old: old_updated.clone(),
                    new: new_updated.clone(),
                });
            }
            let mut matched_old_order = Vec::new();
            for (i, j) in pair_windows(ow, nw) {
                match (i, j) {
                    (Some(i), Some(j)) => {
                        matched_old_order.push((i, j));
                        let ch = self.window_changes(&ow[i], &nw[j]);
                        if !ch.is_empty() {
                            entry.windows_changed.push((nw[j].name.value.clone(), ch));
                        }
                    }
                    (None, Some(j)) => entry.windows_added.push(nw[j].clone()),
                    (Some(i), None) => entry.windows_removed.push(ow[i].clone()),
                    (None, None) => {}
                }
            }
            matched_old_order.sort();
            entry.windows_reordered = matched_old_order.windows(2).any(|p| p[0].1 > p[1].1);
        }
    }

    /// Centres added, removed and changed (paired by id, in file order).
    fn centre_diff(&self, old: &crate::model::RawSite, new: &crate::model::RawSite) -> CentreDiff {
        let (old_c, new_c) = (centres_of(old), centres_of(new));
        let by_id = |list: &[Centre], id: &str| list.iter().find(|c| c.id.value == id).cloned();
        let mut d = CentreDiff {
            present: old.centres.is_some() || new.centres.is_some(),
            ..CentreDiff::default()
        };
        for c in &new_c {
            match by_id(&old_c, &c.id.value) {
                None => d.added.push(c.clone()),
                Some(o) => {
                    let changes =
                        self.record_changes(centre_columns(), &values_of(&o), &values_of(c));
                    if !changes.is_empty() {
                        d.changed.push((c.clone(), changes));
                    }
                }
            }
        }
        d.removed = old_c
            .into_iter()
            .filter(|c| by_id(&new_c, &c.id.value).is_none())
            .collect();
        d
    }

    /// Facilities added, removed and changed (paired by id).
    fn facilities(
        &self,
        old: &[(String, Facility)],
        new: &[(String, Facility)],
        by_muni: &mut BTreeMap<String, MunicipalityDiff>,
    ) {
        let by_id = |side: &[(String, Facility)]| -> BTreeMap<String, Facility> {
            side.iter()
                .map(|(_, f)| (f.id.value.clone(), f.clone()))
                .collect()
        };
        let (old_f, new_f) = (by_id(old), by_id(new));
        // In file order of the new site (then the removed ones in the old site's order).
        for (_, f) in new {
            let entry = by_muni.entry(f.municipality.value.clone()).or_default();
            match old_f.get(&f.id.value) {
                None => entry.facilities_added.push(f.clone()),
                Some(o) => {
                    let ch = self.facility_changes(o, f);
                    if !ch.is_empty() {
                        entry.facilities_changed.push((f.clone(), ch));
                    }
                }
            }
        }
        for (_, f) in old {
            if !new_f.contains_key(&f.id.value) {
                by_muni
                    .entry(f.municipality.value.clone())
                    .or_default()
                    .facilities_removed
                    .push(f.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(name: &str, tel: &str) -> Window {
        let yaml = format!("name: {name}\nfield: sodan\ntel: {tel}\ntel_kind: direct\n");
        serde_saphyr::from_str::<Window>(&yaml)
            .expect("window")
            .normalized()
    }

    #[test]
    fn same_name_windows_pair_equal_ones_first() {
        let old = [w("福祉課", "045-000-0001"), w("福祉課", "045-000-0002")];
        let new = [w("福祉課", "045-000-0002")];
        let pairs = pair_windows(&old, &new);
        assert_eq!(pairs, vec![(Some(1), Some(0)), (Some(0), None)]);
    }
}
