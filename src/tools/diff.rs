//! `ohisama diff OLD NEW`: what changed in the directory between two versions
//! of a site (windows and facilities added, removed, changed field by field),
//! grouped by municipality, in Japanese, for the team's release note.
//!
//! Windows are matched by (municipality, name); facilities by id.

use super::data::{
    FacilityData, Vocab, VocabKind, contact_columns, contacts_of, facilities_of, values_of,
};
use crate::diagnostic::Diagnostics;
use crate::kinds::common::field_names;
use crate::kinds::contacts::{ContactFile, Window};
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
    pub facilities_added: Vec<FacilityData>,
    pub facilities_removed: Vec<FacilityData>,
    /// (facility, changes)
    pub facilities_changed: Vec<(FacilityData, Vec<Change>)>,
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

/// The changes between two sites, by municipality in the new site's order.
#[derive(Debug, Clone, Default)]
pub struct DataDiff {
    pub old_label: String,
    pub new_label: String,
    pub municipalities: Vec<MunicipalityDiff>,
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

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
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

    fn facility_changes(&self, a: &FacilityData, b: &FacilityData) -> Vec<Change> {
        let care_names = |f: &FacilityData| -> Vec<String> {
            f.care
                .iter()
                .map(|c| self.name(VocabKind::Care, c))
                .collect()
        };
        let (ca, cb) = (care_names(a), care_names(b));
        let mut out = changes([
            ("名称", a.name.clone(), b.name.clone()),
            ("よみ", a.kana.clone(), b.kana.clone()),
            (
                "種別",
                self.name(VocabKind::Type, &a.kind),
                self.name(VocabKind::Type, &b.kind),
            ),
            (
                "市町村",
                self.name(VocabKind::Municipality, &a.municipality),
                self.name(VocabKind::Municipality, &b.municipality),
            ),
            ("住所", text(&a.address), text(&b.address)),
            ("電話", text(&a.tel), text(&b.tel)),
            ("URL", text(&a.url), text(&b.url)),
        ]);
        if a.care != b.care {
            let added: Vec<&String> = cb.iter().filter(|c| !ca.contains(c)).collect();
            let removed: Vec<&String> = ca.iter().filter(|c| !cb.contains(c)).collect();
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!(
                    "追加 {}",
                    added
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            }
            if !removed.is_empty() {
                parts.push(format!(
                    "削除 {}",
                    removed
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ));
            }
            if parts.is_empty() {
                parts.push("並び順の変更".into());
            }
            out.push(Change {
                label: "医療的ケア",
                old: ca.join("、"),
                new: format!("{} ({})", cb.join("、"), parts.join("、")),
            });
        }
        out.extend(changes([
            ("対象年齢", text(&a.ages), text(&b.ages)),
            ("備考", text(&a.note), text(&b.note)),
            ("確認日", text(&a.updated), text(&b.updated)),
        ]));
        out
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
        self.municipalities.is_empty()
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

    fn facility_summary(&self, f: &FacilityData) -> (String, String) {
        let mut parts = vec![self.name(VocabKind::Type, &f.kind)];
        if let Some(t) = &f.tel {
            parts.push(format!("電話 {t}"));
        }
        parts.push(format!("ID {}", f.id));
        (f.name.clone(), parts.join("、"))
    }

    fn summary_lines(&self) -> [String; 2] {
        let (wa, wr, wc) = self.window_counts();
        let (fa, fr, fc) = self.facility_counts();
        [
            format!("窓口: 追加 {wa} 件、削除 {wr} 件、変更 {wc} 件"),
            format!("施設: 追加 {fa} 件、削除 {fr} 件、変更 {fc} 件"),
        ]
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
        let [strong_open, strong_close] = st.strong;
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
            let entry = |out: &mut String, mark: &str, verb: &str, (n, s): (String, String)| {
                let _ = writeln!(
                    out,
                    "{mark}{verb}: {strong_open}{}{strong_close} ({})",
                    e(&n),
                    e(&s)
                );
            };
            let changes = |out: &mut String, changes: &[Change]| {
                for c in changes {
                    let _ = writeln!(
                        out,
                        "{}{}: {} → {}",
                        st.change,
                        c.label,
                        e(&show(&c.old)),
                        e(&show(&c.new))
                    );
                }
            };
            if !(m.windows_added.is_empty()
                && m.windows_removed.is_empty()
                && m.windows_changed.is_empty()
                && !m.windows_reordered)
            {
                let _ = write!(out, "{}窓口{}", st.group[0], st.group[1]);
                for w in &m.windows_added {
                    entry(out, st.added, "追加", self.window_summary(w));
                }
                for w in &m.windows_removed {
                    entry(out, st.removed, "削除", self.window_summary(w));
                }
                for (n, c) in &m.windows_changed {
                    let _ = writeln!(
                        out,
                        "{}変更: {strong_open}{}{strong_close}",
                        st.changed,
                        e(n)
                    );
                    changes(out, c);
                }
                if m.windows_reordered {
                    let _ = writeln!(out, "{}窓口の並び順が変わりました", st.changed);
                }
                out.push_str(st.group[2]);
            }
            if !(m.facilities_added.is_empty()
                && m.facilities_removed.is_empty()
                && m.facilities_changed.is_empty())
            {
                let _ = write!(out, "{}施設{}", st.group[0], st.group[1]);
                for f in &m.facilities_added {
                    entry(out, st.added, "追加", self.facility_summary(f));
                }
                for f in &m.facilities_removed {
                    entry(out, st.removed, "削除", self.facility_summary(f));
                }
                for (f, c) in &m.facilities_changed {
                    let _ = writeln!(
                        out,
                        "{}変更: {strong_open}{}{strong_close} (ID {})",
                        st.changed,
                        e(&f.name),
                        e(&f.id)
                    );
                    changes(out, c);
                }
                out.push_str(st.group[2]);
            }
        }
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

fn changes<const N: usize>(pairs: [(&'static str, String, String); N]) -> Vec<Change> {
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, old, new)| Change { label, old, new })
        .collect()
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
    Ok(diff_data(
        &old_root.display().to_string(),
        &new_root.display().to_string(),
        (&old_vocab, &contacts_of(&old.raw), &facilities_of(&old.raw)),
        (&new_vocab, &contacts_of(&new.raw), &facilities_of(&new.raw)),
    ))
}

type Side<'a> = (
    &'a Vocab,
    &'a [(String, ContactFile)],
    &'a [(String, FacilityData)],
);

/// The changes between two versions of the data.
pub fn diff_data(old_label: &str, new_label: &str, old: Side, new: Side) -> DataDiff {
    let mut diff = DataDiff {
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        municipalities: Vec::new(),
        vocab: new.0.clone(),
        old_vocab: old.0.clone(),
    };
    let mut by_muni: BTreeMap<String, MunicipalityDiff> = BTreeMap::new();
    let contacts = |side: &[(String, ContactFile)]| -> BTreeMap<String, Vec<Window>> {
        side.iter()
            .map(|(_, c)| {
                let windows = c.windows.iter().map(|w| w.value.clone()).collect();
                (c.municipality.value.clone(), windows)
            })
            .collect()
    };
    let updated = |side: &[(String, ContactFile)]| -> BTreeMap<String, String> {
        side.iter()
            .map(|(_, c)| (c.municipality.value.clone(), c.updated.value.clone()))
            .collect()
    };
    let (old_u, new_u) = (updated(old.1), updated(new.1));
    let (old_c, new_c) = (contacts(old.1), contacts(new.1));
    let munis: BTreeSet<&String> = old_c.keys().chain(new_c.keys()).collect();
    for m in munis {
        let entry = by_muni.entry(m.clone()).or_default();
        let empty = Vec::new();
        let ow = old_c.get(m).unwrap_or(&empty);
        let nw = new_c.get(m).unwrap_or(&empty);
        if let (Some(a), Some(b)) = (old_u.get(m), new_u.get(m))
            && a != b
        {
            entry.updated = Some(Change {
                label: "確認日",
                old: a.clone(),
                new: b.clone(),
            });
        }
        let mut matched_old_order = Vec::new();
        for (i, j) in pair_windows(ow, nw) {
            match (i, j) {
                (Some(i), Some(j)) => {
                    matched_old_order.push((i, j));
                    let ch = diff.window_changes(&ow[i], &nw[j]);
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
    let facilities = |side: &[(String, FacilityData)]| -> BTreeMap<String, FacilityData> {
        side.iter()
            .map(|(_, f)| (f.id.clone(), f.clone()))
            .collect()
    };
    let (old_f, new_f) = (facilities(old.2), facilities(new.2));
    // In file order of the new site (then the removed ones in the old site's order).
    for (_, f) in new.2 {
        let entry = by_muni.entry(f.municipality.clone()).or_default();
        match old_f.get(&f.id) {
            None => entry.facilities_added.push(f.clone()),
            Some(o) => {
                let ch = diff.facility_changes(o, f);
                if !ch.is_empty() {
                    entry.facilities_changed.push((f.clone(), ch));
                }
            }
        }
    }
    for (_, f) in old.2 {
        if !new_f.contains_key(&f.id) {
            by_muni
                .entry(f.municipality.clone())
                .or_default()
                .facilities_removed
                .push(f.clone());
        }
    }
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
